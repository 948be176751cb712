/**
 * Claiming ready records. A claim is an expiring mark (token + `claimed_until`), not a status: a
 * writer that dies leaves records that become claimable again when the claim expires, and their
 * status still says what is known about them. What is marked once a claimed record was tried is in
 * ledger-marks.ts (settled) and ledger-unsettled.ts (intent, failure, parked).
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { StoreContext } from './context.js'
import { pageSize, toMs, writeOnce } from './context.js'
import { CLAIMABLE_STATUSES, UNSETTLED_STATUSES, toLedgerRecord } from './ledger-types.js'
import type { LedgerRecord } from './ledger-types.js'
import type { StoreDatabase } from './schema.js'

export interface ClaimOptions {
  /** How long the claim holds before another writer may take the records (default 5 minutes). */
  readonly ttlMs?: number
  /** Defaults to the store clock. */
  readonly now?: Date
}

export interface Claim {
  readonly token: string
  /**
   * Claimed records, oldest due first. Each one's `attempts` already counts this attempt.
   * A record with status `unknown` must be probed in the target before it is written.
   */
  readonly records: LedgerRecord[]
}

/** Records of a scheme that may be claimed now: claimable status, not resolved, due, no live claim. */
export function dueRecords(db: Kysely<StoreDatabase>, schemeId: string, now: number) {
  return db
    .selectFrom('records')
    .where('scheme_id', '=', schemeId)
    .where('status', 'in', [...CLAIMABLE_STATUSES])
    .where('resolved_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
}

/**
 * A new claim's token. Claims made through a fenced handle carry the lease's name, so a new holder
 * of that lease frees exactly its predecessors' claims ({@link releaseClaims}) and not those of the
 * parts of a split target stage, which hold leases of their own.
 */
export function newClaimToken(ctx: StoreContext): string {
  return ctx.fence === undefined ? randomUUID() : `${ctx.fence.lease}#${randomUUID()}`
}

/** Take up to `limit` records that are due, atomically; concurrent claimers never get the same record. */
export async function claimReady(
  ctx: StoreContext,
  schemeId: string,
  limit: number,
  opts: ClaimOptions = {},
): Promise<Claim> {
  const n = pageSize(limit, 100, 5000)
  const now = opts.now === undefined ? ctx.now() : toMs(opts.now, 'now')
  const token = newClaimToken(ctx)
  const due = (db: Kysely<StoreDatabase>) =>
    dueRecords(db, schemeId, now)
      .select('seq')
      .orderBy('next_attempt_at')
      .orderBy('seq')
      .limit(n)
      .$if(ctx.caps.skipLocked, (qb) => qb.forUpdate().skipLocked())
  // One statement: on SQLite it is atomic by itself, on PostgreSQL SKIP LOCKED keeps two
  // claimers from waiting on, or taking, each other's rows. Lazy: a lost claim only frees the
  // records again, and nothing is sent before a durable write intent, which syncs the claim too.
  const rows = await writeOnce(
    ctx,
    (db) =>
      db
        .updateTable('records')
        .set({
          claim_token: token,
          claimed_until: now + (opts.ttlMs ?? 300_000),
          attempts: sql<number>`attempts + 1`,
          updated_at: now,
        })
        .where('seq', 'in', due(db))
        .returningAll()
        .execute(),
    'lazy',
  )
  const records = rows
    .map((r) => toLedgerRecord(r, now))
    .sort((a, b) => (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0) || a.seq - b.seq)
  return { token, records }
}

/**
 * Free the live claims of a scheme (see Ledger.releaseClaims); returns how many were freed. On a
 * fenced handle only the claims made under the same lease (its earlier holders') or under none,
 * so a hand-run whole stage never frees the claims of a split stage's parts, nor one part another's.
 */
export async function releaseClaims(ctx: StoreContext, schemeId: string): Promise<number> {
  const now = ctx.now()
  const prefix = ctx.fence === undefined ? undefined : `${ctx.fence.lease}#`
  const res = await writeOnce(ctx, (db) =>
    db
      .updateTable('records')
      .set({ claim_token: null, claimed_until: null })
      .where('scheme_id', '=', schemeId)
      // Only unsettled records hold claims (settling one ends its claim); naming their statuses
      // finds them through records_ready instead of every record the scheme stored.
      .where('status', 'in', UNSETTLED_STATUSES)
      .where('claimed_until', '>', now)
      // Claims made without a lease (unfenced, or stored before claims named theirs) are freed too.
      .$if(prefix !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('claim_token', 'not like', '%#%'),
            eb(sql`substr(claim_token, 1, ${prefix?.length ?? 0})`, '=', prefix ?? ''),
          ]),
        ),
      )
      .executeTakeFirst(),
  )
  return Number(res.numUpdatedRows)
}
