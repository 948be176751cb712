/**
 * The Ferry configuration: one file (YAML or JSON) plus environment overrides. It names the
 * database, the master-key source, the connections and the schemes to load. Moving a scheme
 * from the simulators to production changes only `connections` (see docs/configuration.md).
 */
import type { QueueSettings } from './queue.js'
import type { ConfigSpec } from '../connectors/contract.js'

export interface ConnectionConfig {
  /** Connector name, e.g. `jushuitan`, `kingdee-jdy`. */
  readonly connector: string
  /** Connector settings (base URL, credentials); secrets may be `${ENV_VAR}` references. */
  readonly settings: Readonly<Record<string, unknown>>
  /** Optional budget override for this credential. */
  readonly budget?: {
    readonly perSecond?: number
    readonly perMinute?: number
    readonly inFlight?: number
    /** Lowest fraction of the limits the budget slows down to after throttle answers (default 0.1). */
    readonly floor?: number
    /** Milliseconds each window is counted wider than its span (default 20 ms per second, 50 ms per minute). */
    readonly guardMs?: number
  }
  /**
   * Environment variables of the settings that were unset when the configuration was loaded for a
   * command that never calls a vendor; opening this connection is refused (ERR_CONFIG_ENV_MISSING).
   */
  readonly unsetEnv?: readonly string[]
}

export interface SchemeEntry {
  /** Scheme file path, resolved against the configuration file's folder. */
  readonly file: string
  readonly enabled: boolean
  /** First LAST_SYNC_TIME when the scheme has never closed a window. */
  readonly start?: Date
  /** Connection names overriding the scheme file's `source.connection` / `target.connection`. */
  readonly sourceConnection?: string
  readonly targetConnection?: string
  /** Scheduled reconciliation of closed windows, run by `ferry start` (docs/reconcile.md). */
  readonly reconcile?: ReconcileSetting
  /** Custom processors (file names in `processors.dir`), applied in this order (docs/processors.md). */
  readonly processors?: readonly string[]
}

export interface ReconcileSetting {
  /** Five-field crontab, e.g. `0 3 * * *` (daily at 03:00, in the scheme's timezone). */
  readonly crontab: string
  /** How far back from the cursor (LAST_SYNC_TIME) to reconcile, in days. */
  readonly closedDays: number
  /** Queue the missing records for another write (default false). */
  readonly repair: boolean
}

export interface EngineSettings {
  readonly retryLadder: readonly number[]
  readonly jitter: number
  readonly leaseTtlSeconds: number
  readonly batchSize: number
}

export interface FerryConfig {
  /** The file the configuration came from (undefined for the embedded demo default). */
  readonly file: string | undefined
  readonly baseDir: string
  readonly database: { readonly url: string }
  readonly masterKey: { readonly envValue?: string; readonly file: string }
  readonly connections: Readonly<Record<string, ConnectionConfig>>
  readonly schemes: readonly SchemeEntry[]
  /** Static value maps usable from `_findCollection` (`find value from <name> where key=…`). */
  readonly collections: Readonly<Record<string, readonly Record<string, unknown>[]>>
  readonly engine: EngineSettings
  /** Custom processors folder (absolute) and the default time limit of one hook call. */
  readonly processors?: { readonly dir: string; readonly timeoutMs: number }
  /** The `alerts` section as written (secrets interpolated); checked at load, read by src/config/alerts.ts. */
  readonly alerts?: unknown
  /** BullMQ queues on Redis (docs/deploy.md); absent: one process runs every schedule itself. */
  readonly queue?: QueueSettings
}

/** What config validation needs to know about each connector. */
export interface ConnectorInfo {
  readonly name: string
  readonly config: ConfigSpec
}
