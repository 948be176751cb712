/**
 * Claiming ready records and recording write outcomes. A claim is an expiring mark (token +
 * `claimed_until`), not a status: a writer that dies leaves records that become claimable again
 * when the claim expires, and their status still says what is known about them.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { ErrorKind } from '../core/errors.js'
import type { StoreContext } from './context.js'
import { checkFence, inWriteTx, pageSize, toMs, writeOnce, writeTxFencedByCaller } from './context.js'
import { sqliteHandle } from './dialect.js'
import { ClaimLost, RecordNotFound, TargetIdTaken, WriteWithoutProof } from './errors.js'
import {
  insertEvent,
  otherOwner,
  settleRow,
  settleWhenClear,
  unsettleRow,
  unsettleWhenClear,
  updatePayload,
  type HotTx,
  type IntentClaim,
} from './ledger-hot-sql.js'
import { CLAIMABLE_STATUSES, SETTLED_STATUSES, toLedgerRecord } from './ledger-types.js'
import type { LedgerRecord, RecordRef, RecordStatus } from './ledger-types.js'
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

export interface WrittenProof {
  readonly targetId: string
  /** The target's response (redacted) proving the write. */
  readonly response: unknown
  readonly businessKey?: string
  /** The payload that was sent, when not saved before. */
  readonly payload?: Record<string, unknown>
}

export interface FailureInfo {
  readonly kind: ErrorKind
  readonly code: string
  readonly message: string
  /** When to try again (queued), or null to park the record in the failed-record queue (error). */
  readonly nextAttemptAt: Date | null
  readonly response?: unknown
  /**
   * The attempt did not count (the vendor throttled it: pacing, not failure): give back the
   * attempt the claim counted, so throttling never climbs the retry ladder.
   */
  readonly uncount?: boolean
}

/**
 * A write that landed though a step after it failed (an afterWrite hook): the target id and
 * response prove the write, `error` is what failed after it.
 */
