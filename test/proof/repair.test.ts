import { afterEach, describe, expect, it } from 'vitest'
import type { Finding } from '../../src/proof/reconcile.js'
import { repairMissing } from '../../src/proof/repair.js'
import { verifyLedger } from '../../src/proof/verify.js'
import type { TestDatabase } from '../store/harness.js'
import { storeFactories } from './stores.js'

const S = 'repair-scheme'
const missing = (key: string): Finding => ({
  kind: 'missing',
  key,
  recordIds: [key],
  code: 'ERR_RECONCILE_MISSING',
  reason: `missing in target: ${key}`,
})

for (const factory of await storeFactories())
  describe(`reconcile --repair queues missing documents (${factory.dialect})`, () => {
    let db: TestDatabase | undefined
    afterEach(async () => {
      await db?.cleanup()
      db = undefined
    })

    it('reopens deleted-in-target records as unknown, requeues parked ones, inserts unseen ones and touches nothing else', async () => {
      db = factory.create()
      const store = await db.open()
      const ref = (recordId: string) => ({ schemeId: S, recordId })
      await store.ledger.upsertSourceRecords(
        S,
        ['A', 'B', 'C', 'E', 'F'].map((id) => ({ id, content: { io_id: id } })),
      )
      await store.ledger.claimReady(S, 10)
      await store.ledger.markWritten(ref('A'), { targetId: 'T-A', response: { errcode: 0 }, businessKey: 'A' })
      await store.ledger.markWritten(ref('F'), { targetId: 'T-F', response: { errcode: 0 }, businessKey: 'F' })
      await store.ledger.markFailed(ref('B'), {
        kind: 'data',
        code: 'ERR_LOOKUP_MISSING',
        message: 'no material',
        nextAttemptAt: null,
      })
      await store.ledger.markFailed(ref('C'), {
        kind: 'transient',
        code: 'ERR_HTTP_TRANSIENT',
        message: 'reset',
        nextAttemptAt: new Date(Date.now() + 60_000),
      })
      await store.ledger.markFailed(ref('E'), {
        kind: 'data',
        code: 'ERR_LOOKUP_MISSING',
        message: 'no material',
        nextAttemptAt: null,
      })
      await store.ledger.resolve(ref('E'), 'booked by hand')

      const findings: Finding[] = [
        missing('A'),
        missing('B'),
        missing('C'),
        missing('D'),
        missing('E'),
        { kind: 'extra', key: 'X', recordIds: [], code: 'ERR_RECONCILE_EXTRA', reason: 'extra' },
        { kind: 'mismatched', key: 'F', recordIds: ['F'], code: 'ERR_RECONCILE_MISMATCH', reason: 'qty' },
      ]
      const sources = new Map([['D', { id: 'D', number: 'D', content: { io_id: 'D', late: true } }]])
      const actions = await repairMissing(store, S, findings, sources, { idCheck: true })

      expect(actions.map((a) => [a.recordId, a.action])).toEqual([
        ['A', 'reopened'],
        ['B', 'requeued'],
        ['C', 'already_queued'],
        ['D', 'inserted'],
        ['E', 'skipped'],
      ])
      const a = await store.ledger.getRecord(ref('A'))
      expect(a).toMatchObject({ status: 'unknown', targetId: null })
      expect(a?.nextAttemptAt).not.toBeNull()
      expect((await store.ledger.events(ref('A'))).map((e) => e.event)).toContain('reopened_by_reconcile')
      expect((await store.ledger.getRecord(ref('B')))?.status).toBe('waiting')
      expect(await store.ledger.getRecord(ref('D'))).toMatchObject({
        status: 'waiting',
        content: { io_id: 'D', late: true },
      })
      expect((await store.ledger.getRecord(ref('E')))?.status).toBe('error')
      // A mismatched document is never touched: its record stays done with its target id.
      expect(await store.ledger.getRecord(ref('F'))).toMatchObject({ status: 'done', targetId: 'T-F' })

      // The reopened record is handed to the writer as unknown, so it is probed before any write.
      const claim = await store.ledger.claimReady(S, 10)
      expect(claim.records.find((r) => r.id === 'A')?.status).toBe('unknown')
      const v = await verifyLedger({ schemeId: S, api: 'q', ledger: store.ledger, windows: store.windows })
      expect(v.violations).toEqual([])
    })

    it('does not reopen a record twice when two repairs race on the same finding', async () => {
      db = factory.create()
      const one = await db.open()
      const two = await db.open()
      await one.ledger.upsertSourceRecords(S, [{ id: 'A', content: { io_id: 'A' } }])
      await one.ledger.claimReady(S, 1)
      await one.ledger.markWritten(
        { schemeId: S, recordId: 'A' },
        { targetId: 'T-A', response: { errcode: 0 }, businessKey: 'A' },
      )
      const [x, y] = await Promise.all([
        repairMissing(one, S, [missing('A')], new Map(), { idCheck: true }),
        repairMissing(two, S, [missing('A')], new Map(), { idCheck: true }),
      ])
      const reopened = [...x, ...y].filter((e) => e.action === 'reopened')
      expect(reopened).toHaveLength(1)
      expect(
        (await one.ledger.events({ schemeId: S, recordId: 'A' })).filter((e) => e.event === 'reopened_by_reconcile'),
      ).toHaveLength(1)
    })
  })
