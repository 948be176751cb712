/**
 * The marks that leave a record unsettled: a write intent (unknown outcome, probe before any
 * retry), a failed attempt (queued for later, or parked), and a write that landed but a step after
 * it failed (parked with its proof). None of them downgrades a settled record. The usual case is
 * one statement; when it matches nothing, the slow path finds out why step by step.
 */
import type { ErrorKind } from '../core/errors.js'
import type { StoreContext } from './context.js'
import { checkFence, toMs } from './context.js'
import { ClaimLost, WriteWithoutProof } from './errors.js'
import { unsettleRow, unsettleWhenClear, type IntentClaim } from './ledger-hot-sql.js'
import { current, event, markTx, savePayloadIn, type PayloadToSave, type WrittenProof } from './ledger-marks.js'
import { SETTLED_STATUSES } from './ledger-types.js'
import type { RecordRef, RecordStatus } from './ledger-types.js'

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
