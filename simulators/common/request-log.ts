/**
 * Every request a simulator receives is kept here (secrets redacted), with per-endpoint counters.
 * Tests assert on it ("the client made no 199 in steady state"); the admin API serves it.
 */
import { redact } from '../../src/core/redact.js'

/** How a request ended, for counters. */
export type Outcome = 'accepted' | 'throttled' | 'rejected' | 'fault'

export interface LogEntry {
  /** 1-based sequence over the simulator's lifetime (survives `clear`). */
  readonly seq: number
  /** Simulated time the request arrived (ISO 8601, UTC). */
  readonly time: string
  readonly method: string
  /** The endpoint key: the URL path. */
  readonly endpoint: string
  /** Request parameters (form fields, query, JSON body or selected headers) with secrets redacted. */
  readonly params: Readonly<Record<string, unknown>>
  readonly outcome: Outcome
  /** HTTP status sent (0 when the connection was reset). */
  readonly status: number
  /** Vendor code in the body (`code`/`errcode`), when there is one. */
  readonly code?: number | string
  /** Why it was rejected or faulted: a short stable key such as `sign`, `rate_per_second`, `fault:reset`. */
  readonly reason?: string
}

export interface EndpointCounters {
  accepted: number
  throttled: number
  /** Rejections by reason. */
  rejected: Record<string, number>
  /** Injected faults by kind. */
  faults: Record<string, number>
}

export interface LogFilter {
  readonly endpoint?: string
  readonly outcome?: Outcome
  /** Only entries with `seq` greater than this. */
  readonly sinceSeq?: number
  /** Last N matching entries. */
  readonly limit?: number
}

/** Bounded in memory so a long `ferry sandbox` session cannot exhaust it; counters are never trimmed. */
export class RequestLog {
  private readonly items: LogEntry[] = []
  /** Entries before this index are trimmed; they are dropped in batches, not one splice per request. */
  private head = 0
  private readonly perEndpoint = new Map<string, EndpointCounters>()
  private seq = 0

  constructor(private readonly maxEntries = 50_000) {}

  /** Record one request. `params` are redacted here, so callers may pass raw input. */
  record(entry: Omit<LogEntry, 'seq' | 'params'> & { params: Record<string, unknown> }): LogEntry {
    const full: LogEntry = { ...entry, seq: ++this.seq, params: redact(entry.params) }
    this.items.push(full)
    if (this.items.length - this.head > this.maxEntries) this.head = this.items.length - this.maxEntries
    if (this.head > 1024 && this.head >= this.maxEntries / 4) {
      this.items.splice(0, this.head)
      this.head = 0
    }
    const c = this.countersFor(entry.endpoint)
    if (entry.outcome === 'accepted') c.accepted++
    else if (entry.outcome === 'throttled') c.throttled++
    else if (entry.outcome === 'rejected')
      c.rejected[entry.reason ?? 'unknown'] = (c.rejected[entry.reason ?? 'unknown'] ?? 0) + 1
    else c.faults[entry.reason ?? 'unknown'] = (c.faults[entry.reason ?? 'unknown'] ?? 0) + 1
    return full
  }

  entries(filter: LogFilter = {}): LogEntry[] {
    const live = this.head === 0 ? this.items : this.items.slice(this.head)
    const out = live.filter(
      (e) =>
        (filter.endpoint === undefined || e.endpoint === filter.endpoint) &&
        (filter.outcome === undefined || e.outcome === filter.outcome) &&
        (filter.sinceSeq === undefined || e.seq > filter.sinceSeq),
    )
    return filter.limit === undefined ? out : out.slice(-filter.limit)
  }

  /** Counters per endpoint (a deep copy). */
  counters(): Record<string, EndpointCounters> {
    const out: Record<string, EndpointCounters> = {}
    for (const [k, v] of this.perEndpoint)
      out[k] = { accepted: v.accepted, throttled: v.throttled, rejected: { ...v.rejected }, faults: { ...v.faults } }
    return out
  }

  /** The sequence number of the latest entry (use as `sinceSeq` to read only what follows). */
  lastSeq(): number {
    return this.seq
  }

  clear(): void {
    this.items.length = 0
    this.head = 0
    this.perEndpoint.clear()
  }

  private countersFor(endpoint: string): EndpointCounters {
    let c = this.perEndpoint.get(endpoint)
    if (c === undefined) {
      c = { accepted: 0, throttled: 0, rejected: {}, faults: {} }
      this.perEndpoint.set(endpoint, c)
    }
    return c
  }
}
