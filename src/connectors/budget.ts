/**
 * Rate budgets: one per credential (one JST app_key, one JDY book), shared by every scheme and
 * connection that uses the credential, so ten schemes on one app_key still make at most 4 calls a
 * second between them.
 *
 * A {@link BudgetBackend} hands out the budgets. {@link LocalBudgetRegistry} keeps sliding windows
 * in memory, which is exact inside one process; with `queue.redisUrl` set, the host uses
 * `RedisBudgetRegistry` (budget-redis.ts) instead, whose budgets keep the same windows,
 * in-flight slots and slow-down in Redis so that several processes sharing one credential stay
 * within its quota together. Connectors see only the {@link RateBudget} contract and do not change.
 */
import type { ConnectorDefinition, RateBudget } from './contract.js'
import { systemClock, type Clock } from './budget-clock.js'
import { BudgetLimitsInvalid, CallAborted } from './errors.js'
import { StartWindow } from './start-window.js'
import { Pacing, SPAN, type LearnedLimits, type PacingOptions, type WindowName } from './budget-pacing.js'

export type { LearnedLimits, WindowName } from './budget-pacing.js'

const MINUTE = 60_000
/** Shortest hold after a throttle answer, so a burst of answers does not spin. */
const MIN_PENALTY_MS = 100

export type { Clock } from './budget-clock.js'

export interface BudgetLimits {
  /** Calls started in any sliding 1-second window. */
  readonly perSecond?: number
  /** Calls started in any sliding 60-second window. */
  readonly perMinute?: number
  /** Calls started and not yet released. */
  readonly inFlight?: number
}

export interface BudgetOptions extends BudgetLimits, PacingOptions {
  readonly clock?: Clock
  /**
   * Each start counts in a window for its span plus this guard (default: 2 % of the span, at most
   * 50 ms), so a gateway that counts a sliding window on *arrival* never sees one call too many
   * when network jitter brings two calls a window apart a few milliseconds closer.
   */
  readonly guardMs?: number
  /** Caps learned in an earlier run (from the store); clamped between floor and the limits. */
  readonly learned?: LearnedLimits
}

/** Counters for logs, metrics and test assertions. */
export interface BudgetStats {
  readonly acquired: number
  readonly inFlight: number
  /** Throttle answers the vendor gave (each one reported through `penalise`). */
  readonly penalties: number
  /** Total time callers spent waiting for a slot (clock milliseconds). */
  readonly waitedMs: number
  /** True while a recent throttle holds the rate below the learned cap. */
  readonly slowed: boolean
  /** The limits in force right now (configured → learned → momentary slow-down). */
  readonly effective: { readonly perSecond?: number; readonly perMinute?: number; readonly inFlight?: number }
  /** Caps learned from throttle answers (empty while at the configured limits). */
  readonly learned: LearnedLimits
}

/** What a vendor said about a throttle, when it said more than "slow down". */
export interface ThrottleHint {
  /** The vendor named the window (JST 199 = second, 200 = minute). */
  readonly window?: WindowName
  /** The wait came from the vendor (Retry-After), so honour it exactly. */
  readonly exact?: boolean
}

const WINDOWS = [
  ['second', 'perSecond'],
  ['minute', 'perMinute'],
] as const

function checkLimits(l: BudgetLimits): void {
  for (const k of ['perSecond', 'perMinute', 'inFlight'] as const) {
    const v = l[k]
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw BudgetLimitsInvalid([k, v], { location: `budget.${k}` })
  }
}

/**
 * The limits of a connection: its configured budget over the connector's defaults, where a rate
 * given alone sets the other one (`perSecond: 20` means 1 200 a minute, not 20 a second capped by
 * the default minute limit; `perMinute: 2000` alone means 34 a second, the minute spread evenly).
 */
export function effectiveLimits(defaults: BudgetLimits, configured: BudgetLimits = {}): BudgetLimits {
  const out: { perSecond?: number; perMinute?: number; inFlight?: number } = { ...defaults, ...configured }
  if (configured.perSecond !== undefined && configured.perMinute === undefined)
    out.perMinute = configured.perSecond * 60
  if (configured.perMinute !== undefined && configured.perSecond === undefined)
    out.perSecond = Math.max(1, Math.ceil(configured.perMinute / 60))
  return out
}

/** A budget the host can report on: what it allows now, what it learned, what it counted. */
export interface MeteredBudget extends RateBudget {
  readonly limits: BudgetLimits
  stats(): BudgetStats
  /** Caps learned from throttle answers, for the store. */
  learned(): LearnedLimits
}

/** An in-process sliding-window budget. Acquisitions are served first come, first served. */
export class LocalRateBudget implements MeteredBudget {
  readonly limits: BudgetLimits
  private readonly clock: Clock
  /** Start times of calls in the last minute; not kept at all without rate limits (nothing reads them). */
  private readonly starts = new StartWindow()
  /** When throttle answers arrived (to count what the vendor accepted). */
  private readonly throttles = new StartWindow()
  private readonly pacing: Pacing
  private readonly guard: Record<WindowName, number>
  private readonly rateLimited: boolean
  private inFlight = 0
  private blockedUntil = 0
  private acquired = 0
  private penalties = 0
  private waitedMs = 0
  private queue: Promise<unknown> = Promise.resolve()
  private releaseWaiters: (() => void)[] = []

