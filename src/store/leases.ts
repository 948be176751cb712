/**
 * Scheduler leases: a named lock with an expiry and a fencing token, held in the database so two
 * Ferry processes respect each other. Acquiring is one `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * statement, atomic on both dialects: it takes a free or expired lease, or re-takes one the same
 * holder already has, and returns nothing when someone else holds it.
 *
 * Times come from the store clock of each process, so hosts sharing a database need synchronised
 * clocks (NTP); the TTL should be much larger than the expected skew.
 */
import { sql } from 'kysely'
import type { StoreContext } from './context.js'
import { writeOnce } from './context.js'
import { StoreBadInput } from './errors.js'

export interface Lease {
  readonly name: string
  readonly holder: string
  /** Grows by one at every acquisition, so a stale holder can be told apart (fencing). */
  readonly token: number
  readonly expiresAt: Date
}

export class LeaseRepo {
  constructor(private readonly ctx: StoreContext) {}

  /** Take the lease for `ttlMs`, or return undefined when another holder has it and it has not expired. */
  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs)
    const now = this.ctx.now()
    const expires = now + ttlMs
    const row = await writeOnce(this.ctx, (db) => db.insertInto('leases')
      .values({ name, holder, token: 1, expires_at: expires })
      .onConflict((oc) => oc.column('name')
        .doUpdateSet({ holder, token: sql<number>`leases.token + 1`, expires_at: expires })
        .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.holder', '=', holder)])))
      .returning(['token', 'expires_at'])
      .executeTakeFirst())
    return row === undefined ? undefined : { name, holder, token: Number(row.token), expiresAt: new Date(row.expires_at) }
  }

  /** Extend a held lease; false when it was lost (expired and taken, or released). */
  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs)
    const now = this.ctx.now()
    const res = await writeOnce(this.ctx, (db) => db.updateTable('leases').set({ expires_at: now + ttlMs })
      .where('name', '=', lease.name).where('holder', '=', lease.holder).where('token', '=', lease.token)
      .where('expires_at', '>', now)
      .executeTakeFirst())
    return Number(res.numUpdatedRows) === 1 ? { ...lease, expiresAt: new Date(now + ttlMs) } : undefined
  }

  /** Give the lease up; a no-op when it is no longer ours. */
  async release(lease: Lease): Promise<void> {
    await writeOnce(this.ctx, (db) => db.deleteFrom('leases')
      .where('name', '=', lease.name).where('holder', '=', lease.holder).where('token', '=', lease.token).execute())
  }

  /** Who holds the lease now, if anyone (expired leases read as free). */
  async holder(name: string): Promise<Lease | undefined> {
    const row = await this.ctx.db.selectFrom('leases').selectAll().where('name', '=', name)
      .where('expires_at', '>', this.ctx.now()).executeTakeFirst()
    return row === undefined ? undefined : { name, holder: row.holder, token: Number(row.token), expiresAt: new Date(row.expires_at) }
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw StoreBadInput([`lease ttl must be a positive integer of milliseconds, got ${ttlMs}`])
}