export interface ParkedProof extends WrittenProof {
  readonly businessKey: string
  readonly payload: Record<string, unknown>
  readonly error: { readonly kind: ErrorKind; readonly code: string; readonly message: string }
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

async function event(
  tx: HotTx,
  ref: RecordRef,
  at: number,
  name: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await insertEvent(tx, ref, at, name, JSON.stringify(detail))
}

/**
 * The write transaction of one outcome mark. On SQLite a fenced mark checks its fence inside its
 * first statement (the transaction is serialised, so that is the same check as a separate read
 * first) and `fence` is what that statement must carry; the mark calls `checkFence` itself before
 * taking its step-by-step path. Elsewhere the fence is checked first as for every write.
 */
function markTx<T>(
  ctx: StoreContext,
  fn: (tx: HotTx, fence: StoreContext['fence']) => Promise<T>,
  durability: 'durable' | 'lazy',
): Promise<T> {
  const sqlite = sqliteHandle(ctx.db)
  if (sqlite === undefined || ctx.fence === undefined)
    return inWriteTx(ctx, (trx) => fn({ trx, sqlite }, undefined), durability)
  const fence = ctx.fence
  return writeTxFencedByCaller(ctx, (trx) => fn({ trx, sqlite }, fence), durability)
}

async function current(trx: Kysely<StoreDatabase>, ref: RecordRef) {
  const row = await trx
    .selectFrom('records')
    .select(['seq', 'status', 'target_id', 'claim_token'])
    .where('scheme_id', '=', ref.schemeId)
    .where('record_id', '=', ref.recordId)
    .executeTakeFirst()
  if (row === undefined) throw RecordNotFound([ref.schemeId, ref.recordId])
  return row
}

/**
 * The target accepted the record: status done with its target id and response. Always applied,
 * even after the claim expired, because forgetting a write is how duplicates are made.
 * Returns false when the record was already settled (nothing changes).
 */
export async function markWritten(ctx: StoreContext, ref: RecordRef, proof: WrittenProof): Promise<boolean> {
  if (proof.targetId === '' || proof.response === undefined || proof.response === null)
    throw WriteWithoutProof([ref.recordId])
  return settle(ctx, ref, 'done', proof.targetId, proof.response, proof)
}

/** The target already held the document (found by probe or an "already exists" answer). */
export async function markDuplicate(
  ctx: StoreContext,
  ref: RecordRef,
  info: { targetId?: string; response: unknown; message?: string },
  save?: PayloadToSave,
): Promise<boolean> {
  return settle(ctx, ref, 'duplicate', info.targetId ?? null, info.response, { message: info.message }, save)
}

async function settle(
  ctx: StoreContext,
  ref: RecordRef,
  status: 'done' | 'duplicate',
  targetId: string | null,
  response: unknown,
  extra: { businessKey?: string; payload?: Record<string, unknown>; message?: string },
  save?: PayloadToSave,
): Promise<boolean> {
  return markTx(
    ctx,
    async (tx, fence) => {
      const trx = tx.trx
      const now = ctx.now()
      // Records may share a target id only when they share a business key (the records of one
      // grouped document). SQLite write transactions are serialised already; on PostgreSQL a lock
      // per target id makes two processes settling the same id take turns, so the second one sees
      // the first one's record below.
      if (targetId !== null && ctx.caps.advisoryLocks) {
        await sql`select pg_advisory_xact_lock(hashtext(${`ferry:target:${ref.schemeId}:${targetId}`}))`.execute(trx)
      }
      const values = {
        status,
        targetId,
        response: JSON.stringify(response ?? null),
        now,
        ...(extra.businessKey === undefined ? {} : { businessKey: extra.businessKey }),
        ...(extra.payload === undefined ? {} : { payload: JSON.stringify(extra.payload) }),
      }
      const detail = { targetId, ...(extra.message === undefined ? {} : { message: extra.message }) }
      const eventName = status === 'done' ? 'written' : 'duplicate'
      // The usual case in one statement: not settled, the target id free, the fence held.
      if (save === undefined && (await settleWhenClear(tx, ref, values, fence))) {
        await event(tx, ref, now, eventName, detail)
        return true
      }
      // Otherwise step by step, to learn which of them failed (nothing was changed above).
      if (fence !== undefined) await checkFence(trx, ctx.caps.skipLocked, fence)
      // After the lock, so this row is never locked while waiting for it. Applied whatever the
      // status, as the separate savePayload call it replaces was.
      if (save !== undefined) await savePayloadIn(trx, now, ref, save)
      const row = await settleRow(trx, ref, values)
      if (row === undefined) {
        await current(trx, ref)
        return false
      }
      if (targetId !== null) {
        // Throwing rolls the update back: the record keeps its previous status.
        const owner = await otherOwner(trx, ref, targetId, row.seq, row.business_key)
        if (owner !== undefined) throw TargetIdTaken([targetId, ref.recordId, owner])
      }
      await event(tx, ref, now, eventName, detail)
      return true
      // Lazy: lost on power failure, the record is back to its durable write intent (unknown) and the
      // next run probes the target instead of writing.
    },
    'lazy',
  )
}

/** A failed attempt: queued for `nextAttemptAt`, or parked as `error` when it is null. Never downgrades a settled record. */
export async function markFailed(
  ctx: StoreContext,
  ref: RecordRef,
  f: FailureInfo,
  save?: PayloadToSave,
): Promise<boolean> {
  const next = f.nextAttemptAt === null ? null : toMs(f.nextAttemptAt, 'nextAttemptAt')
  return unsettled(ctx, ref, next === null ? 'error' : 'queued', next, f, f.uncount === true ? 'paced' : 'failed', save)
}

/**
 * The write landed but a step after it failed: park the record (`error`) keeping its target id
 * and response, so the engine never writes it again and a retry re-runs only what failed. The
 * payload and business key are saved in the same transaction. Never downgrades a settled record.
 */
export async function markWrittenParked(ctx: StoreContext, ref: RecordRef, proof: ParkedProof): Promise<boolean> {
  if (proof.targetId === '' || proof.response === undefined || proof.response === null)
    throw WriteWithoutProof([ref.recordId])
  const f = { ...proof.error, response: proof.response, targetId: proof.targetId }
  return unsettled(ctx, ref, 'error', null, f, 'failed', { payload: proof.payload, businessKey: proof.businessKey })
}

/** The claim a write intent is made under (see {@link markUnknown}). */
export interface IntentOf {
  /** The token of the claim that handed the record out (`Claim.token`). */
  readonly token: string
  /** The claim is renewed to this time, so nobody else claims (and probes) the record while the request is out. */
  readonly until: Date
}

/**
 * The write may have reached the target: keep it `unknown` until a probe at `probeAt` says what happened.
 *
 * `claim`: this is the write intent of that claim. It is recorded only while the record's claim
 * still carries the token, and keeps (renews) the claim until the outcome is marked; when another
 * writer claimed the record since, nothing changes and ERR_STORE_CLAIM_LOST is thrown: the caller
 * must not send, and leaves the record to that writer (a skip, not a failure).
 */
export async function markUnknown(
  ctx: StoreContext,
  ref: RecordRef,
  info: { code: string; message: string; probeAt: Date; response?: unknown; claim?: IntentOf },
  save?: PayloadToSave,
): Promise<boolean> {
  const { claim, ...rest } = info
  const intent = claim === undefined ? undefined : { token: claim.token, until: toMs(claim.until, 'claim.until') }
  return unsettled(
    ctx,
    ref,
    'unknown',
    toMs(info.probeAt, 'probeAt'),
    { kind: 'transient', ...rest },
    'unknown',
    save,
    intent,
  )
}

async function unsettled(
  ctx: StoreContext,
  ref: RecordRef,
  status: 'queued' | 'error' | 'unknown',
  next: number | null,
  f: { kind: ErrorKind; code: string; message: string; response?: unknown; uncount?: boolean; targetId?: string },
  eventName: string,
  save?: PayloadToSave,
  claim?: IntentClaim,
): Promise<boolean> {
  return markTx(
    ctx,
    async (tx, fence) => {
      const trx = tx.trx
      const now = ctx.now()
      // Once an attempt may have landed, a later retryable failure must not forget that: keep probing first.
      const values = {
        next,
        code: f.code,
        kind: f.kind,
        message: f.message,
        now,
        ...(f.response === undefined ? {} : { response: JSON.stringify(f.response) }),
        ...(f.uncount === true ? { uncount: true } : {}),
        ...(f.targetId === undefined ? {} : { targetId: f.targetId }),
      }
      const payload =
        save === undefined
          ? undefined
          : {
              payload: JSON.stringify(save.payload),
              ...(save.businessKey === undefined ? {} : { businessKey: save.businessKey }),
            }
      // The usual case in one statement (payload and status): not settled, the fence held.
      let set = await unsettleWhenClear(tx, ref, status, values, payload, fence, claim)
      if (set === undefined) {
        // Otherwise step by step, to learn why (nothing was changed above).
        if (fence !== undefined) await checkFence(trx, ctx.caps.skipLocked, fence)
        if (claim !== undefined) {
          // Before anything changes: a lost claim leaves the record exactly as its new claimer has it.
          const row = await current(trx, ref)
          // Settled since the claim: another writer wrote it (a claim's own intent comes first).
          if (SETTLED_STATUSES.includes(row.status as RecordStatus) || row.claim_token !== claim.token)
            throw ClaimLost([ref.recordId])
        }
        if (save !== undefined) await savePayloadIn(trx, now, ref, save)
        set = await unsettleRow(trx, ref, status, values, claim)
        if (set === undefined) {
          await current(trx, ref)
          return false
        }
      }
      await event(tx, ref, now, eventName, {
        status: set,
        code: f.code,
        kind: f.kind,
        message: f.message,
        ...(f.targetId === undefined ? {} : { targetId: f.targetId }),
      })
      return true
      // A write intent must be on disk before the request leaves; a failure mark may be lost (the
      // record falls back to its intent, or to waiting when nothing was sent).
    },
    status === 'unknown' ? 'durable' : 'lazy',
  )
}

/** Store the mapped payload (and business key) before writing; an edited payload is never overwritten. */
export async function savePayload(
  ctx: StoreContext,
  ref: RecordRef,
  payload: Record<string, unknown>,
  businessKey?: string,
): Promise<boolean> {
  return writeOnce(ctx, (db) =>
    savePayloadIn(db, ctx.now(), ref, { payload, ...(businessKey === undefined ? {} : { businessKey }) }),
  )
}

/**
 * The mapped payload to store together with an outcome, in the outcome's transaction: one commit
 * instead of two per record (each commit is a WAL sync on SQLite).
 */
export interface PayloadToSave {
  readonly payload: Record<string, unknown>
  readonly businessKey?: string
}

async function savePayloadIn(
  db: Kysely<StoreDatabase>,
  now: number,
  ref: RecordRef,
  save: PayloadToSave,
): Promise<boolean> {
  return updatePayload(db, ref, now, JSON.stringify(save.payload), save.businessKey)
}
