import { describe, expect, it } from 'vitest'
import type { StoreFactory } from './harness.js'
import { describeLedgerClaims } from './ledger-claims.contract.js'
import { freshStore, order, writeOne } from './setup.js'

export function describeLedger(factory: StoreFactory): void {
  describe('record ledger: storing source records', () => {
    const c = freshStore(factory)

    it('inserts new records as waiting and reports each effect', async () => {
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      expect(res.outcomes).toEqual([
        { id: '1', effect: 'inserted' },
        { id: '2', effect: 'inserted' },
      ])
      const r = await c.store.ledger.getRecord({ schemeId: c.scheme, recordId: '1' })
      expect(r).toMatchObject({
        status: 'waiting',
        number: 'NO-1',
        attempts: 0,
        changedAfterSync: false,
        content: { io_id: '1' },
      })
      expect(r?.contentHash).toMatch(/^[0-9a-f]{64}$/)
    })

    it('treats the same content with keys in another order as unchanged', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [{ id: 'a', content: { x: 1, y: { p: 1, q: 2 } } }])
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [
        { id: 'a', content: { y: { q: 2, p: 1 }, x: 1 } },
      ])
      expect(res.counts.unchanged).toBe(1)
    })

    it('replaces the content of a record that has not reached the target yet', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -5 })])
      expect(res.outcomes[0]?.effect).toBe('updated_before_sync')
      const r = await c.store.ledger.getRecord({ schemeId: c.scheme, recordId: '1' })
      expect(r).toMatchObject({
        status: 'waiting',
        content: { qty: -5 },
        pendingContent: null,
        changedAfterSync: false,
      })
    })

    it('gives a parked record a fresh start when its source content changes', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10)
      await c.store.ledger.markFailed(
        { schemeId: c.scheme, recordId: '1' },
        { kind: 'data', code: 'ERR_X', message: 'sku missing', nextAttemptAt: null },
      )
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -2 })])
      const r = await c.store.ledger.getRecord({ schemeId: c.scheme, recordId: '1' })
      expect(r).toMatchObject({ status: 'waiting', attempts: 0, lastError: null })
    })

    it('never re-queues a done record when idCheck is on', async () => {
      await writeOne(c, '1')
      const again = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)], { idCheck: true })
      expect(again.counts.unchanged).toBe(1)
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -9 })], { idCheck: true })
      c.clock.advance(86_400_000)
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records).toEqual([])
      expect((await c.store.ledger.getRecord({ schemeId: c.scheme, recordId: '1' }))?.status).toBe('done')
    })

    it('reopens a written record as unknown with its attempts restarted, and refuses one not settled', async () => {
      const ref = { schemeId: c.scheme, recordId: '1' }
      const why = { code: 'ERR_RECONCILE_MISSING', message: 'gone from the target', event: 'reopened_by_reconcile' }
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(2)])
      expect(await c.store.ledger.reopen({ schemeId: c.scheme, recordId: '2' }, why)).toBe(false)
      await writeOne(c, '1')
      expect(await c.store.ledger.reopen(ref, why)).toBe(true)
      expect(await c.store.ledger.getRecord(ref)).toMatchObject({
        status: 'unknown',
        attempts: 0,
        targetId: null,
        lastError: { code: 'ERR_RECONCILE_MISSING', kind: 'data', message: 'gone from the target' },
      })
      const events = await c.store.ledger.events(ref)
      expect(events.at(-1)).toMatchObject({ event: 'reopened_by_reconcile', detail: { previousTargetId: 'T-1' } })
      expect(await c.store.ledger.reopen(ref, why)).toBe(false)
    })

    it('flags a done record whose content changed and keeps both versions', async () => {
      await writeOne(c, '1')
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -9 })])
      expect(res.outcomes[0]?.effect).toBe('changed_after_sync')
      const r = await c.store.ledger.getRecord({ schemeId: c.scheme, recordId: '1' })
      expect(r).toMatchObject({
        status: 'done',
        changedAfterSync: true,
        content: { qty: -1 },
        pendingContent: { qty: -9 },
        targetId: 'T-1',
      })
      expect((await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -9 })])).counts.unchanged).toBe(1)
      expect((await c.store.ledger.counts(c.scheme)).changedAfterSync).toBe(1)
    })

    it('queues a changed done record again when idCheck is off', async () => {
      await writeOne(c, '1')
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -9 })], { idCheck: false })
      expect(res.outcomes[0]?.effect).toBe('requeued_after_sync')
      const claim = await c.store.ledger.claimReady(c.scheme, 10)
      expect(claim.records.map((r) => [r.id, r.status, r.content.qty, r.targetId])).toEqual([
        ['1', 'waiting', -9, 'T-1'],
      ])
    })

    it('flags, rather than replaces, new content for a record whose write outcome is unknown', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10)
      await c.store.ledger.markUnknown(
        { schemeId: c.scheme, recordId: '1' },
        { code: 'ERR_TIMEOUT', message: 'timed out', probeAt: new Date(c.clock.now()) },
      )
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1, { qty: -3 })], { idCheck: false })
      expect(res.outcomes[0]?.effect).toBe('changed_after_sync')
      expect((await c.store.ledger.getRecord({ schemeId: c.scheme, recordId: '1' }))?.content.qty).toBe(-1)
    })

    it('rejects a record without an id and still stores the rest of the batch', async () => {
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [{ id: '', content: { a: 1 } }, order(2)])
      expect(res.outcomes[0]).toMatchObject({
        effect: 'rejected',
        error: { code: 'ERR_LEDGER_BAD_SOURCE_RECORD', location: '[0].id' },
      })
      expect(res.counts).toMatchObject({ inserted: 1, rejected: 1 })
    })

    it('handles the same id twice in one batch as insert then update', async () => {
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(1, { qty: -4 })])
      expect(res.outcomes.map((o) => o.effect)).toEqual(['inserted', 'updated_before_sync'])
    })
  })

  describeLedgerClaims(factory)

  describe('record ledger: reading', () => {
    const c = freshStore(factory)

    it('lists records page by page with a cursor', async () => {
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 25 }, (_, i) => order(i + 1)),
      )
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await c.store.ledger.listRecords(c.scheme, {
          limit: 10,
          ...(cursor === undefined ? {} : { cursor }),
        })
        seen.push(...page.records.map((r) => r.id))
        cursor = page.nextCursor
      } while (cursor !== undefined)
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)))
    })

    it('searches number, id and error message case-insensitively, treating % and _ literally', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order('a1'), order('b_2'), order('c3')])
      await c.store.ledger.markFailed(
        { schemeId: c.scheme, recordId: 'c3' },
        { kind: 'data', code: 'ERR', message: 'Material 3001-RED missing', nextAttemptAt: null },
      )
      const ids = async (search: string, status?: 'error') =>
        (
          await c.store.ledger.listRecords(c.scheme, { search, ...(status === undefined ? {} : { status }) })
        ).records.map((r) => r.id)
      expect(await ids('3001-red')).toEqual(['c3'])
      expect(await ids('NO-A')).toEqual(['a1'])
      expect(await ids('_')).toEqual(['b_2'])
      expect(await ids('%')).toEqual([])
      expect(await ids('3001', 'error')).toEqual(['c3'])
    })

    it('rejects a forged cursor and a bad status with ERR_STORE_BAD_INPUT', async () => {
      await expect(c.store.ledger.listRecords(c.scheme, { cursor: '1; drop table records' })).rejects.toMatchObject({
        code: 'ERR_STORE_BAD_INPUT',
      })
      await expect(c.store.ledger.listRecords(c.scheme, { status: 'gone' as never })).rejects.toMatchObject({
        code: 'ERR_STORE_BAD_INPUT',
      })
    })

    it('streams a whole scheme in bounded pages', async () => {
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 1203 }, (_, i) => order(i + 1)),
      )
      let n = 0
      for await (const r of c.store.ledger.iterateRecords(c.scheme, {}, 250)) {
        n++
        expect(r.schemeId).toBe(c.scheme)
      }
      expect(n).toBe(1203)
    })

    it('counts records by status', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2), order(3)])
      await writeOne(c, '1')
      await c.store.ledger.claimReady(c.scheme, 1)
      expect(await c.store.ledger.counts(c.scheme)).toMatchObject({
        waiting: 2,
        done: 1,
        error: 0,
        inFlight: 1,
        total: 3,
      })
    })

    it('reports no invariant violations for a healthy ledger and finds a done record without proof', async () => {
      await writeOne(c, '1')
      expect(await c.store.ledger.checkInvariants(c.scheme)).toEqual([])
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(2)])
      await c.store.db.updateTable('records').set({ status: 'done' }).where('record_id', '=', '2').execute()
      expect((await c.store.ledger.checkInvariants(c.scheme)).map((v) => v.rule).sort()).toEqual([
        'done_has_response',
        'done_has_target_id',
      ])
    })
  })
}
