/**
 * The connector contract: what the engine may assume about every connector.
 *
 * A connector is a plain declaration (name, title, config spec with secret fields marked, the
 * APIs it offers) plus named hooks for what data cannot express (signing, token refresh, the
 * error catalogue). The engine only ever talks to the runtime objects returned by `open()`.
 *
 * Outcomes are classified, never thrown across the boundary for expected conditions: a source
 * page read throws a FerryError whose `kind` says what to do; a target write returns a
 * {@link WriteOutcome}. `unknown_outcome` means the request may have reached the target and
 * the engine must `probe()` before any retry: a blind re-write could create a duplicate.
 */
import type { ErrorKind } from '../core/errors.js'

/** One configuration field of a connector; drives validation and, later, the console form. */
export interface ConfigField {
  readonly type: 'string' | 'url' | 'secret' | 'number' | 'boolean'
  readonly title?: string
  readonly required?: boolean
  readonly default?: string | number | boolean
  readonly description?: string
}

export type ConfigSpec = Readonly<Record<string, ConfigField>>

/**
 * Payload checks a target api demands beyond the scheme's own `is_required` marks: the engine
 * parks a record that fails them (ERR_QUALITY_*) instead of sending a document the vendor would
 * refuse or, worse, book wrongly. Paths use `[]` to walk arrays (`entries[].qty`).
 */
export interface ApiRules {
  /** Payload paths that must be non-empty. */
  readonly required?: readonly string[]
  /** Payload paths whose value must be a number > 0. */
  readonly positive?: readonly string[]
}

/** An API the connector offers, as named in scheme metadata (`api`). */
export interface ApiDeclaration {
  readonly api: string
  readonly effect: 'QUERY' | 'EXECUTE'
  readonly title: string
  /**
   * The payload field holding the document's business key, used by `probe` and by the engine's
   * exactly-once checks. Required for EXECUTE apis (the registry refuses a declaration without).
   */
  readonly businessKey?: string
  /** The data-quality rules this api demands of every payload (EXECUTE apis). */
  readonly rules?: ApiRules
}

/** Where a connector keeps tokens between runs; the store implements it (encrypted at rest). */
export interface CredentialStore {
  get(connectionId: string, name: string): Promise<string | undefined>
  set(connectionId: string, name: string, value: string, expiresAt?: Date): Promise<void>
  delete(connectionId: string, name: string): Promise<void>
}

/** A credential-wide call budget (per second, per minute, in flight). See budget.ts. */
export interface RateBudget {
  /** Wait for a slot; resolves with a release function to call when the response has arrived. */
  acquire(signal?: AbortSignal): Promise<() => void>
  /**
   * Tell the budget the vendor throttled us: it learns a lower cap, slows down briefly and holds
   * callers until the window has room (at most `waitMs`; exactly `waitMs` with `hint.exact`).
   */
  penalise(waitMs: number, hint?: { readonly window?: 'second' | 'minute'; readonly exact?: boolean }): void
}

/**
 * What a connector reports about its own traffic, through {@link ConnectorContext.observer}. The
 * shared HTTP client reports calls and budget waits by itself when given the observer; a
 * connector reports a throttle where it tells its budget (`penalise`). The engine binds one
 * observer per connection to the connector's name and fans it out to its subscribers (metrics).
 */
export interface CallObserver {
  /**
   * One HTTP call: answered (`outcome` is the status class, `2xx`) or not (`outcome` is the Ferry
   * error code). `endpoint` is the URL path only, never the query (it may carry a signature).
   */
  call(endpoint: string, outcome: string): void
  /** The vendor throttled a call, and the connector penalised its budget for `waitMs`. */
  throttled(waitMs: number): void
  /** A call waited `ms` for a slot of its rate budget. */
  budgetWait(ms: number): void
}

/** A subscriber to every connector's calls (metrics): a {@link CallObserver} with the connector named. */
export interface ConnectorCallObserver {
  onCall(connector: string, endpoint: string, outcome: string): void
  onThrottled(connector: string): void
  /** Time a call waited for its rate budget, in seconds. */
  onBudgetWait(connector: string, seconds: number): void
}

/** The observer one connection of `connector` reports to: every subscriber hears each fact. */
export function callObserverFor(connector: string, subscribers: readonly ConnectorCallObserver[]): CallObserver {
  return {
    call: (endpoint, outcome) => subscribers.forEach((s) => s.onCall(connector, endpoint, outcome)),
    throttled: () => subscribers.forEach((s) => s.onThrottled(connector)),
    budgetWait: (ms) => subscribers.forEach((s) => s.onBudgetWait(connector, ms / 1000)),
  }
}

