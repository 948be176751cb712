/**
 * How a budget adapts to what the vendor really allows (issue 11). Two layers:
 *
 * - the **cap** of each window: what the budget has learned the credential may really start per
 *   second / per minute. It starts at the configured limit (the ceiling; or at a limit learned in
 *   an earlier run) and only falls on a throttle answer, to just under the calls the vendor had
 *   accepted in that window when it said stop. It creeps back up by 1 % of the ceiling after every
 *   long clean stretch, so a throttle caused by someone else's burst is not held against us forever.
 * - a short-lived **factor** (AIMD): a throttle multiplies the rate by `decrease` (0.85), and
 *   every clean `increaseAfterMs` adds `increaseStep` back until it is 1 again. It damps the burst
 *   of calls that were already under way when the vendor answered, and is gone within seconds.
 *
 * Both are bounded below by `floor × ceiling`. Nothing here waits; the budget asks for numbers.
 */

export type WindowName = 'second' | 'minute'

export const SPAN: Record<WindowName, number> = { second: 1_000, minute: 60_000 }

export interface PacingOptions {
  /** Lowest fraction of the configured limits the budget slows down to (default 0.1). */
  readonly floor?: number
  /** Multiplicative decrease on a throttle answer (default 0.85). */
  readonly decrease?: number
  /** Added back to the factor after each clean stretch (default 0.05). */
  readonly increaseStep?: number
  /** Length of a clean stretch (default 2 s). */
  readonly increaseAfterMs?: number
  /** Clean time after which a learned cap grows by 1 % of the ceiling (default 5 min). */
  readonly relearnAfterMs?: number
}

/** Learned caps per window, as kept in the store between runs. */
export interface LearnedLimits {
  readonly perSecond?: number
  readonly perMinute?: number
}

export class Pacing {
  readonly floor: number
  private readonly decrease: number
  private readonly step: number
  private readonly afterMs: number
  private readonly relearnMs: number
  private readonly caps: Partial<Record<WindowName, number>> = {}
  private factor = 1
  private lastThrottle = -Infinity
  private lastDecrease = -Infinity
  private lastIncrease = -Infinity
  private lastRelearn = -Infinity

  constructor(
    private readonly ceilings: Partial<Record<WindowName, number>>,
    o: PacingOptions = {},
    learned: LearnedLimits = {},
  ) {
    this.floor = clamp(o.floor ?? 0.1, 0.01, 1)
    this.decrease = clamp(o.decrease ?? 0.85, 0.1, 0.99)
    this.step = clamp(o.increaseStep ?? 0.05, 0.001, 1)
    this.afterMs = Math.max(1, o.increaseAfterMs ?? 2_000)
    this.relearnMs = Math.max(1, o.relearnAfterMs ?? 300_000)
    for (const w of ['second', 'minute'] as const) {
      const c = ceilings[w]
      if (c === undefined) continue
      const l = w === 'second' ? learned.perSecond : learned.perMinute
      this.caps[w] = l === undefined ? c : clamp(l, this.minFor(c), c)
    }
  }

  /** The number of starts the window may hold right now. */
  limit(w: WindowName, now: number): number | undefined {
    const cap = this.caps[w]
    if (cap === undefined) return undefined
    this.recover(now)
    return Math.max(1, Math.floor(Math.max(this.minFor(this.ceilings[w]!), cap * this.factor)))
  }

  /**
   * A throttle answer arrived. `accepted` = starts the vendor took in each window up to now;
   * `window` = the window the vendor named, if it did. Returns the window judged responsible.
   * Throttles within one second of the last decrease are echoes of the same overload (calls that
   * were already in flight) and do not decrease again.
   */
  throttled(now: number, accepted: Partial<Record<WindowName, number>>, window?: WindowName): WindowName | undefined {
    this.lastThrottle = now
    const w = window ?? this.culprit(now, accepted)
    if (w === undefined || now - this.lastDecrease < 1_000) return w
    this.lastDecrease = now
    const cap = this.caps[w]!
    const used = accepted[w] ?? cap
    // Just under what the vendor had accepted, but never more than a halving at once (a throttle
    // caused by another client on the credential says little about our own count).
    const next = Math.min(cap * 0.98, Math.max(used * 0.97, cap * 0.5))
    this.caps[w] = Math.max(this.minFor(this.ceilings[w]!), next)
    this.factor = Math.max(this.floor, this.factor * this.decrease)
    this.lastIncrease = now
    this.lastRelearn = now
    return w
  }

  /** What the budget has learned, for the store; empty while nothing is below the ceiling. */
  learned(): LearnedLimits {
    const out: { perSecond?: number; perMinute?: number } = {}
    if (this.caps.second !== undefined && this.caps.second < this.ceilings.second!)
      out.perSecond = round2(this.caps.second)
    if (this.caps.minute !== undefined && this.caps.minute < this.ceilings.minute!)
      out.perMinute = round2(this.caps.minute)
    return out
  }

  slowed(now: number): boolean {
    this.recover(now)
    return this.factor < 1
  }

  private culprit(now: number, accepted: Partial<Record<WindowName, number>>): WindowName | undefined {
    let best: WindowName | undefined
    let fill = -1
    for (const w of ['second', 'minute'] as const) {
      const lim = this.limit(w, now)
      if (lim === undefined) continue
      const f = (accepted[w] ?? 0) / lim
      if (f > fill) {
        fill = f
        best = w
      }
    }
    return best
  }

  private recover(now: number): void {
    if (this.lastRelearn === -Infinity) this.lastRelearn = now
    if (this.factor < 1 && now - Math.max(this.lastIncrease, this.lastThrottle) >= this.afterMs) {
      const steps = Math.floor((now - Math.max(this.lastIncrease, this.lastThrottle)) / this.afterMs)
      this.factor = Math.min(1, this.factor + steps * this.step)
      this.lastIncrease = now
    }
    if (now - Math.max(this.lastRelearn, this.lastThrottle) >= this.relearnMs) {
      for (const w of ['second', 'minute'] as const) {
        const cap = this.caps[w]
        if (cap !== undefined) this.caps[w] = Math.min(this.ceilings[w]!, cap + this.ceilings[w]! * 0.01)
      }
      this.lastRelearn = now
    }
  }

  private minFor(ceiling: number): number {
    return Math.max(1, ceiling * this.floor)
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

function round2(v: number): number {
  return Math.round(v * 100) / 100
}
