/**
 * What every store repository shares: the Kysely handle, the capabilities, the secret box and
 * the clock. Kept in one object so repositories stay small and testable with a fake clock.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { SecretBox } from './crypto.js'
import type { StoreCapabilities } from './dialect.js'
import { writeTransaction } from './dialect.js'
import type { CommitDurability } from './sqlite-group-commit.js'
import type { StoreDatabase } from './schema.js'
import { LeaseFenced, StoreBadInput } from './errors.js'

/** The lease a writer holds, by name and fencing token (see leases.ts). */
export interface Fence {
  readonly lease: string
  readonly token: number
}

export interface StoreContext {
  readonly db: Kysely<StoreDatabase>
  readonly caps: StoreCapabilities
  readonly box: SecretBox
  /** Epoch milliseconds; injectable so tests move time without waiting. */
  readonly now: () => number
  /**
   * Set on a fenced handle (`store.fenced`): every write transaction first checks, in the same
   * transaction, that the lease still carries this token, and is refused once a newer one exists.
   */
  readonly fence?: Fence
}

/** `durability`: `lazy` only for writes the engine recovers from when lost (see {@link CommitDurability}). */
export function inWriteTx<T>(
  ctx: StoreContext,
  fn: (trx: Kysely<StoreDatabase>) => Promise<T>,
  durability?: CommitDurability,
): Promise<T> {
  const fence = ctx.fence
  if (fence === undefined) return writeTransaction(ctx.db, ctx.caps, fn, durability)
  return writeTransaction(
    ctx.db,
    ctx.caps,
    async (trx) => {
      await checkFence(trx, ctx.caps.skipLocked, fence)
      return fn(trx)
    },
    durability,
  )
}

/**
 * A write transaction whose fencing the caller does itself (the ledger's outcome marks on SQLite:
 * their first statement carries the token condition, and they call {@link checkFence} before
 * anything else when it matched nothing). Only where write transactions are serialised.
 */
export function writeTxFencedByCaller<T>(
  ctx: StoreContext,
  fn: (trx: Kysely<StoreDatabase>) => Promise<T>,
  durability?: CommitDurability,
): Promise<T> {
  if (!ctx.caps.immediateWriteTransactions) return inWriteTx(ctx, fn, durability)
  return writeTransaction(ctx.db, ctx.caps, fn, durability)
}

/**
 * The fencing check, inside the write's own transaction. SQLite write transactions are serialised
 * (BEGIN IMMEDIATE), so nothing can take the lease between this read and the commit. On
 * PostgreSQL `FOR SHARE` locks the lease row until the commit: a takeover (an UPDATE of that row)
 * waits for this write, and every write after the takeover sees the new token.
 */
export async function checkFence(trx: Kysely<StoreDatabase>, rowLocks: boolean, fence: Fence): Promise<void> {
  const { rows } = await sql<{
    token: number | string
  }>`select token from leases where name = ${fence.lease}${rowLocks ? sql` for share` : sql``}`.execute(trx)
  const token = rows[0] === undefined ? undefined : Number(rows[0].token)
  if (token !== fence.token) {
    throw LeaseFenced([
      fence.lease,
      fence.token,
      token === undefined ? 'the lease no longer exists' : `the lease is at token ${token}`,
    ])
  }
}

/**
 * A write that is a single statement. PostgreSQL runs it as is; on SQLite it still goes through
 * the write-lock queue of {@link inWriteTx}, so it never waits inside SQLite's blocking busy handler.
 */
export function writeOnce<T>(
  ctx: StoreContext,
  fn: (db: Kysely<StoreDatabase>) => Promise<T>,
  durability?: CommitDurability,
): Promise<T> {
  return ctx.caps.immediateWriteTransactions || ctx.fence !== undefined ? inWriteTx(ctx, fn, durability) : fn(ctx.db)
}

/** Milliseconds from a Date or a number, rejecting NaN so a bad time never reaches SQL. */
export function toMs(t: Date | number, what: string): number {
  const ms = typeof t === 'number' ? t : t.getTime()
  if (!Number.isFinite(ms)) throw StoreBadInput([`${what} is not a valid time`])
  return Math.trunc(ms)
}

export function parseJson(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown)
}

/** Page size guard shared by every paged read. */
export function pageSize(limit: number | undefined, fallback = 100, max = 1000): number {
  const n = limit ?? fallback
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw StoreBadInput([`limit must be an integer from 1 to ${max}, got ${String(limit)}`])
  return n
}

/** Cursor text is the last seen sequence number; anything else is a user error, not a crash. */
export function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0
  if (!/^\d{1,15}$/.test(cursor))
    throw StoreBadInput([`cursor "${cursor.slice(0, 40)}" is not one this store returned`])
  return Number(cursor)
}
