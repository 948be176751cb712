import { describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/index.js'
import type { StoreFactory } from './harness.js'
import { freshStore } from './setup.js'

/** A line of warehouse `wh`, grouped by warehouse: group key `g:<wh>`. */
const line = (id: string, wh: string) => ({ id, number: id, content: { line_id: id, wh }, groupKey: `g:${wh}` })

const PART_A = 'scheme:s:target:0/2'
const PART_B = 'scheme:s:target:1/2'
const WHOLE = 'scheme:s:target'
const lost = { code: 'ERR_STORE_CLAIM_LOST', kind: 'transient' }

export function describeClaims(factory: StoreFactory): void {
  describe('claims: a write intent is made under its claim (split target stage)', () => {
    const c = freshStore(factory)
    const ref = (recordId: string) => ({ schemeId: c.scheme, recordId })
    const ids = (records: readonly { id: string }[]) => records.map((r) => r.id).sort()

    /** A writer holding the lease `name` on its own store instance, as a worker process does. */
    async function writer(name: string, store?: Store): Promise<ReturnType<Store['fenced']>> {
      const s = store ?? (await c.db.open({ now: c.clock.now }))
      const lease = await s.leases.acquire(name, `holder-of-${name}`, 600_000)
      return s.fenced({ lease: name, token: lease!.token })
    }

    /** The write intent of one record of a claim, as the target stage records it. */
    const intent = (w: ReturnType<Store['fenced']>, id: string, token: string, ttlMs = 1_000) =>
      w.ledger.markUnknown(
        ref(id),
        {
          code: 'ERR_OUTCOME_UNKNOWN',
          message: 'write sent, outcome not recorded yet',
          probeAt: new Date(c.clock.now()),
          claim: { token, until: new Date(c.clock.now() + ttlMs) },
        },
        { payload: { key: id }, businessKey: `K-${id}` },
      )

    it('refuses the intent of a claim that expired mid-batch and was taken by another part; exactly one intent wins', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('a2', 'A'), line('b1', 'B')])
      const a = await writer(PART_A)
      const b = await writer(PART_B)
      const first = await a.ledger.claimGroups(c.scheme, 10, { ttlMs: 1_000 })
      expect(ids(first.records)).toEqual(['a1', 'a2', 'b1'])
      // Part A writes group B in time, then stalls past its claim on group A.
      expect(await intent(a, 'b1', first.token, 5_000)).toBe(true)
      c.clock.advance(1_001)
      const second = await b.ledger.claimGroups(c.scheme, 10, { ttlMs: 1_000 })
      expect(ids(second.records)).toEqual(['a1', 'a2'])
      // A resumes: its intents are refused, nothing of the record changes; B's intents are recorded.
      for (const id of ['a1', 'a2']) await expect(intent(a, id, first.token)).rejects.toMatchObject(lost)
      expect(await c.store.ledger.getRecord(ref('a1'))).toMatchObject({ status: 'waiting', claimToken: second.token })
      for (const id of ['a1', 'a2']) expect(await intent(b, id, second.token)).toBe(true)
      for (const id of ['a1', 'a2']) await expect(intent(a, id, first.token)).rejects.toMatchObject(lost)
      const a1 = await c.store.ledger.getRecord(ref('a1'))
      expect(a1).toMatchObject({ status: 'unknown', claimToken: second.token, payload: { key: 'a1' } })
      // The intent kept the claim of group B's writer: no one else is handed it while its request is out.
      expect((await b.ledger.claimGroups(c.scheme, 10)).records).toEqual([])
    })

    it('refuses the intent of a stalled writer whose record another writer has written meanwhile', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A')])
      const a = await writer(PART_A)
      const b = await writer(PART_B)
      const first = await a.ledger.claimGroups(c.scheme, 10, { ttlMs: 1_000 })
      c.clock.advance(1_001)
      const second = await b.ledger.claimGroups(c.scheme, 10, { ttlMs: 1_000 })
      expect(await intent(b, 'a1', second.token)).toBe(true)
      expect(
        await b.ledger.markWritten(ref('a1'), { targetId: 'T-1', response: { ok: true }, businessKey: 'K-a1' }),
      ).toBe(true)
      await expect(intent(a, 'a1', first.token)).rejects.toMatchObject(lost)
      expect(await c.store.ledger.getRecord(ref('a1'))).toMatchObject({ status: 'done', targetId: 'T-1' })
    })

    it('keeps the claim through the intent until its renewed end, then hands the record out to be probed', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A')])
      const a = await writer(PART_A)
      const b = await writer(PART_B)
      const first = await a.ledger.claimReady(c.scheme, 10, { ttlMs: 1_000 })
      c.clock.advance(900)
      expect(await intent(a, 'a1', first.token, 1_000)).toBe(true)
      c.clock.advance(500)
      expect((await b.ledger.claimReady(c.scheme, 10)).records).toEqual([])
      c.clock.advance(501)
      const later = await b.ledger.claimReady(c.scheme, 10)
      expect(later.records.map((r) => [r.id, r.status])).toEqual([['a1', 'unknown']])
    })

    it('accepts the intent of a claim that expired when no one claimed the record since', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A')])
      const a = await writer(PART_A)
      const first = await a.ledger.claimGroups(c.scheme, 10, { ttlMs: 1_000 })
      c.clock.advance(5_000)
      expect(await intent(a, 'a1', first.token)).toBe(true)
      expect(await c.store.ledger.getRecord(ref('a1'))).toMatchObject({ status: 'unknown', inFlight: true })
    })

    it('lets a whole-stage run free only the claims of its own lease, never those of a part', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('b1', 'B')])
      const part = await writer(PART_A)
      const partClaim = await part.ledger.claimGroups(c.scheme, 1)
      expect(ids(partClaim.records)).toEqual(['a1'])
      const whole = await writer(WHOLE)
      expect(await whole.ledger.releaseClaims(c.scheme)).toBe(0)
      expect(ids((await whole.ledger.claimGroups(c.scheme, 10)).records)).toEqual(['b1'])
      expect(await intent(part, 'a1', partClaim.token)).toBe(true)
    })

    it('lets a new holder of a part lease free the claims its predecessor left, and fences the predecessor', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [line('a1', 'A'), line('b1', 'B')])
      const other = await writer(PART_B)
      const otherClaim = await other.ledger.claimGroups(c.scheme, 1)
      const store = await c.db.open({ now: c.clock.now })
      const l = await store.leases.acquire(PART_A, 'a-old', 1_000)
      const old = store.fenced({ lease: PART_A, token: l!.token })
      const oldClaim = await old.ledger.claimGroups(c.scheme, 10, { ttlMs: 600_000 })
      expect(ids(oldClaim.records)).toEqual(['b1'])
      c.clock.advance(1_001)
      const next = await writer(PART_A)
      expect(await next.ledger.releaseClaims(c.scheme)).toBe(1)
      const nextClaim = await next.ledger.claimGroups(c.scheme, 10)
      expect(ids(nextClaim.records)).toEqual(['b1'])
      await expect(intent(old, 'b1', oldClaim.token)).rejects.toMatchObject({ code: 'ERR_STORE_LEASE_FENCED' })
      expect(await intent(other, 'a1', otherClaim.token)).toBe(true)
    })
  })
}
