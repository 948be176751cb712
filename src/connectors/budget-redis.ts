/**
 * Credential budgets shared by every Ferry process through Redis (issue 17), selected when
 * `queue.redisUrl` is set. Same contract and same rules as {@link LocalRateBudget}: sliding windows
 * per second and per minute (with the arrival guard), an in-flight limit, and the adaptive
 * slow-down of budget-pacing.ts, but the state lives in Redis and every decision is one atomic Lua
 * script (budget-redis-lua.ts), so the sum of all workers' calls never exceeds the budget.
 *
 * In-flight slots are leases: a holder renews its lease every third of `leaseMs` while the call
 * runs, and a process killed mid-call (SIGKILL, OOM, a lost host) simply stops renewing, so its
 * slots come back at most `leaseMs` later instead of never.
 *
 * Windows are sliding, whatever the vendor counts: a sliding window that never holds more than n
 * starts also never lets a fixed window see more than n, while a fixed window would only be exact
 * if Ferry knew the phase of the vendor's clock, which it cannot.
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { BudgetBackend, BudgetLimits, BudgetOptions, BudgetStats, MeteredBudget, ThrottleHint } from './budget.js'
import { systemClock } from './budget-clock.js'
import { SPAN, type LearnedLimits } from './budget-pacing.js'
import { ACQUIRE_LUA, PENALISE_LUA, RENEW_LUA } from './budget-redis-lua.js'
import { BudgetLimitsInvalid, BudgetStoreUnavailable, CallAborted } from './errors.js'

/** Default lease of an in-flight slot: longer than any call's timeout, short enough to recover. */
export const DEFAULT_LEASE_MS = 30_000
/** Default guard of the minute window when the budget is shared (1 % of the span). */
export const CLUSTER_MINUTE_GUARD_MS = 600
/** How often a caller waiting for an in-flight slot asks again (slots free up when calls answer). */
const POLL_MS = 5
/** The pacing state of an idle credential is forgotten after a day (learned caps are also in the store). */
const STATE_TTL_MS = 86_400_000

export interface RedisBudgetOptions extends Omit<BudgetOptions, 'clock' | keyof BudgetLimits | 'learned'> {
  /** Key prefix (default `ferry:`); tests use a unique one. */
  readonly prefix?: string
  /** Lease of an in-flight slot, renewed while the call runs (default 30 s). */
  readonly leaseMs?: number
}

interface Reply {
  readonly status: number
  readonly waitMs: number
}

type Script = (keys: string[], args: (string | number)[]) => Promise<number[]>

