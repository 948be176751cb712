/** Shapes exchanged between the bench orchestrator and its two child processes. */

export interface Limits {
  readonly perSecond?: number
  readonly perMinute?: number
}

export interface SimStart {
  readonly seed: number
  readonly orders: number
  readonly days: number
  readonly startMs: number
  /** Omitted = unlimited. */
  readonly jst?: { readonly perSecond: number; readonly perMinute: number }
  readonly jdy?: { readonly perMinute: number }
  readonly latencyMs: number
  readonly logLimit: number
}

export interface SimInfo {
  readonly jst: {
    readonly url: string
    readonly appKey: string
    readonly appSecret: string
    readonly accessToken: string
    readonly refreshToken: string
  }
  readonly jdy: {
    readonly url: string
    readonly clientId: string
    readonly clientSecret: string
    readonly outerInstanceId: string
    readonly accountId: string
    readonly appKey: string
    readonly appSecret: string
    readonly domain: string
  }
  readonly orders: number
  readonly materials: number
  readonly stores: number
}

export interface EndpointStat {
  readonly total: number
  readonly throttled: number
  readonly accepted: number
}

export interface SimStats {
  readonly jst: Record<string, EndpointStat>
  readonly jdy: Record<string, EndpointStat>
  /** `METHOD path` → requests, from the JDY log (complete only when `jdyLogComplete`). */
  readonly jdyByMethod: Record<string, number>
  readonly jdyLogComplete: boolean
}

export interface BillLine {
  readonly material_id: string
  readonly unit_id: string
  readonly stock_id: string
  readonly qty: string
}

export interface ActualBill {
  readonly bill_no: string
  readonly bill_date: string
  readonly bill_status?: string
  readonly remark: string
  readonly material_entity: readonly BillLine[]
}

export interface Budget {
  readonly perSecond?: number
  readonly perMinute?: number
  readonly inFlight?: number
}

export interface FerryJob {
  readonly sim: SimInfo
  readonly startMs: number
  readonly budgets: { readonly jst: Budget; readonly jdy: Budget }
  /** Abort the run after this many seconds (the memory scenario's time cap). */
  readonly capS?: number
  /** Count the SQLite statements the run makes (bench/sql-count.ts). */
  readonly countSql?: boolean
  /**
   * Run the same job first, untimed, against these simulators (another dataset copy, its own
   * ledger), so the timed job runs JIT-warm like the raw loop (`BENCH_OVERHEAD_WARM=1`).
   */
  readonly warmUp?: { readonly sim: SimInfo; readonly startMs: number }
}

/** SQLite statements a Ferry run made (`--count-sql`). */
export interface SqlFigures {
  /** The whole job (master data, source, target). */
  readonly total: number
  /** The loss scheme alone (its source and target stages). */
  readonly loss: number
  /** WAL syncs (`fdatasync`) of the whole job. */
  readonly walSyncs: number
  /** The statements of the whole job that took the most time in SQLite. */
  readonly top: readonly {
    readonly sql: string
    readonly n: number
    readonly ms: number
    /** Runs that took over 1 ms, and their time. */
    readonly slow: number
    readonly slow_ms: number
  }[]
}

export interface FerryResult {
  readonly wall_s: number
  /** False when the time cap stopped the run. */
  readonly completed: boolean
  /** Wall time of the loss scheme alone (the master-data schemes run first). */
  readonly loss_wall_s: number
  readonly status: readonly string[]
  readonly errors: readonly string[]
  readonly written: number
  /** The loss scheme's run counters (pages, fetched, kept, written, …). */
  readonly counters: Record<string, number>
  readonly ledger: Record<string, number>
  /** Records in `error` with their error code. */
  readonly parked: readonly { readonly id: string; readonly code: string; readonly message: string }[]
  readonly peak_rss_mb: number
  readonly sampled_rss_mb: number
  /** CPU time of the engine process (all its threads) during the job, and during the loss scheme. */
  readonly cpu_ms: number
  readonly loss_cpu_ms: number
  /** The same CPU by thread, and the main thread's wait for a core (bench/thread-cpu.ts). */
  readonly main_cpu_ms: number
  readonly main_runqueue_wait_ms: number
  readonly other_threads_cpu_ms: number
  readonly sql?: SqlFigures
}

export interface RawJob {
  readonly sim: SimInfo
  readonly bills: readonly Record<string, unknown>[]
  readonly concurrency: number
}

export interface RawResult {
  readonly wall_s: number
  /** CPU time of the process (all its threads) during the loop. */
  readonly cpu_ms: number
  readonly main_cpu_ms: number
  readonly main_runqueue_wait_ms: number
  readonly other_threads_cpu_ms: number
  readonly ok: number
  readonly failures: readonly string[]
}

export interface ContenderJob {
  readonly sim: SimInfo
  readonly startMs: number
  /** Prefixed to each bill number: several runs save into one book. */
  readonly prefix: string
  /** Keep the floor ledger (bench/floor-ledger.ts) beside the job. */
  readonly ledger: boolean
  /** The floor ledger with the secondary indexes Ferry's ledger keeps. */
  readonly indexed?: boolean
}

export interface ContenderResult {
  readonly wall_s: number
  readonly cpu_ms: number
  readonly main_cpu_ms: number
  readonly main_runqueue_wait_ms: number
  readonly other_threads_cpu_ms: number
  readonly saved: number
  readonly failures: readonly string[]
  /** The floor ledger's transactions, each with its WAL sync. */
  readonly commits: number
  /** What the floor ledger kept: records by status, audit rows. */
  readonly ledger?: { readonly byStatus: Record<string, number>; readonly events: number }
}

export interface ClusterSimStart {
  readonly seed: number
  readonly orders: number
  readonly days: number
  readonly startMs: number
  /** M: one simulator (one book, one quota) per credential. */
  readonly credentials: number
  /** N: worker processes (each fetches its own token). */
  readonly workers: number
  readonly perMinute: number
  /** The one 聚水潭 app's quota. */
  readonly jst: { readonly perSecond: number; readonly perMinute: number }
  readonly latencyMs: number
  readonly logLimit: number
}

export interface ClusterSimInfo {
  readonly jst: SimInfo['jst']
  /** One per credential (book). */
  readonly jdy: readonly SimInfo['jdy'][]
  readonly materials: number
  readonly stores: number
}

export interface ClusterSimStats {
  /** Arrival time (ms) of every business request (token calls left out, as the vendor's quota does). */
  readonly arrivals: readonly number[]
  readonly throttled: number
  readonly accepted: number
  readonly logComplete: boolean
  readonly billNos: readonly string[]
  /** `METHOD path` → business requests. */
  readonly byEndpoint: Record<string, number>
}

/** A JDY simulator's credentials as the kingdee-jdy connector's settings (the bench's one copy). */
export function jdyConnectionSettings(j: SimInfo['jdy']): Record<string, unknown> {
  return {
    baseUrl: j.url,
    clientId: j.clientId,
    clientSecret: j.clientSecret,
    outerInstanceId: j.outerInstanceId,
    accountId: j.accountId,
    appKey: j.appKey,
    appSecret: j.appSecret,
    domain: j.domain,
  }
}
