/**
 * The engine's view of the modules it composes. The pipeline depends only on these ports, so the
 * store, the scheme compiler and the connectors can be swapped (or faked in tests) without
 * touching orchestration. The store implements its ports itself; `adapters/` holds the scheme compiler's.
 */
import type { ErrorKind, FerryError } from '../core/errors.js'
import type { QualitySummaryEntry } from '../quality/rules.js'
import type { SourceRuntime, TargetRuntime, ProbeResult, WriteOutcome } from '../connectors/contract.js'
import type { LedgerRecord } from '../store/index.js'
import type { SchemeRetry } from './retry.js'

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

/**
 * The ledger is the store's (`Ledger` implements {@link LedgerPort}): one vocabulary of records,
 * statuses, claims and pages for engine, store, CLI and service. Its clock is the engine's: the
 * host opens the store on the engine clock, and the engine passes `now` to upserts and claims.
 */
export type {
  GroupClaim,
  LedgerPort,
  LedgerRecord,
  RecordPage,
  RecordRef,
  RecordStatus,
  UpsertResult,
} from '../store/index.js'

/** One source record ready for the ledger (after condition and beatFlat). */
export interface SourceRecord {
  readonly id: string
  readonly number: string
  readonly content: Record<string, unknown>
  /** Header group of a grouped scheme's record (see {@link SchemeTarget.groupKey}). */
  readonly groupKey?: string
}

/** A failure as the engine reports it (ledger marks, run results). */
export interface RecordError {
  readonly code: string
  readonly kind: ErrorKind
  readonly message: string
  readonly location?: string
}

// ---------------------------------------------------------------------------------------------
// Closed windows, leases, pause state, runs

/**
 * The store's, like the ledger: its repositories implement these and `Store` is
 * {@link EnginePorts}, so the engine is handed the store itself.
 */
export type { CursorPort, EnginePorts, LeasePort, RunPort, SchemeStatePort } from '../store/index.js'

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

/** What planning reads of a record: a claimed ledger record, or a source record (preview, reconcile). */
export type PlannedRecord = Pick<LedgerRecord, 'id' | 'content'>

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
  plan(records: readonly PlannedRecord[]): WriteUnit[]
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
  /** The scheme's own `retry` as written (ladder in seconds, jitter); what it leaves out is the configuration's. */
  readonly retry?: SchemeRetry
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
