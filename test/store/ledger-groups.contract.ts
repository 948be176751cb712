import { describe, expect, it } from 'vitest'
import type { StoreFactory } from './harness.js'
import { freshStore } from './setup.js'

/** A line of warehouse `wh`, grouped by warehouse: group key `g:<wh>`. */
const line = (id: string, wh: string) => ({ id, number: id, content: { line_id: id, wh }, groupKey: `g:${wh}` })

export function describeLedgerGroups(factory: StoreFactory): void {
  describe('record ledger: grouped claims (groupCalculate)', () => {
    const c = freshStore(factory)
    const ref = (recordId: string) => ({ schemeId: c.scheme, recordId })
    const ids = (records: readonly { id: string }[]) => records.map((r) => r.id).sort()

    it('hands out every due record of a header group together even when the group is larger than the limit', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [
        line('a1', 'A'),
        line('a2', 'A'),
        line('a3', 'A'),
        line('b1', 'B'),
      ])
      const first = await c.store.ledger.claimGroups(c.scheme, 2)
      expect(ids(first.records)).toEqual(['a1', 'a2', 'a3'])
      expect(first.late).toEqual([])
      const second = await c.store.ledger.claimGroups(c.scheme, 2)
      expect(ids(second.records)).toEqual(['b1'])
    })

    it('holds a group back while one of its records waits for a later retry, then hands it out whole', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A')])
      await c.store.ledger.claimGroups(c.scheme, 10)
      const later = new Date(c.clock.now() + 60_000)
      for (const id of ['a1', 'a2'])
        await c.store.ledger.markFailed(ref(id), {
          kind: 'transient',
          code: 'ERR_T',
          message: '503',
          nextAttemptAt: later,
        })
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a3', 'A'), line('b1', 'B')])
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 10)).records)).toEqual(['b1'])
      expect((await c.store.ledger.getRecord(ref('a3')))?.inFlight).toBe(false)
      c.clock.advance(60_000)
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 10)).records)).toEqual(['a1', 'a2', 'a3'])
    })

    it('does not let held groups starve the groups behind them', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A')])
      await c.store.ledger.claimGroups(c.scheme, 10)
      await c.store.ledger.markFailed(ref('a1'), {
        kind: 'transient',
        code: 'ERR_T',
        message: '503',
        nextAttemptAt: new Date(c.clock.now() + 60_000),
      })
      await c.store.ledger.upsertSourceRecords(c.scheme, [
        line('a2', 'A'),
        line('a3', 'A'),
        line('a4', 'A'),
        line('b1', 'B'),
      ])
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 2)).records)).toEqual(['b1'])
    })

    it('returns a record that joins a group after its document was written as late, naming the document', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A')])
      await c.store.ledger.claimGroups(c.scheme, 10)
      for (const id of ['a1', 'a2'])
        await c.store.ledger.markWritten(ref(id), { targetId: 'T-A', response: { ok: true }, businessKey: 'BILL-A' })
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a3', 'A')])
      const claim = await c.store.ledger.claimGroups(c.scheme, 10)
      expect(claim.records).toEqual([])
      expect(claim.late.map((l) => [l.record.id, l.writtenAs.businessKey, l.writtenAs.targetId])).toEqual([
        ['a3', 'BILL-A', 'T-A'],
      ])
      expect((await c.store.ledger.getRecord(ref('a3')))?.inFlight).toBe(true)
    })

    it('hands out an unknown-outcome member of a written group for probing, not as late', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A')])
      await c.store.ledger.claimGroups(c.scheme, 10)
      for (const id of ['a1', 'a2'])
        await c.store.ledger.markUnknown(ref(id), {
          code: 'ERR_U',
          message: 'intent',
          probeAt: new Date(c.clock.now()),
        })
      await c.store.ledger.markWritten(ref('a1'), { targetId: 'T-A', response: { ok: true }, businessKey: 'BILL-A' })
      const claim = await c.store.ledger.claimGroups(c.scheme, 10)
      expect(ids(claim.records)).toEqual(['a2'])
      expect(claim.late).toEqual([])
    })

    it('brings parked members along when another member of their group is retried', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A')])
      await c.store.ledger.claimGroups(c.scheme, 10)
      for (const id of ['a1', 'a2'])
        await c.store.ledger.markFailed(ref(id), { kind: 'data', code: 'ERR_D', message: 'bad', nextAttemptAt: null })
      expect((await c.store.ledger.claimGroups(c.scheme, 10)).records).toEqual([])
      await c.store.ledger.requeue(c.scheme, { ids: ['a2'] })
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 10)).records)).toEqual(['a1', 'a2'])
    })

    it('leaves resolved members out of their group', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A')])
      await c.store.ledger.claimGroups(c.scheme, 10)
      for (const id of ['a1', 'a2'])
        await c.store.ledger.markFailed(ref(id), { kind: 'data', code: 'ERR_D', message: 'bad', nextAttemptAt: null })
      await c.store.ledger.resolve(ref('a1'), 'entered by hand')
      await c.store.ledger.requeue(c.scheme, { ids: ['a2'] })
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 10)).records)).toEqual(['a2'])
    })

    it('claims records without a group key one by one, and gives unsettled ones a key on refresh', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [
        { id: 'x1', content: { wh: 'A' } },
        { id: 'x2', content: { wh: 'A' } },
        { id: 'x3', content: { wh: 'B' } },
      ])
      expect(await c.store.ledger.refreshGroupKeys(c.scheme, 'p1:', (content) => `p1:${String(content.wh)}`)).toBe(3)
      expect(await c.store.ledger.refreshGroupKeys(c.scheme, 'p1:', (content) => `p1:${String(content.wh)}`)).toBe(0)
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 1)).records)).toEqual(['x1', 'x2'])
      await c.store.ledger.upsertSourceRecords(c.scheme, [{ id: 'y1', content: { wh: 'C' } }])
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 1)).records)).toEqual(['x3'])
      expect(ids((await c.store.ledger.claimGroups(c.scheme, 1)).records)).toEqual(['y1'])
    })

    it('re-keys unsettled records when the header group spec changes and keeps settled ones', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A')])
      await c.store.ledger.markWritten(ref('a1'), { targetId: 'T-A', response: { ok: true }, businessKey: 'BILL-A' })
      expect(await c.store.ledger.refreshGroupKeys(c.scheme, 'v2:', (content) => `v2:${String(content.wh)}`)).toBe(1)
      const rows = await c.store.db
        .selectFrom('records')
        .select(['record_id', 'group_key'])
        .where('scheme_id', '=', c.scheme)
        .orderBy('record_id')
        .execute()
      expect(rows).toEqual([
        { record_id: 'a1', group_key: 'g:A' },
        { record_id: 'a2', group_key: 'v2:A' },
      ])
    })

    it('never hands one group to two claimers at once', async () => {
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 40 }, (_, i) => line(`r${i}`, `W${i % 5}`)),
      )
      const claims = await Promise.all([1, 2, 3, 4].map(() => c.store.ledger.claimGroups(c.scheme, 3)))
      const owner = new Map<string, number>()
      claims.forEach((claim, i) =>
        claim.records.forEach((r) => {
          const wh = String(r.content.wh)
          expect(owner.get(wh) ?? i).toBe(i)
          owner.set(wh, i)
        }),
      )
      expect(claims.flatMap((cl) => ids(cl.records)).length).toBe(new Set(claims.flatMap((cl) => ids(cl.records))).size)
    })
  })
}
