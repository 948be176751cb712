import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { hostIdentity, type Store } from '../../src/store/index.js'
import type { StoreFactory } from './harness.js'
import { freshStore, order } from './setup.js'

const LEASE = 'scheme:s:target'

/** A process id that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(r.stdout)
}

export function describeFencing(factory: StoreFactory): void {
  describe('fencing: writes carry the lease token', () => {
    const c = freshStore(factory)

    /** A holds the lease, pauses past its expiry, B takes it over; both handles are returned. */
    async function takenOver(): Promise<{
      a: ReturnType<Store['fenced']>
      b: ReturnType<Store['fenced']>
      other: Store
    }> {
      const other = await c.db.open({ now: c.clock.now })
      const la = await c.store.leases.acquire(LEASE, 'worker-a', 10_000)
      const a = c.store.fenced({ lease: LEASE, token: la!.token })
      c.clock.advance(10_001)
      const lb = await other.leases.acquire(LEASE, 'worker-b', 10_000)
      expect(lb?.token).toBe(la!.token + 1)
      return { a, b: other.fenced({ lease: LEASE, token: lb!.token }), other }
    }

    it('accepts claims, intents and outcomes while the token is current', async () => {
      const l = await c.store.leases.acquire(LEASE, 'worker-a', 10_000)
      const f = c.store.fenced({ lease: LEASE, token: l!.token })
      await f.ledger.upsertSourceRecords(c.scheme, [order(1)])
      const claim = await f.ledger.claimReady(c.scheme, 10)
      expect(claim.records.map((r) => r.id)).toEqual(['1'])
      const ref = { schemeId: c.scheme, recordId: '1' }
      await f.ledger.markUnknown(ref, {
        code: 'ERR_OUTCOME_UNKNOWN',
        message: 'intent',
        probeAt: new Date(c.clock.now()),
      })
      expect(await f.ledger.markWritten(ref, { targetId: 'T1', response: { ok: true }, businessKey: 'NO-1' })).toBe(
        true,
      )
      await f.windows.close(c.scheme, 'api', { start: new Date(0), end: new Date(1000) })
      expect((await c.store.ledger.getRecord(ref))?.status).toBe('done')
    })

    it('refuses a claim, a write intent, an outcome and a window close once a newer token exists', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      const { a, b } = await takenOver()
      const ref = { schemeId: c.scheme, recordId: '1' }
      const fenced = { code: 'ERR_STORE_LEASE_FENCED', kind: 'transient' }
      await expect(a.ledger.claimReady(c.scheme, 10)).rejects.toMatchObject(fenced)
      await expect(
        a.ledger.markUnknown(ref, { code: 'ERR_OUTCOME_UNKNOWN', message: 'intent', probeAt: new Date(c.clock.now()) }),
      ).rejects.toMatchObject(fenced)
      await expect(
        a.ledger.markWritten(ref, { targetId: 'T1', response: { ok: true }, businessKey: 'NO-1' }),
      ).rejects.toMatchObject(fenced)
      await expect(a.ledger.markDuplicate(ref, { targetId: 'T1', response: { ok: true } })).rejects.toMatchObject(
        fenced,
      )
      await expect(
        a.ledger.markFailed(ref, { kind: 'data', code: 'ERR_X', message: 'x', nextAttemptAt: null }),
      ).rejects.toMatchObject(fenced)
      await expect(a.ledger.claimGroups(c.scheme, 10)).rejects.toMatchObject(fenced)
      await expect(a.ledger.upsertSourceRecords(c.scheme, [order(3)])).rejects.toMatchObject(fenced)
      await expect(a.windows.close(c.scheme, 'api', { start: new Date(0), end: new Date(1000) })).rejects.toMatchObject(
        fenced,
      )
      // Nothing of A's landed; B, the current holder, works on.
      expect(await c.store.ledger.getRecord(ref)).toMatchObject({ status: 'waiting', attempts: 0 })
      expect(await c.store.windows.list(c.scheme, 'api')).toEqual([])
      expect((await b.ledger.claimReady(c.scheme, 10)).records.map((r) => r.id)).toEqual(['1', '2'])
    })

    it('refuses a stale holder even after the new holder released the lease (tokens never repeat)', async () => {
      const { a, other } = await takenOver()
      const current = await other.leases.holder(LEASE)
      await other.leases.release(current!)
      await expect(a.windows.close(c.scheme, 'api', { start: new Date(0), end: new Date(1000) })).rejects.toMatchObject(
        { code: 'ERR_STORE_LEASE_FENCED' },
      )
      const next = await c.store.leases.acquire(LEASE, 'worker-c', 10_000)
      expect(next?.token).toBe(3)
    })

    it('lets a new holder free the claims a fenced holder left behind', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      const la = await c.store.leases.acquire(LEASE, 'worker-a', 10_000)
      const a = c.store.fenced({ lease: LEASE, token: la!.token })
      expect((await a.ledger.claimReady(c.scheme, 10, { ttlMs: 60_000 })).records).toHaveLength(2)
      // A dies; B takes over (here: after expiry) and must not wait a minute for A's claims.
      c.clock.advance(10_001)
      const other = await c.db.open({ now: c.clock.now })
      const lb = await other.leases.acquire(LEASE, 'worker-b', 10_000)
      const b = other.fenced({ lease: LEASE, token: lb!.token })
      expect((await b.ledger.claimReady(c.scheme, 10)).records).toHaveLength(0)
      expect(await b.ledger.releaseClaims(c.scheme)).toBe(2)
      expect((await b.ledger.claimReady(c.scheme, 10)).records.map((r) => r.id)).toEqual(['1', '2'])
      await expect(a.ledger.releaseClaims(c.scheme)).rejects.toMatchObject({ code: 'ERR_STORE_LEASE_FENCED' })
    })

    it('lets exactly one of two racing holders write once the lease changed hands under them', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      const other = await c.db.open({ now: c.clock.now })
      const la = await c.store.leases.acquire(LEASE, 'worker-a', 10_000)
      const a = c.store.fenced({ lease: LEASE, token: la!.token })
      c.clock.advance(10_001)
      // The takeover and A's intent race; whichever order the database picks, A's intent lands
      // only if it committed before B's token existed, and then B sees it.
      const ref = { schemeId: c.scheme, recordId: '1' }
      const [intent, lb] = await Promise.allSettled([
        a.ledger.markUnknown(ref, { code: 'ERR_OUTCOME_UNKNOWN', message: 'intent', probeAt: new Date(c.clock.now()) }),
        other.leases.acquire(LEASE, 'worker-b', 10_000),
      ])
      expect(lb.status === 'fulfilled' && lb.value?.token).toBe(2)
      const rec = await c.store.ledger.getRecord(ref)
      if (intent.status === 'fulfilled') expect(rec?.status).toBe('unknown')
      else expect(rec?.status).toBe('waiting')
    })
  })

  describe('leases: a holder known to be gone', () => {
    const c = freshStore(factory)

    it('takes over at once a lease whose holder ran on this host and whose process is gone', async () => {
      const gone = await c.store.leases.acquire(LEASE, 'crashed', 60_000, { host: hostIdentity(), pid: deadPid() })
      const other = await c.db.open({ now: c.clock.now })
      const mine = await other.leases.acquire(LEASE, 'restarted', 60_000)
      expect(mine).toMatchObject({ holder: 'restarted', token: gone!.token + 1 })
      expect(mine?.tookOverFrom).toContain('crashed')
      // The gone holder's fenced writes are refused from now on.
      await expect(
        c.store
          .fenced({ lease: LEASE, token: gone!.token })
          .windows.close(c.scheme, 'api', { start: new Date(0), end: new Date(1) }),
      ).rejects.toMatchObject({ code: 'ERR_STORE_LEASE_FENCED' })
    })

    it('does not hand a held lease to its own holder again (a second run in one process would fence the first)', async () => {
      const first = await c.store.leases.acquire(LEASE, 'same-process', 60_000)
      expect(await c.store.leases.acquire(LEASE, 'same-process', 60_000)).toBeUndefined()
      expect((await c.store.leases.holder(LEASE))?.token).toBe(first!.token)
    })

    it('waits for a holder whose process still exists (e.g. stopped), and for one on another host', async () => {
      await c.store.leases.acquire('alive', 'paused', 60_000, { host: hostIdentity(), pid: process.ppid })
      await c.store.leases.acquire('elsewhere', 'remote', 60_000, { host: 'another-host/pid:[1]', pid: deadPid() })
      const other = await c.db.open({ now: c.clock.now })
      expect(await other.leases.acquire('alive', 'me', 60_000)).toBeUndefined()
      expect(await other.leases.acquire('elsewhere', 'me', 60_000)).toBeUndefined()
    })
  })
}
