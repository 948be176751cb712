/**
 * The start times a {@link LocalRateBudget} counts, kept sorted in a deque. The budget asks on
 * every acquisition how many calls started in the last second and minute; scanning the whole
 * minute each time cost O(calls per minute) per call, which at engine speed (thousands of calls a
 * minute, and unbounded with generous limits) was a measurable share of the engine's CPU. Here
 * pruning is amortised O(1) and counting is a binary search.
 */
export class StartWindow {
  /** Ascending; entries before `head` are expired and wait for compaction. */
  private times: number[] = []
  private head = 0

  get size(): number {
    return this.times.length - this.head
  }

  /** Forget every start at or before `cutoff`. */
  dropThrough(cutoff: number): void {
    const t = this.times
    let h = this.head
    while (h < t.length && t[h]! <= cutoff) h++
    this.head = h
    // Compact once the dead prefix outweighs the live part, so memory stays bounded by the window
    // and each entry is copied at most once per compaction (amortised O(1)).
    if (h >= 1024 && h * 2 >= t.length) {
      this.times = t.slice(h)
      this.head = 0
    }
  }

  /** How many starts are later than `after`. */
  countAfter(after: number): number {
    const t = this.times
    let lo = this.head
    let hi = t.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (t[mid]! > after) hi = mid
      else lo = mid + 1
    }
    return t.length - lo
  }

  /** The `n`-th most recent start, 1 ≤ n ≤ size. */
  nthLatest(n: number): number {
    return this.times[this.times.length - n]!
  }

  add(at: number): void {
    const t = this.times
    const last = t.length > this.head ? t[t.length - 1]! : -Infinity
    if (at >= last) {
      t.push(at)
      return
    }
    // The wall clock stepped back: insert in order so the window stays sorted (rare, so O(n) is fine).
    let i = t.length
    while (i > this.head && t[i - 1]! > at) i--
    t.splice(i, 0, at)
  }
}
