/**
 * Rate budgets: one per credential (one JST app_key, one JDY book), shared by every scheme and
 * connection that uses the credential, so ten schemes on one app_key still make at most 4 calls a
 * second between them.
 *
 * {@link LocalRateBudget} keeps sliding windows in memory, which is exact inside one process.
 * Several processes sharing one credential need a shared budget. The {@link RateBudget} contract
 * is designed for that swap: `acquire` is async and returns only a release function, and
 * `penalise` is fire-and-forget, so a Redis implementation can keep the per-credential window in a
 * sorted set (`ferry:budget:<key>:starts`, pruned, counted and appended by one Lua script that
 * returns the wait), the in-flight leases in a second sorted set scored by lease expiry (so a
 * crashed process frees its slots), and the penalty as `SET ferry:budget:<key>:blocked <until> PX`.
 * The composition root then passes a Redis-backed {@link BudgetRegistry} instead of
 * {@link LocalBudgetRegistry}; connectors do not change.
 */
import type { ConnectorDefinition, RateBudget } from './contract.js'
import { systemClock, type Clock } from './budget-clock.js'
import { BudgetLimitsInvalid, CallAborted } from './errors.js'
import { StartWindow } from './start-window.js'

export type { Clock } from './budget-clock.js'

export interface BudgetLimits {
  /** Calls started in any sliding 1-second window. */
  readonly perSecond?: number
  /** Calls started in any sliding 60-second window. */
  readonly perMinute?: number
  /** Calls started and not yet released. */
  readonly inFlight?: number
}

export interface BudgetOptions extends BudgetLimits {
  readonly clock?: Clock
  /**
   * After a vendor throttle answer the rate limits stay halved for this long past the penalty
   * wait (default 60 s), so a budget whose limits are too generous for the real quota settles down
   * instead of hitting the vendor limit again and again.
   */
  readonly slowdownMs?: number
}

/** Counters for logs, metrics and test assertions. */
export interface BudgetStats {
  readonly acquired: number
  readonly inFlight: number
  readonly penalties: number
  /** Total time callers spent waiting for a slot (clock milliseconds). */
  readonly waitedMs: number
  /** True while the limits are halved after a penalty. */
  readonly slowed: boolean
}

const SECOND = 1_000
const MINUTE = 60_000

function checkLimits(l: BudgetLimits): void {
  for (const k of ['perSecond', 'perMinute', 'inFlight'] as const) {
    const v = l[k]
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw BudgetLimitsInvalid([k, v], { location: `budget.${k}` })
  }
}

/** An in-process sliding-window budget. Acquisitions are served first come, first served. */
export class LocalRateBudget implements RateBudget {
  readonly limits: BudgetLimits
  private readonly clock: Clock
  private readonly slowdownMs: number
  /** Start times of calls in the last minute; not kept at all without rate limits (nothing reads them). */
  private readonly starts = new StartWindow()
  private readonly rateLimited: boolean
  private inFlight = 0
  private blockedUntil = 0
  private slowUntil = 0
  private acquired = 0
  private penalties = 0
  private waitedMs = 0
  private queue: Promise<unknown> = Promise.resolve()
  private releaseWaiters: (() => void)[] = []

  constructor(options: BudgetOptions = {}) {
    checkLimits(options)
    this.limits = { perSecond: options.perSecond, perMinute: options.perMinute, inFlight: options.inFlight }
    this.clock = options.clock ?? systemClock
    this.slowdownMs = options.slowdownMs ?? MINUTE
    this.rateLimited = options.perSecond !== undefined || options.perMinute !== undefined
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    // Serialise acquisitions: the head of the queue waits for its slot, the rest wait behind it.
    const turn = this.queue.then(() => this.take(signal))
    this.queue = turn.catch(() => undefined)
    return turn
  }

  penalise(waitMs: number): void {
    const now = this.clock.now()
    const wait = Math.max(0, waitMs)
    this.penalties += 1
    this.blockedUntil = Math.max(this.blockedUntil, now + wait)
    this.slowUntil = Math.max(this.slowUntil, now + wait + this.slowdownMs)
  }

  stats(): BudgetStats {
    return {
      acquired: this.acquired, inFlight: this.inFlight, penalties: this.penalties, waitedMs: this.waitedMs,
      slowed: this.clock.now() < this.slowUntil,
    }
  }

  private async take(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted === true) throw CallAborted(['waiting for the rate budget'])
      const now = this.clock.now()
      const wait = this.waitMs(now)
      if (wait > 0) {
        this.waitedMs += wait
        await this.clock.sleep(wait, signal)
        continue
      }
      if (this.limits.inFlight !== undefined && this.inFlight >= this.limits.inFlight) {
        await this.nextRelease(signal)
        continue
      }
      if (this.rateLimited) this.starts.add(now)
      this.inFlight += 1
      this.acquired += 1
      let released = false
      return () => {
        if (released) return
        released = true
        this.inFlight -= 1
        this.releaseWaiters.shift()?.()
      }
    }
  }

  /** How long until a call may start under the window limits (0 = now). */
  private waitMs(now: number): number {
    if (this.blockedUntil > now) return this.blockedUntil - now
    if (!this.rateLimited) return 0
    this.starts.dropThrough(now - MINUTE)
    const slowed = now < this.slowUntil
    let wait = 0
    for (const [limit, span] of [[this.limits.perSecond, SECOND], [this.limits.perMinute, MINUTE]] as const) {
      if (limit === undefined) continue
      const n = slowed ? Math.max(1, Math.floor(limit / 2)) : limit
      // The n-th most recent start must leave the window before another call may begin.
      if (this.starts.countAfter(now - span) >= n) wait = Math.max(wait, this.starts.nthLatest(n) + span - now)
    }
    return wait
  }

  private nextRelease(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.releaseWaiters = this.releaseWaiters.filter((w) => w !== done)
        reject(CallAborted(['waiting for an in-flight slot']))
      }
      const done = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      this.releaseWaiters.push(done)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

/** Hands out one budget per credential key. Replace it as a whole to share budgets across processes. */
export interface BudgetRegistry {
  /**
   * The budget for `key`, created with `limits` on first use. Later callers get the same budget:
   * the first limits win, because one credential has one vendor quota.
   */
  forKey(key: string, limits: BudgetLimits): RateBudget
}

export class LocalBudgetRegistry implements BudgetRegistry {
  private readonly budgets = new Map<string, LocalRateBudget>()

  constructor(private readonly options: Omit<BudgetOptions, keyof BudgetLimits> = {}) {}

  forKey(key: string, limits: BudgetLimits): LocalRateBudget {
    let b = this.budgets.get(key)
    if (b === undefined) {
      b = new LocalRateBudget({ ...this.options, ...limits })
      this.budgets.set(key, b)
    }
    return b
  }

  keys(): string[] {
    return [...this.budgets.keys()]
  }
}

/**
 * The budget key of a connection: `<connector>:<credential identity>`, using the connector's
 * `budgetKey(config)` hook (e.g. the JST app_key) or, without one, the connection id.
 */
export function budgetKeyFor(def: ConnectorDefinition, config: Readonly<Record<string, unknown>>, connectionId: string): string {
  return `${def.name}:${def.budgetKey?.(config) ?? connectionId}`
}