  constructor(options: BudgetOptions = {}) {
    checkLimits(options)
    this.limits = { perSecond: options.perSecond, perMinute: options.perMinute, inFlight: options.inFlight }
    this.clock = options.clock ?? systemClock
    this.rateLimited = options.perSecond !== undefined || options.perMinute !== undefined
    this.pacing = new Pacing({ second: options.perSecond, minute: options.perMinute }, options, options.learned)
    const g = (w: WindowName) => Math.max(0, options.guardMs ?? Math.min(50, SPAN[w] * 0.02))
    this.guard = { second: g('second'), minute: g('minute') }
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    // Serialise acquisitions: the head of the queue waits for its slot, the rest wait behind it.
    const turn = this.queue.then(() => this.take(signal))
    this.queue = turn.catch(() => undefined)
    return turn
  }

  /**
   * The vendor throttled a call. The budget lowers the cap of the window responsible to just under
   * what the vendor accepted in it, slows down briefly, and holds every caller until that window
   * has room again (at most `waitMs`, the connector's default wait), or exactly `waitMs` when the
   * vendor said how long.
   */
  penalise(waitMs: number, hint: ThrottleHint = {}): void {
    const now = this.clock.now()
    this.penalties += 1
    if (this.rateLimited) this.throttles.add(now)
    const accepted: Partial<Record<WindowName, number>> = {}
    for (const [w] of WINDOWS) accepted[w] = this.accepted(w, now)
    this.pacing.throttled(now, accepted, hint.window)
    const ceiling = Math.max(0, waitMs)
    const wait =
      hint.exact === true || !this.rateLimited
        ? ceiling
        : Math.min(ceiling, Math.max(MIN_PENALTY_MS, this.windowWait(now)))
    this.blockedUntil = Math.max(this.blockedUntil, now + wait)
  }

  stats(): BudgetStats {
    const now = this.clock.now()
    return {
      acquired: this.acquired,
      inFlight: this.inFlight,
      penalties: this.penalties,
      waitedMs: this.waitedMs,
      slowed: this.pacing.slowed(now),
      effective: {
        ...(this.limits.perSecond === undefined ? {} : { perSecond: this.pacing.limit('second', now) }),
        ...(this.limits.perMinute === undefined ? {} : { perMinute: this.pacing.limit('minute', now) }),
        ...(this.limits.inFlight === undefined ? {} : { inFlight: this.limits.inFlight }),
      },
      learned: this.pacing.learned(),
    }
  }

  /** Caps learned from throttle answers, for the store. */
  learned(): LearnedLimits {
    return this.pacing.learned()
  }

  private accepted(w: WindowName, now: number): number {
    return Math.max(0, this.starts.countAfter(now - SPAN[w]) - this.throttles.countAfter(now - SPAN[w]))
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

  /** How long until a call may start (0 = now). */
  private waitMs(now: number): number {
    if (this.blockedUntil > now) return this.blockedUntil - now
    if (!this.rateLimited) return 0
    return this.windowWait(now)
  }

  /** How long until the windows have room for one more start under the current limits. */
  private windowWait(now: number): number {
    this.starts.dropThrough(now - MINUTE - this.guard.minute)
    this.throttles.dropThrough(now - MINUTE - this.guard.minute)
    let wait = 0
    for (const [w] of WINDOWS) {
      const n = this.pacing.limit(w, now)
      if (n === undefined) continue
      const span = SPAN[w] + this.guard[w]
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
   * the first limits win, because one credential has one vendor quota. `learned`: caps an earlier
   * run learned for this credential (ignored once the budget exists).
   */
  forKey(key: string, limits: BudgetLimits, learned?: LearnedLimits): RateBudget
}

/**
 * Where the budgets of a host live: in this process ({@link LocalBudgetRegistry}) or in Redis,
 * shared with every other process (`RedisBudgetRegistry`, selected by `queue.redisUrl`).
 */
export interface BudgetBackend extends BudgetRegistry {
  readonly kind: 'local' | 'redis'
  /** `limits` may also carry `floor` and `guardMs` (the connection's budget settings). */
  forKey(
    key: string,
    limits: BudgetLimits & PacingOptions & { guardMs?: number },
    learned?: LearnedLimits,
  ): MeteredBudget
  get(key: string): MeteredBudget | undefined
  keys(): string[]
  /** Let go of connections (Redis); the local backend has none. */
  close(): Promise<void>
}

export class LocalBudgetRegistry implements BudgetBackend {
  readonly kind = 'local'

  private readonly budgets = new Map<string, LocalRateBudget>()

  constructor(private readonly options: Omit<BudgetOptions, keyof BudgetLimits | 'learned'> = {}) {}

  forKey(key: string, limits: BudgetLimits, learned?: LearnedLimits): LocalRateBudget {
    let b = this.budgets.get(key)
    if (b === undefined) {
      b = new LocalRateBudget({ ...this.options, ...limits, ...(learned === undefined ? {} : { learned }) })
      this.budgets.set(key, b)
    }
    return b
  }

  keys(): string[] {
    return [...this.budgets.keys()]
  }

  get(key: string): LocalRateBudget | undefined {
    return this.budgets.get(key)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

/**
 * The budget key of a connection: `<connector>:<credential identity>`, using the connector's
 * `budgetKey(config)` hook (e.g. the JST app_key) or, without one, the connection id.
 */
export function budgetKeyFor(
  def: ConnectorDefinition,
  config: Readonly<Record<string, unknown>>,
  connectionId: string,
): string {
  return `${def.name}:${def.budgetKey?.(config) ?? connectionId}`
}
