/**
 * The engine's view of the modules it composes. The pipeline depends only on these ports, so the
 * store, the scheme compiler and the connectors can be swapped (or faked in tests) without
 * touching orchestration. Adapters from the real modules live in `adapters/`.
 */
import type { ErrorKind, FerryError } from '../core/errors.js'
import type { QualitySummaryEntry } from '../quality/rules.js'
import type { SourceRuntime, TargetRuntime, TimeWindow, ProbeResult, WriteOutcome } from '../connectors/contract.js'

/** Injectable clock: every "now" in the engine comes from here. */
export interface Clock {
  now(): Date
  /** Wait (tests: move a virtual clock). Absent: a real timer. Used to wait for throttled records. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = { now: () => new Date() }

/** Structured logger (pino-compatible subset). Never pass secrets; the engine redacts what it logs. */
export interface EngineLogger {
  debug(obj: Record<string, unknown>, msg?: string): void
  info(obj: Record<string, unknown>, msg?: string): void
  warn(obj: Record<string, unknown>, msg?: string): void
  error(obj: Record<string, unknown>, msg?: string): void
}

export const silentLogger: EngineLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

// ---------------------------------------------------------------------------------------------
// Ledger

/** Ledger statuses, as on the platform (waiting, queued, done, duplicate, error) plus `unknown`. */
export type RecordStatus = 'waiting' | 'queued' | 'done' | 'duplicate' | 'error' | 'unknown'

/** One source record ready for the ledger (after condition and beatFlat). */
export interface SourceRecord {
  readonly id: string
  readonly number: string
  readonly content: Record<string, unknown>
  /** Header group of a grouped scheme's record (see {@link SchemeTarget.groupKey}). */
  readonly groupKey?: string
}

export interface UpsertResult {
  /** New ids, now waiting. */
  readonly inserted: number
  /** Ids already known with identical content. */
  readonly unchanged: number
  /** Ids not yet written whose content changed: content replaced, still waiting. */
  readonly updated: number
  /** Ids already written (idCheck) whose content changed: kept and flagged, never rewritten. */
  readonly changedAfterSync: number
  /** Records the ledger refused (no usable id); they are logged and counted, never silently lost. */
  readonly rejected?: readonly { readonly id: string; readonly message: string }[]
}

export interface RecordError {
  readonly code: string
  readonly kind: ErrorKind
  readonly message: string
  readonly location?: string
}

export interface LedgerRecord {
  readonly schemeId: string
  readonly id: string
  readonly number: string
  readonly content: Record<string, unknown>
  readonly status: RecordStatus
  readonly attempts: number
  readonly payload?: Record<string, unknown>
  /** Set by a person with `ferry edit`: write this payload instead of re-mapping. */
  readonly payloadEdited?: boolean
  readonly targetId?: string
  readonly response?: unknown
  readonly businessKey?: string
  readonly nextAttemptAt?: Date
  readonly lastError?: RecordError
  readonly changedAfterSync?: boolean
  /** A person settled the record outside Ferry (`ferry resolve`); it is never written or requeued. */
  readonly resolvedAt?: Date
  readonly resolvedNote?: string
  readonly createdAt?: Date
  readonly updatedAt?: Date
  /** The token of the claim that handed the record out (claimReady / claimGroups), for its write intent. */
  readonly claimToken?: string
}

export interface GroupClaim {
  readonly records: LedgerRecord[]
  readonly late: readonly {
    readonly record: LedgerRecord
    readonly writtenAs: { readonly businessKey?: string; readonly targetId?: string; readonly recordId: string }
  }[]
}

export interface RecordPage {
  readonly records: LedgerRecord[]
  /** Pass back as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string
}

export interface RecordQuery {
  readonly status?: RecordStatus
  readonly search?: string
  readonly limit?: number
  readonly cursor?: string
}

export interface LedgerPort {
  /** Insert or update source records; `idCheck` keeps done records and flags changed content. */
  upsertSourceRecords(
    schemeId: string,
    records: readonly SourceRecord[],
    opts: { idCheck: boolean; now: Date },
  ): Promise<UpsertResult>
  /**
   * Atomically claim up to `limit` due records (waiting, or queued/unknown whose next attempt has
   * come) for `ttlMs`. Each returned record's `attempts` already counts this attempt, and its
   * status is what is known about it (`unknown` = probe before writing).
   */
  claimReady(schemeId: string, opts: { limit: number; now: Date; ttlMs: number }): Promise<LedgerRecord[]>
  /**
   * Grouped schemes: claim whole header groups (by the records' group keys). A group with a member
   * that is due later is held back; members due after their group's document was written come back
   * as `late` (claimed) for the engine to park. Ledgers without it fall back to `claimReady`.
   */
  claimGroups?(schemeId: string, opts: { limit: number; now: Date; ttlMs: number }): Promise<GroupClaim>
  /**
   * Free every live claim of the scheme: called by a new holder of the target lease, whose
   * predecessors' claims are void (their writes are fenced). Returns how many were freed.
   */
  releaseClaims?(schemeId: string): Promise<number>
  /** Grouped schemes: (re)compute the group key of unsettled records whose key is missing or has another prefix. */
  refreshGroupKeys?(
    schemeId: string,
    prefix: string,
    keyOf: (content: Record<string, unknown>) => string,
  ): Promise<number>
  /** Our write landed (answer ok, or found by probe after an unknown outcome). */
  markWritten(
    schemeId: string,
    id: string,
    r: { payload: Record<string, unknown>; businessKey: string; targetId: string; response: unknown },
  ): Promise<void>
  /** The target already held the document (an "already exists" answer). */
  markDuplicate(
    schemeId: string,
    id: string,
    r: {
      payload: Record<string, unknown>
      businessKey: string
      targetId?: string
      response: unknown
      message?: string
    },
  ): Promise<void>
  /**
   * A write is about to be sent (intent) or its outcome is unknown: probe at `probeAt` before any retry.
   * `claim` (intent only): recorded only while the record is still claimed under that token, and the
   * claim is kept until `until`; throws ERR_STORE_CLAIM_LOST when another writer claimed it since.
   */
  markUnknown(
    schemeId: string,
    id: string,
    r: {
      payload: Record<string, unknown>
      businessKey: string
      error: RecordError
      probeAt: Date
      claim?: { readonly token: string; readonly until: Date }
    },
  ): Promise<void>
  /**
   * The attempt failed: retried at `nextAttemptAt` (queued), or parked in the failed-record queue
   * when absent. `uncount`: the attempt does not count (throttled: pacing, not failure).
   */
  markFailed(
    schemeId: string,
    id: string,
    r: { error: RecordError; payload?: Record<string, unknown>; nextAttemptAt?: Date; uncount?: boolean },
  ): Promise<void>
  /**
   * The write landed but a step after it (an afterWrite hook) failed: park the record (`error`)
   * keeping the target id and response as proof. A record with a target id is never written again;
   * retrying it re-runs only what failed. Ledgers without it mark the record written.
   */
  markWrittenParked?(
    schemeId: string,
    id: string,
    r: {
      payload: Record<string, unknown>
      businessKey: string
      targetId: string
      response: unknown
      error: RecordError
    },
  ): Promise<void>
  listRecords(schemeId: string, q: RecordQuery): Promise<RecordPage>
  getRecord(schemeId: string, id: string): Promise<LedgerRecord | undefined>
  /** Make failed records due now. `ids` absent = every record in `error`. Returns the requeued ids. */
  requeue(schemeId: string, ids: readonly string[] | undefined): Promise<string[]>
  editPayload(schemeId: string, id: string, payload: Record<string, unknown>): Promise<void>
  /** A person settled the record outside Ferry: never written by Ferry. */
  resolve(schemeId: string, id: string, note: string): Promise<void>
  countByStatus(schemeId: string): Promise<Partial<Record<RecordStatus, number>>>
}

// ---------------------------------------------------------------------------------------------
// Cursor (closed-window interval sets)

export interface CursorPort {
  /**
   * LAST_SYNC_TIME: end of the contiguous closed run from `start` (or, without a start, from the
   * earliest closed window); undefined when there is neither.
   */
  lastSyncTime(schemeId: string, api: string, start?: Date): Promise<Date | undefined>
  /** Record a window as fully fetched and stored. */
  closeWindow(schemeId: string, api: string, window: TimeWindow): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Leases, pause state, runs

export interface LeasePort {
  /** Take the named lease for `ttlMs`; false when someone else holds an unexpired one. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>
  renew(name: string, holder: string, ttlMs: number): Promise<boolean>
  release(name: string, holder: string): Promise<void>
  holder(name: string): Promise<string | undefined>
}

export interface SchemeStatePort {
  pausedReason(schemeId: string): Promise<string | undefined>
  pause(schemeId: string, reason: string): Promise<void>
  resume(schemeId: string): Promise<void>
}

export type Stage = 'source' | 'target' | 'remedy'

export interface RunCounters {
  windows: number
  pages: number
  fetched: number
  kept: number
  inserted: number
  unchanged: number
  updated: number
  changedAfterSync: number
  rejected: number
  /** Rows an explicit --from/--to range read (window overlap) but did not admit: outside the range. */
  outOfRange: number
  written: number
  alreadyExisted: number
  probed: number
  failed: number
  retrying: number
  unknown: number
  /** Records requeued after a throttle answer (pacing: the attempt was not counted). */
  paced: number
}

export function emptyCounters(): RunCounters {
  return {
    windows: 0,
    pages: 0,
    fetched: 0,
    kept: 0,
    inserted: 0,
    unchanged: 0,
    updated: 0,
    changedAfterSync: 0,
    rejected: 0,
    outOfRange: 0,
    written: 0,
    alreadyExisted: 0,
    probed: 0,
    failed: 0,
    retrying: 0,
    unknown: 0,
    paced: 0,
  }
}

export interface RunPort {
  start(schemeId: string, stage: Stage, params?: Record<string, unknown>): Promise<string>
  /** `budget`: the run's own vendor calls and throttled answers (kept as run counters under stage `budget`). */
  finish(
    runId: string,
    r: {
      status: 'ok' | 'failed' | 'skipped'
      stage: Stage
      counters: RunCounters
      error?: RecordError
      quality?: readonly QualitySummaryEntry[]
      budget?: BudgetUsage
    },
  ): Promise<void>
}

/** Everything the engine needs from the store. */
export interface EnginePorts {
  readonly ledger: LedgerPort
  readonly cursor: CursorPort
  readonly leases: LeasePort
  readonly schemeState: SchemeStatePort
  readonly runs: RunPort
  /**
   * The same ports with every ledger and cursor write fenced by the lease `name` this process
   * holds (acquired through `leases`): the store refuses them once another holder has a newer
   * token. `beforeWrite` runs before each write intent (the last store write before a request
   * leaves) and throws to stop it. Undefined when the lease is not held here; ports without
   * fencing (in-memory test ports) leave it out.
   */
  fenced?(name: string, beforeWrite: () => void): EnginePorts | undefined
}

// ---------------------------------------------------------------------------------------------
// Compiled scheme

/** A `_findCollection` that found nothing: enough to name the missing key to a person. */
export interface UnresolvedLookup {
  readonly collection: string
  readonly field: string
  readonly where: Readonly<Record<string, unknown>>
  /** Target path that needed it, e.g. `material_entity[0].material_id`. */
  readonly path?: string
}

export interface MappedDocument {
  readonly payload: Record<string, unknown>
  readonly unresolved: readonly UnresolvedLookup[]
}

/** Variables bound into request templates for one window or one remedy run. */
export interface RequestVars {
  readonly lastSyncTime: Date
  readonly currentTime: Date
  readonly now: Date
}

export interface SchemeSource {
  readonly connection: string
  readonly api: string
  readonly idCheck: boolean
  /** Render `request` + `otherRequest` with the window bound into LAST_SYNC_TIME / CURRENT_TIME. */
  renderRequest(vars: RequestVars): Promise<Record<string, unknown>>
  /** Render with `omissionRemedy.takeOverRequest` overriding the named fields. */
  renderRemedyRequest?(vars: RequestVars): Promise<Record<string, unknown>>
  readonly remedyCrontab?: string
  /** Apply `condition` and `beatFlat` to one page of raw documents; give each record its id and number. */
  toRecords(docs: readonly Record<string, unknown>[]): SourceRecord[] | Promise<SourceRecord[]>
}

/** One target write: one record (operation none) or a group of records (groupCalculate). */
export interface WriteUnit {
  readonly recordIds: readonly string[]
  /** The document the target mapping reads (the record content, or the grouped document). */
  readonly input: Record<string, unknown>
  /**
   * Part number when groupCalculate's bodyMaxLine split one group into several documents. Part
   * n >= 2 is written under the business key `<key>-<n>`, so each part is its own document.
   */
  readonly part?: number
}

export interface QualityRules {
  /** Payload paths that must be non-empty; `[]` walks arrays (`material_entity[].material_id`). */
  readonly required: readonly string[]
  /** Payload paths whose value must be a number > 0. */
  readonly positive: readonly string[]
}

/** A run's checks of the scheme's `target.quality` rules (src/quality): the first failure parks the record. */
export interface QualityChecks {
  check(payload: Record<string, unknown>, recordIds: readonly string[]): Promise<FerryError | undefined>
  /** Per failing rule: label, code, path, count and first examples. */
  summary(): QualitySummaryEntry[]
}

export interface SchemeTarget {
  readonly connection: string
  readonly api: string
  /** Payload field holding the business key (the target api's `businessKey` declaration). */
  readonly businessKeyField: string
  readonly quality: QualityRules
  /** The scheme's own data-quality rules (`target.quality`), fresh per run (unique-within-a-run state). */
  readonly qualityRun?: () => QualityChecks
  /**
   * Set when `plan` merges records into grouped documents (groupCalculate): the header group of a
   * record's content, `<prefix><values>`. The target stage then claims whole groups, so no header
   * group is split across batches. The prefix fingerprints the `headerGroup` spec, so keys stored
   * under an older spec are recomputed.
   */
  readonly groupKey?: { readonly prefix: string; of(content: Record<string, unknown>): string }
  /** Turn claimed records into write units (identity for `operation: none`, groups for groupCalculate). */
  plan(records: readonly LedgerRecord[]): WriteUnit[]
  /** Map one unit with the target metadata; unresolved lookups are returned, not thrown. */
  map(unit: WriteUnit, now: Date): Promise<MappedDocument>
  /** `operation: batchArraySave`: up to `rows` units per call, their payloads in an array under `rowsKey`. */
  readonly batch?: { readonly rows: number; readonly rowsKey: string }
  /**
   * Custom processors' afterWrite: may change the target's answer before it is recorded; never
   * throws. A hook that failed comes back as `hookError` on the answer it was given.
   */
  afterWrite?(w: AfterWriteInput): Promise<AfterWriteOutcome>
}

/** The answer after the afterWrite hooks; `hookError`: a hook threw or overran (the record is parked). */
export type AfterWriteOutcome = WriteOutcome & { readonly hookError?: RecordError }

export interface AfterWriteInput {
  readonly recordIds: readonly string[]
  readonly payload: Record<string, unknown>
  readonly key: string
  readonly outcome: WriteOutcome
}

export interface EngineScheme {
  readonly id: string
  readonly name: string
  readonly source: SchemeSource
  readonly target?: SchemeTarget
  readonly schedule: {
    readonly sourceCron?: string
    readonly targetCron?: string
    /** First LAST_SYNC_TIME when nothing is closed yet. */
    readonly start?: Date
    /** IANA zone the crontabs are read in (the scheme's `schedule.timezone`). */
    readonly timezone?: string
  }
  /** Per-scheme retry ladder in seconds (default: the platform's). */
  readonly retryLadder?: readonly number[]
  /** Human names for collections in messages, e.g. `erp-materials` → `ERP material`. */
  readonly collectionTitles?: Readonly<Record<string, string>>
}

/** Runtime connectors for a scheme's connections, opened by the host. */
export interface ConnectionResolver {
  source(connection: string): Promise<SourceRuntime>
  target(connection: string): Promise<TargetRuntime>
  /** How many writes may be in flight for this connection's credential. */
  inFlight(connection: string): number
  /**
   * Running totals of the credential budgets behind these connections, by budget key (a key
   * shared by two connections appears once). A run diffs two readings to record its own calls.
   */
  budgetUsage?(connections: readonly string[]): ReadonlyMap<string, BudgetUsage>
}

/** Vendor calls made and throttled answers received through one credential budget. */
export interface BudgetUsage {
  readonly calls: number
  readonly throttled: number
}

export type { ProbeResult }
