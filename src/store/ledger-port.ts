/**
 * The ledger contract: what the engine, the CLI, the service and the proof tools ask of the
 * record ledger, in the store's own vocabulary (ledger-types.ts). The store's `Ledger` implements
 * it directly; there is no second set of record shapes and no adapter between engine and store.
 *
 * Every time the ledger stamps comes from the store clock, which the engine host sets to the
 * engine's clock, so upserts, claims and marks all share one notion of "now".
 */
import type { RecordPage, ListFilter, StatusCounts } from './ledger-admin.js'
import type { GroupClaim } from './ledger-groups.js'
import type { Claim, ClaimOptions } from './ledger-claims.js'
import type { PayloadToSave, WrittenProof } from './ledger-marks.js'
import type { FailureInfo, IntentOf, ParkedProof } from './ledger-unsettled.js'
import type { LedgerRecord, RecordRef, SourceRecordInput, UpsertResult } from './ledger-types.js'
import type { UpsertOptions } from './ledger-upsert.js'

/** Why a settled record is reopened; see {@link LedgerPort.reopen}. */
export interface ReopenRequest {
  /** Kept as the record's last error (kind `data`). */
  readonly code: string
  readonly message: string
  /** The history event that says who reopened it, e.g. `reopened_by_reconcile`. */
  readonly event: string
}

export interface LedgerPort {
  /** Insert or update source records; `idCheck` keeps written records and flags changed content. */
  upsertSourceRecords(
    schemeId: string,
    records: readonly SourceRecordInput[],
    opts?: UpsertOptions,
  ): Promise<UpsertResult>
  /**
   * Atomically claim up to `limit` due records (waiting, or queued/unknown whose next attempt has
   * come). Each returned record's `attempts` already counts this attempt, and its status is what is
   * known about it (`unknown` = probe before writing).
   */
  claimReady(schemeId: string, limit: number, opts?: ClaimOptions): Promise<Claim>
  /**
   * Grouped schemes: claim whole header groups (by the records' group keys). A group with a member
   * that is due later is held back; members due after their group's document was written come back
   * as `late` (claimed) for the engine to park.
   */
  claimGroups(schemeId: string, limit: number, opts?: ClaimOptions): Promise<GroupClaim>
  /** Free every live claim of the scheme (a new holder of the target lease); returns how many. */
  releaseClaims(schemeId: string): Promise<number>
  /** Grouped schemes: (re)compute the group key of unsettled records whose key is missing or has another prefix. */
  refreshGroupKeys(
    schemeId: string,
    prefix: string,
    keyOf: (content: Record<string, unknown>) => string,
  ): Promise<number>
  /** Our write landed (answer ok, or found by probe after an unknown outcome). */
  markWritten(ref: RecordRef, proof: WrittenProof): Promise<boolean>
  /** The target already held the document; `save` is stored in the same transaction. */
  markDuplicate(
    ref: RecordRef,
    info: { targetId?: string; response: unknown; message?: string },
    save?: PayloadToSave,
  ): Promise<boolean>
  /** Retried at `nextAttemptAt` (queued), or parked in the failed-record queue when it is null. */
  markFailed(ref: RecordRef, failure: FailureInfo, save?: PayloadToSave): Promise<boolean>
  /**
   * A write is about to be sent (intent) or its outcome is unknown: probe at `probeAt` before any retry.
   * `claim` (intent only): recorded only while the record is still claimed under that token, and the
   * claim is kept until `until`; throws ERR_STORE_CLAIM_LOST when another writer claimed it since.
   */
  markUnknown(
    ref: RecordRef,
    info: { code: string; message: string; probeAt: Date; response?: unknown; claim?: IntentOf },
    save?: PayloadToSave,
  ): Promise<boolean>
  /**
   * The write landed but a step after it (an afterWrite hook) failed: park the record (`error`)
   * keeping the target id and response as proof. A record with a target id is never written
   * again; retrying it re-runs only what failed.
   */
  markWrittenParked(ref: RecordRef, proof: ParkedProof): Promise<boolean>
  listRecords(schemeId: string, filter?: ListFilter): Promise<RecordPage>
  getRecord(ref: RecordRef): Promise<LedgerRecord | undefined>
  /** Make records due now; `allFailed` takes every unresolved `error` record. Settled ones are skipped. */
  requeue(
    schemeId: string,
    which: { ids: readonly string[] } | { allFailed: true },
  ): Promise<{ requeued: string[]; skipped: { id: string; reason: string }[] }>
  /**
   * A settled record (done or duplicate) whose document is proven gone from the target goes back
   * to `unknown` (probe by business key, then write), attempts restarted. False when the record
   * is no longer settled (it changed meanwhile). Only reconcile's repair calls it; the engine never does.
   */
  reopen(ref: RecordRef, why: ReopenRequest): Promise<boolean>
  editPayload(ref: RecordRef, payload: Record<string, unknown>): Promise<void>
  /** A person settled the record outside Ferry: never written by Ferry. */
  resolve(ref: RecordRef, note: string): Promise<void>
  counts(schemeId: string): Promise<StatusCounts>
}