/** One credential's budget in Redis. Acquisitions from this process are served in order. */
export class RedisRateBudget implements MeteredBudget {
  readonly limits: BudgetLimits
  private readonly keys: { starts: string; leases: string; throttles: string; pace: string }
  private readonly args: (string | number)[]
  private readonly leaseMs: number
  private readonly id = randomUUID()
  private seq = 0
  private queue: Promise<unknown> = Promise.resolve()
  /** Penalties not yet written: the next acquisition waits for them, so it sees the slow-down. */
  private penalising: Promise<unknown> = Promise.resolve()
  private inFlight = 0
  private acquired = 0
  private penalties = 0
  private waitedMs = 0
  private last: number[] | undefined

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    limits: BudgetLimits,
    options: RedisBudgetOptions = {},
    learned: LearnedLimits = {},
  ) {
    for (const k of ['perSecond', 'perMinute', 'inFlight'] as const) {
      const v = limits[k]
      if (v !== undefined && !(Number.isInteger(v) && v > 0))
        throw BudgetLimitsInvalid([k, v], { location: `budget.${k}` })
    }
    this.limits = { perSecond: limits.perSecond, perMinute: limits.perMinute, inFlight: limits.inFlight }
    this.leaseMs = Math.max(1_000, options.leaseMs ?? DEFAULT_LEASE_MS)
    const base = `${options.prefix ?? 'ferry:'}budget:{${key}}:`
    this.keys = { starts: `${base}starts`, leases: `${base}leases`, throttles: `${base}throttles`, pace: `${base}pace` }
    // Calls of several processes reach the vendor with more spread between grant and arrival than
    // those of one, so the minute is counted 1 % wider by default (20 ms on the second, as in one process).
    const guard = (span: number) =>
      Math.max(0, options.guardMs ?? (span === SPAN.minute ? CLUSTER_MINUTE_GUARD_MS : Math.min(50, span * 0.02)))
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
    this.args = [
      limits.perSecond ?? 0,
      limits.perMinute ?? 0,
      limits.inFlight ?? 0,
      guard(SPAN.second),
      guard(SPAN.minute),
      this.leaseMs,
      clamp(options.floor ?? 0.1, 0.01, 1),
      clamp(options.decrease ?? 0.85, 0.1, 0.99),
      clamp(options.increaseStep ?? 0.05, 0.001, 1),
      Math.max(1, options.increaseAfterMs ?? 2_000),
      Math.max(1, options.relearnAfterMs ?? 300_000),
      learned.perSecond ?? 0,
      learned.perMinute ?? 0,
      STATE_TTL_MS,
    ]
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    const turn = this.queue.then(() => this.take(signal))
    this.queue = turn.catch(() => undefined)
    return turn
  }

  /**
   * The vendor throttled a call: lower the shared cap and factor and hold every process's callers
   * (see {@link LocalRateBudget.penalise}). Fire-and-forget for the caller; this process's next
   * acquisition waits until Redis has it.
   */
  penalise(waitMs: number, hint: ThrottleHint = {}): void {
    this.penalties += 1
    const w = hint.window === 'second' ? 'S' : hint.window === 'minute' ? 'M' : ''
    const run = this.script('ferryBudgetPenalise')(
      [this.keys.starts, this.keys.throttles, this.keys.pace],
      [this.callId(), ...this.args, Math.max(0, Math.round(waitMs)), hint.exact === true ? 1 : 0, w],
    ).then((r) => {
      this.last = r
    })
    // A lost penalty only costs one more throttle answer; the acquisition that follows reports Redis being down.
    this.penalising = Promise.all([this.penalising, run.catch(() => undefined)])
  }

  stats(): BudgetStats {
    const r = this.last
    const factor = r === undefined ? 1 : r[4]! / 1e6
    return {
      acquired: this.acquired,
      inFlight: this.inFlight,
      penalties: this.penalties,
      waitedMs: this.waitedMs,
      slowed: factor < 1,
      effective: {
        ...(this.limits.perSecond === undefined ? {} : { perSecond: r?.[2] ?? this.limits.perSecond }),
        ...(this.limits.perMinute === undefined ? {} : { perMinute: r?.[3] ?? this.limits.perMinute }),
        ...(this.limits.inFlight === undefined ? {} : { inFlight: this.limits.inFlight }),
      },
      learned: this.learned(),
    }
  }

  /** Caps learned (by any process) from throttle answers, as last seen; empty at the configured limits. */
  learned(): LearnedLimits {
    const r = this.last
    if (r === undefined) return {}
    const capS = r[5]! / 100
    const capM = r[6]! / 100
    return {
      ...(this.limits.perSecond !== undefined && capS >= 0 && capS < this.limits.perSecond ? { perSecond: capS } : {}),
      ...(this.limits.perMinute !== undefined && capM >= 0 && capM < this.limits.perMinute ? { perMinute: capM } : {}),
    }
  }

  /** Calls started and throttle answers counted by all processes together (for reports and tests). */
  async shared(): Promise<{ acquired: number; penalties: number; inFlight: number }> {
    const [h, leases] = await Promise.all([
      this.redis.hmget(this.keys.pace, 'acquired', 'penalties'),
      this.redis.zcount(this.keys.leases, `(${Date.now()}`, '+inf'),
    ])
    return { acquired: Number(h[0] ?? 0), penalties: Number(h[1] ?? 0), inFlight: leases }
  }

  private async take(signal?: AbortSignal): Promise<() => void> {
    await this.penalising
    for (;;) {
      if (signal?.aborted === true) throw CallAborted(['waiting for the rate budget'])
      const member = this.callId()
      const reply = await this.run(member)
      if (reply.status === 0) return this.granted(member)
      // A window or a hold says exactly when; a slot frees up whenever some call answers, so ask again soon.
      const wait = reply.status === 2 ? Math.min(reply.waitMs, POLL_MS) : reply.waitMs
      this.waitedMs += wait
      await systemClock.sleep(wait, signal)
    }
  }

  private async run(member: string): Promise<Reply> {
    try {
      const r = await this.script('ferryBudgetAcquire')(
        [this.keys.starts, this.keys.leases, this.keys.pace],
        [member, ...this.args],
      )
      this.last = r
      return { status: r[0]!, waitMs: r[1]! }
    } catch (e) {
      throw BudgetStoreUnavailable([this.key, e instanceof Error ? e.message : String(e)], { cause: e })
    }
  }

  private granted(member: string): () => void {
    this.inFlight += 1
    this.acquired += 1
    const hasLease = this.limits.inFlight !== undefined
    const renew = hasLease
      ? setInterval(
          () => void this.script('ferryBudgetRenew')([this.keys.leases], [member, this.leaseMs]).catch(() => undefined),
          Math.floor(this.leaseMs / 3),
        )
      : undefined
    renew?.unref()
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight -= 1
      if (renew !== undefined) clearInterval(renew)
      // A release that does not reach Redis is repaired by the lease expiring.
      if (hasLease) void this.redis.zrem(this.keys.leases, member).catch(() => undefined)
    }
  }

  private callId(): string {
    this.seq += 1
    return `${this.id}:${this.seq.toString(36)}`
  }

  private script(name: 'ferryBudgetAcquire' | 'ferryBudgetPenalise' | 'ferryBudgetRenew'): Script {
    const r = this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<number[]>>
    return (keys, args) => r[name]!(...keys, ...args)
  }
}

