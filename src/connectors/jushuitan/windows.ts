/**
 * Window planning for modified-time queries (spec §10). The count query has no row-version
 * cursor, so completeness rests on three things here: windows never reach closer to "now" than
 * the safety lag (late commits), every window re-reads the tail of the previous one (overlap;
 * the first window re-reads the end of the previous run), and windows are at most 7 days. The
 * reader splits a window further, by its `data_count`, when it holds more pages than configured.
 */
import type { TimeWindow } from '../contract.js'

export interface PlanOptions {
  readonly maxWindowMs: number
  readonly safetyLagMs: number
  readonly overlapMs: number
}

/**
 * Windows covering [from, min(to, now − lag)], each at most `maxWindowMs` long including its
 * overlap with the previous window. Boundaries are whole seconds (the API's precision), and
 * consecutive windows overlap by `overlapMs`, so a 30-day range with 7-day windows and a
 * 10-minute overlap becomes 5 windows.
 */
export function planWindows(from: Date, to: Date, now: Date, o: PlanOptions): TimeWindow[] {
  const floorSec = (ms: number) => Math.floor(ms / 1000) * 1000
  const end = floorSec(Math.min(to.getTime(), now.getTime() - o.safetyLagMs))
  const overlap = Math.min(o.overlapMs, o.maxWindowMs / 2)
  let start = floorSec(from.getTime() - overlap)
  const out: TimeWindow[] = []
  if (end <= floorSec(from.getTime())) return out
  for (;;) {
    const stop = Math.min(end, start + o.maxWindowMs)
    out.push({ start: new Date(start), end: new Date(stop) })
    if (stop >= end) return out
    start = stop - overlap
  }
}

/** Split a window in two at a whole second; undefined when it cannot be split above `minMs`. */
export function splitWindow(w: TimeWindow, minMs: number): [TimeWindow, TimeWindow] | undefined {
  const span = w.end.getTime() - w.start.getTime()
  if (span < 2 * minMs) return undefined
  const mid = w.start.getTime() + Math.max(minMs, Math.floor(span / 2 / 1000) * 1000)
  return [
    { start: w.start, end: new Date(mid) },
    { start: new Date(mid), end: w.end },
  ]
}

/**
 * Split a window into `parts` windows of about equal span at whole seconds, none shorter than
 * `minMs` (fewer parts when the span does not allow them); undefined when it cannot be split.
 * Consecutive parts share their boundary second, as halves do.
 */
export function splitWindowInto(w: TimeWindow, parts: number, minMs: number): TimeWindow[] | undefined {
  const start = w.start.getTime()
  const span = w.end.getTime() - start
  const n = Math.min(Math.floor(parts), Math.floor(span / Math.max(1, minMs)))
  if (n < 2) return undefined
  const out: TimeWindow[] = []
  let from = start
  for (let i = 1; i <= n; i++) {
    const to = i === n ? w.end.getTime() : start + Math.floor((span * i) / n / 1000) * 1000
    if (to - from < minMs && i < n) continue
    out.push({ start: new Date(from), end: new Date(to) })
    from = to
  }
  return out.length < 2 ? undefined : out
}
