/**
 * Interval arithmetic on half-open [start, end) ranges of epoch milliseconds, shared by the
 * closed-window store. Pure functions, so the merge rules are tested without a database.
 */

export interface Interval {
  readonly start: number
  readonly end: number
}

/** Merge `added` into a set of disjoint intervals; touching or overlapping ones become one. */
export function mergeInterval(existing: readonly Interval[], added: Interval): Interval[] {
  let start = added.start
  let end = added.end
  const out: Interval[] = []
  for (const iv of existing) {
    if (iv.end < start || iv.start > end) out.push(iv)
    else {
      start = Math.min(start, iv.start)
      end = Math.max(end, iv.end)
    }
  }
  out.push({ start, end })
  return out.sort((a, b) => a.start - b.start)
}

/**
 * End of the closed run that covers `from` without a gap; `from` itself when nothing covers it.
 * `sorted` must be disjoint and sorted by start.
 */
export function contiguousEnd(sorted: readonly Interval[], from: number): number {
  let cursor = from
  for (const iv of sorted) {
    if (iv.start > cursor) break
    if (iv.end > cursor) cursor = iv.end
  }
  return cursor
}

/** The parts of [from, to) not covered by `sorted` (disjoint, sorted by start). */
export function gapsBetween(sorted: readonly Interval[], from: number, to: number): Interval[] {
  const gaps: Interval[] = []
  let cursor = from
  for (const iv of sorted) {
    if (iv.end <= cursor) continue
    if (iv.start >= to) break
    if (iv.start > cursor) gaps.push({ start: cursor, end: Math.min(iv.start, to) })
    cursor = Math.max(cursor, iv.end)
    if (cursor >= to) break
  }
  if (cursor < to) gaps.push({ start: cursor, end: to })
  return gaps
}
