/**
 * Sign-in throttling: failed attempts are counted per client address and per user name in a
 * sliding window; past the limit every attempt is refused until the oldest failure ages out,
 * so password guessing gets a handful of tries per window however it is spread.
 */
export interface ThrottleOptions {
  readonly maxFailures: number
  readonly windowMs: number
  readonly now?: () => number
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>()
  private readonly now: () => number

  constructor(private readonly o: ThrottleOptions = { maxFailures: 5, windowMs: 15 * 60_000 }) {
    this.now = o.now ?? Date.now
  }

  /** Seconds to wait before another attempt for these keys, or 0. */
  retryAfter(keys: readonly string[]): number {
    const now = this.now()
    let wait = 0
    for (const k of keys) {
      const list = this.recent(k, now)
      if (list.length >= this.o.maxFailures)
        wait = Math.max(wait, (list[list.length - this.o.maxFailures] ?? now) + this.o.windowMs - now)
    }
    return Math.ceil(wait / 1000)
  }

  fail(keys: readonly string[]): void {
    const now = this.now()
    for (const k of keys) this.failures.set(k, [...this.recent(k, now), now])
    // Bound memory under a spray of names: drop keys whose failures have all aged out.
    if (this.failures.size > 10_000)
      for (const k of [...this.failures.keys()]) if (this.recent(k, now).length === 0) this.failures.delete(k)
  }

  succeed(keys: readonly string[]): void {
    for (const k of keys) this.failures.delete(k)
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.o.windowMs)
  }
}
