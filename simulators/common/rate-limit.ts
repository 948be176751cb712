/**
 * Call-count windows for simulated vendor rate limits, read from the simulated clock.
 * `fixed` windows align to wall-clock boundaries (a burst straddling a boundary gets up to twice
 * the limit through, as on many real gateways); `sliding` counts the last `windowMs`.
 */

export type WindowMode = 'fixed' | 'sliding'

export interface WindowLimit {
  readonly limit: number
  readonly windowMs: number
}

/** Counts calls per key in one window type. */
export class WindowCounter {
  private readonly fixed = new Map<string, { start: number; count: number }>()
  private readonly sliding = new Map<string, number[]>()

  constructor(
    private readonly spec: WindowLimit,
    private readonly mode: WindowMode = 'fixed',
  ) {}

  /** Calls already counted in the window containing `now`. */
  used(key: string, now: number): number {
    if (this.mode === 'fixed') {
      const w = this.fixed.get(key)
      const start = now - (now % this.spec.windowMs)
      return w !== undefined && w.start === start ? w.count : 0
    }
    const list = this.prune(key, now)
    return list.length
  }

  /** True when one more call would exceed the limit. */
  full(key: string, now: number): boolean {
    return this.used(key, now) >= this.spec.limit
  }

  /** Count one call. */
  hit(key: string, now: number): void {
    if (this.mode === 'fixed') {
      const start = now - (now % this.spec.windowMs)
      const w = this.fixed.get(key)
      if (w === undefined || w.start !== start) this.fixed.set(key, { start, count: 1 })
      else w.count++
      return
    }
    this.prune(key, now).push(now)
  }

  /** Milliseconds until a call would fit again (0 when it fits now). */
  retryAfterMs(key: string, now: number): number {
    if (!this.full(key, now)) return 0
    if (this.mode === 'fixed') return this.spec.windowMs - (now % this.spec.windowMs)
    const list = this.prune(key, now)
    const oldest = list[list.length - this.spec.limit] ?? now
    return Math.max(1, oldest + this.spec.windowMs - now)
  }

  reset(): void {
    this.fixed.clear()
    this.sliding.clear()
  }

  private prune(key: string, now: number): number[] {
    let list = this.sliding.get(key)
    if (list === undefined) {
      list = []
      this.sliding.set(key, list)
    }
    const cutoff = now - this.spec.windowMs
    let drop = 0
    while (drop < list.length && (list[drop] as number) <= cutoff) drop++
    if (drop > 0) list.splice(0, drop)
    return list
  }
}