/** Everything a runtime connector gets from the engine. */
export interface ConnectorContext {
  readonly connectionId: string
  readonly config: Readonly<Record<string, unknown>>
  readonly credentials: CredentialStore
  /** The shared budget for this credential (one JST app_key, one JDY book). */
  readonly budget: RateBudget
  /**
   * The connection's in-flight limit (its budget's `inFlight`): connectors size their keep-alive
   * socket pools from it, so every call the budget lets through has a socket and latency is
   * hidden. Absent: the HTTP client's default.
   */
  readonly inFlight?: number
  readonly log: ConnectorLogger
  /** Where the connector reports its calls, budget waits and throttles (see {@link CallObserver}). */
  readonly observer?: CallObserver
  /** Injectable clock for tests. */
  readonly now?: () => Date
  /**
   * Injectable wait used for retry back-off (tests pass a virtual clock's sleep so back-off costs
   * no real time). Rejects when `signal` aborts. Default: a real timer.
   */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface ConnectorLogger {
  debug(obj: Record<string, unknown>, msg?: string): void
  info(obj: Record<string, unknown>, msg?: string): void
  warn(obj: Record<string, unknown>, msg?: string): void
}

/** A half-open time window [start, end) in absolute time. */
export interface TimeWindow {
  readonly start: Date
  readonly end: Date
}

export interface ReadRequest {
  readonly api: string
  readonly window?: TimeWindow
  /** Rendered request fields (the scheme's `request`/`otherRequest` after templates). */
  readonly params: Readonly<Record<string, unknown>>
  readonly signal?: AbortSignal
}

export interface Page<T = Record<string, unknown>> {
  readonly rows: readonly T[]
  readonly pageIndex: number
  /** Vendor-reported total rows for the query, when it reports one. */
  readonly totalRows?: number
  readonly hasNext: boolean
}

export interface SourceRuntime {
  /** Plan windows covering [from, to) for an api (max span, lag, overlap, adaptive split hints). */
  planWindows(api: string, from: Date, to: Date): TimeWindow[]
  /** Read one window (or one parameter set) page by page. Throws FerryError on failure. */
  read(req: ReadRequest): AsyncIterable<Page>
  /**
   * The time a row is windowed by (e.g. 聚水潭 `modified`), when the api has one. An explicit
   * `--from/--to` backfill uses it to admit only rows inside its range: windows re-read a margin
   * before `from` (overlap), and those rows are not the backfill's to write.
   */
  rowTime?(api: string, row: Readonly<Record<string, unknown>>): Date | undefined
}

export type OutcomeKind = 'ok' | 'already_exists' | 'rate_limited' | 'transient' | 'data' | 'config' | 'unknown_outcome'

export interface WriteOutcome {
  readonly kind: OutcomeKind
  /** Target document id when known (ok, already_exists after probe). */
  readonly targetId?: string
  /** Vendor response body (redacted) that proves the outcome. */
  readonly response?: unknown
  /** Stable Ferry error code and vendor code/message when not ok. */
  readonly code?: string
  readonly vendorCode?: string | number
  readonly message?: string
  /** For rate_limited: how long to wait before the next attempt. */
  readonly retryAfterMs?: number
}

export interface WriteRequest {
  readonly api: string
  readonly payload: Readonly<Record<string, unknown>>
  /** Business key (e.g. bill_no) derived deterministically from the source record. */
  readonly key: string
  readonly signal?: AbortSignal
  /**
   * Called right before the request that creates the document leaves (after any queueing for the
   * rate budget or a token); a throw stops it unsent. The engine checks its lease there (fencing).
   */
  readonly beforeSend?: () => void
}

export interface ProbeResult {
  readonly exists: boolean
  readonly targetId?: string
  /** The document as the target holds it (for verification and reconciliation). */
  readonly document?: Record<string, unknown>
}

/** Several documents in one call (`operation: batchArraySave`): the array goes under `rowsKey`. */
export interface BatchWriteRequest {
  readonly api: string
  readonly rowsKey: string
  readonly items: readonly { readonly payload: Readonly<Record<string, unknown>>; readonly key: string }[]
  readonly signal?: AbortSignal
}

export interface TargetRuntime {
  write(req: WriteRequest): Promise<WriteOutcome>
  /**
   * Optional: write several documents in one call; one outcome per item, in order, settled from
   * the batch answer. An item the answer does not account for is `unknown_outcome`; a call that
   * fails after it may have been sent makes every item `unknown_outcome`.
   */
  writeBatch?(req: BatchWriteRequest): Promise<WriteOutcome[]>
  /** Does a document with this business key exist in the target? Throws FerryError when unsure. */
  probe(api: string, key: string, signal?: AbortSignal): Promise<ProbeResult>
}

export interface ConnectorRuntime {
  readonly source?: SourceRuntime
  readonly target?: TargetRuntime
  /** Master-data readers and other named extras (e.g. `materials`, `stores`, `warehouses`). */
  readonly readers?: Readonly<Record<string, (params?: Record<string, unknown>) => AsyncIterable<Page>>>
  close(): Promise<void>
}

/** How a vendor error code maps to a kind; `keywords` disambiguate codes reused for many errors. */
export interface ErrorCatalogueEntry {
  readonly vendorCode: string | number
  readonly keywords?: readonly string[]
  readonly outcome: OutcomeKind
  readonly ferryKind: ErrorKind
  readonly meaning: string
  /** rate_limited: default wait. */
  readonly waitMs?: number
  /** The Ferry error code (ERR_...) raised for this vendor answer, when the connector declares one. */
  readonly code?: string
  /**
   * What the connector does before giving up, for the docs table, e.g. `refresh_token` (renew
   * the token and retry once). Connectors narrow it to their own set of actions.
   */
  readonly action?: string
}

export interface ConnectorDefinition {
  readonly name: string
  readonly title: string
  /** Bump when the declaration changes shape. */
  readonly version: number
  readonly config: ConfigSpec
  readonly apis: readonly ApiDeclaration[]
  readonly errorCatalogue: readonly ErrorCatalogueEntry[]
  /** Default budget limits for one credential of this connector. */
  readonly budget: { readonly perSecond?: number; readonly perMinute?: number; readonly inFlight?: number }
  /**
   * The identity of the credential a connection uses (e.g. the JST app_key, the JDY book), so every
   * connection and scheme using one credential shares one {@link RateBudget}. Must not return a
   * secret. Default: the connection id.
   */
  budgetKey?(config: Readonly<Record<string, unknown>>): string
  open(ctx: ConnectorContext): Promise<ConnectorRuntime>
}

/** Identity helper that type-checks a declaration. */
export function defineConnector(def: ConnectorDefinition): ConnectorDefinition {
  return def
}
