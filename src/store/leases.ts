/**
 * Scheduler leases: a named lock with an expiry and a fencing token, held in the database so two
 * Ferry processes respect each other. Acquiring is one `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * statement, atomic on both dialects: it takes a free or expired lease and returns nothing while
 * it is held, by another holder or by the same one (a second run in the same process must not
 * take a new token under the first one's feet: that would fence the first run's writes).
 *
 * The token grows at every acquisition and never goes back (releasing a lease expires it and keeps
 * its row), so a write carrying an older token is refused by a fenced store handle
 * (`store.fenced`, see context.ts): a holder that was paused past its expiry cannot write after
 * another one took over.
 *
 * Each lease records the holder's host and process id. A holder on this host whose process is
 * gone (crashed, killed) is taken over at once instead of after its expiry; one that is merely
 * stopped (SIGSTOP) still exists and is waited for. Other hosts are always waited for.
 *
 * Times come from the store clock of each process, so hosts sharing a database need synchronised
 * clocks (NTP); the TTL should be much larger than the expected skew.
 */
import { readlinkSync } from 'node:fs'
import { hostname } from 'node:os'
import { sql } from 'kysely'
import type { StoreContext } from './context.js'
import { writeOnce } from './context.js'
import { StoreBadInput } from './errors.js'

export type { Fence } from './context.js'

export interface Lease {
  readonly name: string
  readonly holder: string
  /** Grows by one at every acquisition, so a stale holder can be told apart (fencing). */
  readonly token: number
  readonly expiresAt: Date
  /** Set when this acquisition took the lease over from a holder on this host whose process was gone. */
  readonly tookOverFrom?: string
}

/** Where a holder runs: host identity and process id, recorded with the lease. */
export interface LeaseOwner {
  readonly host: string
  readonly pid: number
}

/**
 * This machine as leases see it: the host name plus the PID namespace, so two containers that
 * share a host name (but not process ids) never judge each other's processes.
 */
export function hostIdentity(): string {
  let ns = ''
  try {
    ns = readlinkSync('/proc/self/ns/pid')
  } catch {
    /* not Linux: the host name alone */
  }
  return ns === '' ? hostname() : `${hostname()}/${ns}`
}

export function currentOwner(): LeaseOwner {
  return { host: hostIdentity(), pid: process.pid }
}

/** True unless the process is certainly gone (ESRCH). A process of another user (EPERM) exists. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: unknown }).code !== 'ESRCH'
  }
}

/** The engine's port to named leases with fencing tokens (engine-ports.ts). */
export interface LeasePort {
  /** Take the named lease for `ttlMs`; undefined when someone else holds an unexpired one. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>
  /** Extend a held lease; undefined when it was lost (expired and taken, or released). */
  renew(lease: Lease, ttlMs: number): Promise<Lease | undefined>
  release(lease: Lease): Promise<void>
  /** Who holds the lease now, if anyone. */
  holder(name: string): Promise<Lease | undefined>
}

export class LeaseRepo implements LeasePort {
  constructor(
    private readonly ctx: StoreContext,
    private readonly owner: LeaseOwner = currentOwner(),
    private readonly alive: (pid: number) => boolean = processAlive,
  ) {}

  /**
   * Take the lease for `ttlMs`, or return undefined when another holder has it, has not expired
   * and is not known to be gone. `owner` is this process unless a test says otherwise.
   */
  async acquire(
    name: string,
    holder: string,
    ttlMs: number,
    owner: LeaseOwner = this.owner,
  ): Promise<Lease | undefined> {
    checkTtl(ttlMs)
    const now = this.ctx.now()
    const expires = now + ttlMs
    const row = await writeOnce(this.ctx, (db) =>
      db
        .insertInto('leases')
        .values({ name, holder, token: 1, expires_at: expires, host: owner.host, pid: owner.pid })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({
              holder,
              token: sql<number>`leases.token + 1`,
              expires_at: expires,
              host: owner.host,
              pid: owner.pid,
            })
            .where('leases.expires_at', '<=', now),
        )
        .returning(['token', 'expires_at'])
        .executeTakeFirst(),
    )
    if (row !== undefined) return { name, holder, token: Number(row.token), expiresAt: new Date(row.expires_at) }
    return this.takeOverGone(name, holder, ttlMs, owner)
  }

  /** The holder runs on this host and its process no longer exists: take exactly that generation over. */
  private async takeOverGone(
    name: string,
    holder: string,
    ttlMs: number,
    owner: LeaseOwner,
  ): Promise<Lease | undefined> {
    const cur = await this.ctx.db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst()
    if (cur === undefined || cur.host !== owner.host || cur.pid === null) return undefined
    const pid = Number(cur.pid)
    if (pid === owner.pid || this.alive(pid)) return undefined
    const now = this.ctx.now()
    const token = Number(cur.token)
    const res = await writeOnce(this.ctx, (db) =>
      db
        .updateTable('leases')
        .set({ holder, token: token + 1, expires_at: now + ttlMs, host: owner.host, pid: owner.pid })
        .where('name', '=', name)
        .where('token', '=', token)
        .executeTakeFirst(),
    )
    if (Number(res.numUpdatedRows) !== 1) return undefined
    return {
      name,
      holder,
      token: token + 1,
      expiresAt: new Date(now + ttlMs),
      tookOverFrom: `${cur.holder} (process ${pid} is gone)`,
    }
  }

  /** Extend a held lease; undefined when it was lost (expired and taken, or released). */
  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs)
    const now = this.ctx.now()
    const res = await writeOnce(this.ctx, (db) =>
      db
        .updateTable('leases')
        .set({ expires_at: now + ttlMs })
        .where('name', '=', lease.name)
        .where('holder', '=', lease.holder)
        .where('token', '=', lease.token)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    )
    return Number(res.numUpdatedRows) === 1 ? { ...lease, expiresAt: new Date(now + ttlMs) } : undefined
  }

  /**
   * Give the lease up; a no-op when it is no longer ours. The row stays (expired) so the next
   * acquisition continues from this token: tokens never repeat, which fencing relies on.
   */
  async release(lease: Lease): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db
        .updateTable('leases')
        .set({ expires_at: 0 })
        .where('name', '=', lease.name)
        .where('holder', '=', lease.holder)
        .where('token', '=', lease.token)
        .execute(),
    )
  }

  /** Who holds the lease now, if anyone (expired leases read as free). */
  async holder(name: string): Promise<Lease | undefined> {
    const row = await this.ctx.db
      .selectFrom('leases')
      .selectAll()
      .where('name', '=', name)
      .where('expires_at', '>', this.ctx.now())
      .executeTakeFirst()
    return row === undefined
      ? undefined
      : { name, holder: row.holder, token: Number(row.token), expiresAt: new Date(row.expires_at) }
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1)
    throw StoreBadInput([`lease ttl must be a positive integer of milliseconds, got ${ttlMs}`])
}