/** Budgets in one Redis, one per credential key, shared with every other process using the same Redis. */
export class RedisBudgetRegistry implements BudgetBackend {
  readonly kind = 'redis'
  private readonly budgets = new Map<string, RedisRateBudget>()
  private readonly redis: Redis

  constructor(
    url: string,
    private readonly options: RedisBudgetOptions = {},
  ) {
    // Few retries per command: a budget that cannot be reached fails the call (ERR_BUDGET_REDIS,
    // transient) rather than letting callers pile up behind a dead connection.
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true })
    this.redis.on('error', () => undefined)
    this.redis.defineCommand('ferryBudgetAcquire', { numberOfKeys: 3, lua: ACQUIRE_LUA })
    this.redis.defineCommand('ferryBudgetPenalise', { numberOfKeys: 3, lua: PENALISE_LUA })
    this.redis.defineCommand('ferryBudgetRenew', { numberOfKeys: 1, lua: RENEW_LUA })
  }

  forKey(key: string, limits: BudgetLimits, learned?: LearnedLimits): RedisRateBudget {
    let b = this.budgets.get(key)
    if (b === undefined) {
      const { floor, guardMs } = limits as BudgetOptions
      const opts = {
        ...this.options,
        ...(floor === undefined ? {} : { floor }),
        ...(guardMs === undefined ? {} : { guardMs }),
      }
      b = new RedisRateBudget(this.redis, key, limits, opts, learned)
      this.budgets.set(key, b)
    }
    return b
  }

  get(key: string): RedisRateBudget | undefined {
    return this.budgets.get(key)
  }

  keys(): string[] {
    return [...this.budgets.keys()]
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end' || this.redis.status === 'wait') {
      this.redis.disconnect()
      return
    }
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}
