/**
 * Shapes of the record ledger: one row per source record per scheme, keyed by the value of the
 * scheme metadata's `id` field.
 */
import type { ErrorKind } from '../core/errors.js'
import type { RecordTable } from './schema.js'

/**
 * - `waiting`: stored, not attempted yet (platform 0 等待中)
 * - `queued`: a transient or rate-limited failure scheduled for another attempt (platform 5 队列中)
 * - `done`: written; has a target id and the response proving it (platform 2 已完成)
 * - `duplicate`: the target already held the document (platform 1 重复的)
 * - `error`: parked in the failed-record queue until a person retries or resolves it (platform 3 错误的)
 * - `unknown`: the write may have landed; the engine must probe the target before any retry
 */
export const RECORD_STATUSES = ['waiting', 'queued', 'done', 'duplicate', 'error', 'unknown'] as const
export type RecordStatus = (typeof RECORD_STATUSES)[number]

/** Statuses whose record is in the target already; they are never written again. */
export const SETTLED_STATUSES: readonly RecordStatus[] = ['done', 'duplicate']
/** Statuses of records not in the target yet: the rest of RECORD_STATUSES. */
export const UNSETTLED_STATUSES: readonly RecordStatus[] = RECORD_STATUSES.filter((s) => !SETTLED_STATUSES.includes(s))
/** Statuses claimReady hands out when their next attempt time has come. */
export const CLAIMABLE_STATUSES: readonly RecordStatus[] = ['waiting', 'queued', 'unknown']

export interface SourceRecordInput {
  /** Value of the metadata `id` field (unique per scheme). */
  readonly id: string | number
  /** Value of the metadata `number` field, for display. */
  readonly number?: string | number | null
  readonly content: Readonly<Record<string, unknown>>
  /** groupCalculate header group of the record (grouped schemes only); see ledger-groups.ts. */
  readonly groupKey?: string | null
}

/**
 * What an upsert did to one record:
 * - `inserted`: new id
 * - `unchanged`: same content as stored (key order ignored)
 * - `updated_before_sync`: new content replaced the stored one before it reached the target
 * - `changed_after_sync`: the record is in the target (or may be), so the new content is kept beside
 *   the synced one and the record is flagged for a person; it is not written again
 * - `requeued_after_sync`: idCheck off: the new content replaced a synced one and waits to be written
 * - `rejected`: the input had no usable id or content; see `error`
 */
export type UpsertEffect =
  'inserted' | 'unchanged' | 'updated_before_sync' | 'changed_after_sync' | 'requeued_after_sync' | 'rejected'

export interface UpsertOutcome {
  readonly id: string
  readonly effect: UpsertEffect
  readonly error?: { readonly code: string; readonly message: string; readonly location?: string }
}

export interface UpsertResult {
  readonly outcomes: UpsertOutcome[]
  readonly counts: Readonly<Record<UpsertEffect, number>>
}

export interface RecordRef {
  readonly schemeId: string
  readonly recordId: string
}

export interface LedgerError {
  readonly code: string
  readonly kind: ErrorKind
  readonly message: string
}

export interface LedgerRecord {
  readonly seq: number
  readonly schemeId: string
  readonly id: string
  readonly number: string | null
  readonly content: Record<string, unknown>
  readonly contentHash: string
  /** A later version that arrived after the record was synced (see `changedAfterSync`). */
  readonly pendingContent: Record<string, unknown> | null
  readonly changedAfterSync: boolean
  /** The mapped target payload, once mapped (or as a person edited it). */
  readonly payload: Record<string, unknown> | null
  readonly payloadEdited: boolean
  readonly businessKey: string | null
  readonly targetId: string | null
  readonly response: unknown
  readonly status: RecordStatus
  readonly attempts: number
  readonly nextAttemptAt: Date | null
  /** True while a writer holds the record (claimed and its claim has not expired). */
  readonly inFlight: boolean
  readonly claimToken: string | null
  readonly lastError: LedgerError | null
  readonly resolvedAt: Date | null
  readonly resolvedNote: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly doneAt: Date | null
}

type Row = Omit<RecordTable, 'seq'> & { seq: number | string }

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(Number(ms)))
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T))

export function toLedgerRecord(r: Row, now: number): LedgerRecord {
  return {
    seq: Number(r.seq),
    schemeId: r.scheme_id,
    id: r.record_id,
    number: r.number,
    content: JSON.parse(r.content) as Record<string, unknown>,
    contentHash: r.content_hash,
    pendingContent: json<Record<string, unknown>>(r.pending_content),
    changedAfterSync: r.changed_after_sync === 1,
    payload: json<Record<string, unknown>>(r.payload),
    payloadEdited: r.payload_edited === 1,
    businessKey: r.business_key,
    targetId: r.target_id,
    response: r.response === null ? null : (JSON.parse(r.response) as unknown),
    status: r.status as RecordStatus,
    attempts: r.attempts,
    nextAttemptAt: date(r.next_attempt_at),
    inFlight: r.claimed_until !== null && Number(r.claimed_until) > now,
    claimToken: r.claim_token,
    lastError:
      r.error_code === null
        ? null
        : { code: r.error_code, kind: (r.error_kind ?? 'system') as ErrorKind, message: r.error_message ?? '' },
    resolvedAt: date(r.resolved_at),
    resolvedNote: r.resolved_note,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    doneAt: date(r.done_at),
  }
}
