import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/index.js'
import { verifyLedger, type VerifyWindows } from '../../src/proof/verify.js'
import { storeFactories } from './stores.js'
import type { TestDatabase } from '../store/harness.js'

const S = 'scheme-under-test'
const API = '/open/inventory/count/query'
const H = 3_600_000
const T0 = new Date(Date.UTC(2026, 0, 1))

interface Fixture {
  store: Store
  db: TestDatabase
}

/** A fresh store with a clean ledger: 3 done (with proof), 1 parked and resolved by a person, 1 queued, windows [T0, T0+3h) closed. */
async function cleanLedgerOn(create: () => TestDatabase): Promise<Fixture> {
  const db = create()
  const store = await db.open()
  const ids = ['101', '102', '103', '104', '105']
  await store.ledger.upsertSourceRecords(
    S,
    ids.map((id) => ({ id, number: id, content: { io_id: id } })),
  )
  const claim = await store.ledger.claimReady(S, 10)
  expect(claim.records).toHaveLength(5)
  for (const id of ['101', '102', '103']) {
    await store.ledger.markWritten(
      { schemeId: S, recordId: id },
      { targetId: `T${id}`, response: { errcode: 0, data: { ids: [`T${id}`] } }, businessKey: id },
    )
  }
  await store.ledger.markFailed(
    { schemeId: S, recordId: '104' },
    { kind: 'data', code: 'ERR_LOOKUP_MISSING', message: 'JDY material not found', nextAttemptAt: null },
  )
  await store.ledger.resolve({ schemeId: S, recordId: '104' }, 'counted by hand')
  await store.ledger.markFailed(
    { schemeId: S, recordId: '105' },
    { kind: 'transient', code: 'ERR_HTTP_TRANSIENT', message: 'reset', nextAttemptAt: new Date(T0.getTime() + H) },
  )
  for (let i = 0; i < 3; i++)
    await store.windows.close(S, API, {
      start: new Date(T0.getTime() + i * H),
      end: new Date(T0.getTime() + (i + 1) * H),
    })
  return { store, db }
}

const verify = (store: Store, windows: VerifyWindows = store.windows) =>
  verifyLedger({ schemeId: S, api: API, start: T0, ledger: store.ledger, windows })

for (const factory of await storeFactories())
  describe(`ferry verify: ledger invariants (${factory.dialect})`, () => {
    let f: Fixture | undefined
    afterEach(async () => {
      await f?.db.cleanup()
      f = undefined
    })
    const cleanLedger = () => cleanLedgerOn(() => factory.create())

    it('passes a clean ledger and reports the cursor at the end of the closed run', async () => {
      f = await cleanLedger()
      const r = await verify(f.store)
      expect(r.violations).toEqual([])
      expect(r.records).toBe(5)
      expect(r.cursor?.toISOString()).toBe(new Date(T0.getTime() + 3 * H).toISOString())
    })

    it('reports a parked record as not settled, with its error, until a person resolves it', async () => {
      f = await cleanLedger()
      await f.store.ledger.upsertSourceRecords(S, [{ id: '107', content: { io_id: '107' } }])
      await f.store.ledger.claimReady(S, 10)
      await f.store.ledger.markFailed(
        { schemeId: S, recordId: '107' },
        { kind: 'data', code: 'ERR_LOOKUP_MISSING', message: 'JDY material not found', nextAttemptAt: null },
      )
      const r = await verify(f.store)
      expect(r.violations).toEqual([
        expect.objectContaining({ code: 'ERR_VERIFY_PARKED', rule: 'settled_or_planned', recordId: '107' }),
      ])
      expect(r.violations[0]!.message).toContain('ERR_LOOKUP_MISSING')
      await f.store.ledger.resolve({ schemeId: S, recordId: '107' }, 'not needed')
      expect((await verify(f.store)).violations).toEqual([])
    })

    it('reports a record that is neither settled nor has a next attempt planned', async () => {
      f = await cleanLedger()
      await f.store.db.updateTable('records').set({ next_attempt_at: null }).where('record_id', '=', '105').execute()
      const r = await verify(f.store)
      expect(r.violations).toEqual([
        expect.objectContaining({ code: 'ERR_VERIFY_NOT_SETTLED', rule: 'settled_or_planned', recordId: '105' }),
      ])
    })

    it('reports one business key written to two target documents', async () => {
      f = await cleanLedger()
      await f.store.ledger.upsertSourceRecords(S, [{ id: '106', content: { io_id: '106', again: true } }])
      await f.store.ledger.claimReady(S, 10)
      // The same bill_no written a second time: exactly what exactly-once forbids.
      await f.store.ledger.markWritten(
        { schemeId: S, recordId: '106' },
        { targetId: 'T999', response: { errcode: 0 }, businessKey: '101' },
      )
      const r = await verify(f.store)
      expect(r.violations).toHaveLength(1)
      expect(r.violations[0]).toMatchObject({
        code: 'ERR_VERIFY_KEY_TWO_TARGETS',
        rule: 'one_target_per_key',
        recordId: '106',
      })
      expect(r.violations[0]!.message).toContain('T101')
      expect(r.violations[0]!.message).toContain('T999')
    })

    it('reports done records without a target id, with a placeholder id, or without the proving response', async () => {
      f = await cleanLedger()
      await f.store.db.updateTable('records').set({ target_id: null }).where('record_id', '=', '101').execute()
      await f.store.db.updateTable('records').set({ response: 'null' }).where('record_id', '=', '102').execute()
      await f.store.db.updateTable('records').set({ target_id: 'key:103' }).where('record_id', '=', '103').execute()
      const r = await verify(f.store)
      expect(r.violations.map((v) => [v.code, v.recordId]).sort()).toEqual([
        ['ERR_VERIFY_DONE_WITHOUT_PROOF', '101'],
        ['ERR_VERIFY_DONE_WITHOUT_PROOF', '102'],
        ['ERR_VERIFY_DONE_WITHOUT_PROOF', '103'],
      ])
      expect(r.violations.find((v) => v.recordId === '102')?.message).toContain('response')
    })

    it('reports a cursor that lies past a window missing from the closed set', async () => {
      f = await cleanLedger()
      const store = f.store
      // A store whose cursor ran ahead of its closed windows: [T0+3h, T0+5h) was never fetched.
      const ahead: VerifyWindows = {
        lastSyncTime: () => Promise.resolve(new Date(T0.getTime() + 6 * H)),
        gaps: (s, a, from, to) => store.windows.gaps(s, a, from, to),
        list: (s, a) => store.windows.list(s, a),
      }
      await store.windows.close(S, API, { start: new Date(T0.getTime() + 5 * H), end: new Date(T0.getTime() + 6 * H) })
      const r = await verify(store, ahead)
      expect(r.violations).toEqual([expect.objectContaining({ code: 'ERR_VERIFY_CURSOR_GAP', rule: 'cursor_covered' })])
      expect(r.violations[0]!.message).toContain(new Date(T0.getTime() + 3 * H).toISOString())
    })

    it('shows a closed window after a gap as an island, not a violation, because the real cursor waits at the gap', async () => {
      f = await cleanLedger()
      await f.store.windows.close(S, API, {
        start: new Date(T0.getTime() + 5 * H),
        end: new Date(T0.getTime() + 6 * H),
      })
      const r = await verify(f.store)
      expect(r.violations).toEqual([])
      expect(r.cursor?.toISOString()).toBe(new Date(T0.getTime() + 3 * H).toISOString())
      expect(r.islands).toEqual([{ start: new Date(T0.getTime() + 5 * H), end: new Date(T0.getTime() + 6 * H) }])
    })
  })
