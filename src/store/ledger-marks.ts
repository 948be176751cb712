/**
 * Recording write outcomes: what every mark shares (its write transaction, the record's current
 * row, its history event, the payload saved with it) and the marks that settle a record (written,
 * duplicate). The marks that leave it unsettled (write intent, failed attempt, parked write) are in
 * ledger-unsettled.ts; claims in ledger-claims.ts.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { StoreContext } from './context.js'
import { checkFence, inWriteTx, writeOnce, writeTxFencedByCaller } from './context.js'
import { sqliteHandle } from './dialect.js'
import { RecordNotFound, TargetIdTaken, WriteWithoutProof } from './errors.js'
import { insertEvent, otherOwner, settleRow, settleWhenClear, updatePayload, type HotTx } from './ledger-hot-sql.js'
import type { RecordRef } from './ledger-types.js'
import type { StoreDatabase } from './schema.js'

export interface WrittenProof {
  readonly targetId: string
  /** The target's response (redacted) proving the write. */
  readonly response: unknown
  readonly businessKey?: string
  /** The payload that was sent, when not saved before. */
  readonly payload?: Record<string, unknown>
}

export async function event(
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
export function markTx<T>(
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

export async function current(trx: Kysely<StoreDatabase>, ref: RecordRef) {
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

export async function savePayloadIn(
  db: Kysely<StoreDatabase>,
  now: number,
  ref: RecordRef,
  save: PayloadToSave,
): Promise<boolean> {
  return updatePayload(db, ref, now, JSON.stringify(save.payload), save.businessKey)
}
