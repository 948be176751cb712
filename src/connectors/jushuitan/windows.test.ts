import { describe, expect, it } from 'vitest'
import { planWindows, splitWindow, splitWindowInto } from './windows.js'

const DAY = 86_400_000
const MIN = 60_000
const at = (iso: string) => new Date(iso)
const opts = { maxWindowMs: 7 * DAY, safetyLagMs: 5 * MIN, overlapMs: 10 * MIN }

describe('planWindows', () => {
  it('splits a 30-day backfill into 5 windows of at most 7 days that overlap by the configured 10 minutes', () => {
    const from = at('2024-04-01T00:00:00Z')
    const to = at('2024-05-01T00:00:00Z')
    const ws = planWindows(from, to, at('2024-06-01T00:00:00Z'), opts)
    expect(ws).toHaveLength(5)
    expect(ws[0]!.start).toEqual(new Date(from.getTime() - 10 * MIN))
    expect(ws.at(-1)!.end).toEqual(to)
    for (const w of ws) expect(w.end.getTime() - w.start.getTime()).toBeLessThanOrEqual(7 * DAY)
    for (let i = 1; i < ws.length; i++) expect(ws[i - 1]!.end.getTime() - ws[i]!.start.getTime()).toBe(10 * MIN)
  })

  it('stops the last window the safety lag before now', () => {
    const now = at('2024-05-01T12:00:30Z')
    const ws = planWindows(at('2024-05-01T10:00:00Z'), at('2024-05-02T00:00:00Z'), now, opts)
    expect(ws).toEqual([{ start: at('2024-05-01T09:50:00Z'), end: at('2024-05-01T11:55:30Z') }])
  })

  it('plans nothing when the whole range is inside the safety lag', () => {
    const now = at('2024-05-01T12:00:00Z')
    expect(planWindows(at('2024-05-01T11:58:00Z'), now, now, opts)).toEqual([])
  })

  it('honours a smaller configured maximum span', () => {
    const ws = planWindows(at('2024-05-01T00:00:00Z'), at('2024-05-02T00:00:00Z'), at('2024-06-01T00:00:00Z'), {
      maxWindowMs: 6 * 3_600_000,
      safetyLagMs: 0,
      overlapMs: 0,
    })
    expect(ws).toHaveLength(4)
    expect(ws[1]).toEqual({ start: at('2024-05-01T06:00:00Z'), end: at('2024-05-01T12:00:00Z') })
  })
})

describe('splitWindow', () => {
  it('halves a window at a whole second', () => {
    const [a, b] = splitWindow({ start: at('2024-05-01T00:00:00Z'), end: at('2024-05-01T00:00:05Z') }, 1000)!
    expect(a.end).toEqual(at('2024-05-01T00:00:02Z'))
    expect(b.start).toEqual(a.end)
    expect(b.end).toEqual(at('2024-05-01T00:00:05Z'))
  })

  it('refuses to split below the minimum span', () => {
    expect(splitWindow({ start: at('2024-05-01T00:00:00Z'), end: at('2024-05-01T00:00:01Z') }, 1000)).toBeUndefined()
  })
})

describe('splitWindowInto', () => {
  it('cuts a window into parts of about equal span at whole seconds, each starting where the last ended', () => {
    const w = { start: at('2024-05-01T00:00:00Z'), end: at('2024-05-01T00:00:10Z') }
    const parts = splitWindowInto(w, 3, 1000)!
    expect(parts.map((p) => [p.start.toISOString().slice(17, 19), p.end.toISOString().slice(17, 19)])).toEqual([
      ['00', '03'],
      ['03', '06'],
      ['06', '10'],
    ])
  })

  it('makes fewer parts when the minimum span does not allow as many, and none below two', () => {
    const w = { start: at('2024-05-01T00:00:00Z'), end: at('2024-05-01T00:00:03Z') }
    expect(splitWindowInto(w, 10, 1000)).toHaveLength(3)
    expect(splitWindowInto(w, 10, 2000)).toBeUndefined()
  })
})
