import { describe, expect, it } from 'vitest'
import { LocalRateBudget } from '../../../src/connectors/budget.js'
import { VirtualClock } from '../../../src/connectors/budget-clock.js'
import { StartWindow } from '../../../src/connectors/start-window.js'

/** The budget's wait as it was computed before the deque: filter the whole minute on every call. */
function referenceWait(
  starts: number[],
  now: number,
  perSecond: number | undefined,
  perMinute: number | undefined,
): number {
  const live = starts.filter((t) => t > now - 60_000)
  let wait = 0
  for (const [n, span] of [
    [perSecond, 1000],
    [perMinute, 60_000],
  ] as const) {
    if (n === undefined) continue
    if (live.filter((t) => t > now - span).length >= n) wait = Math.max(wait, live[live.length - n]! + span - now)
  }
  return wait
}

describe('StartWindow', () => {
  it('counts, drops and indexes like a filtered array across compactions', () => {
    const w = new StartWindow()
    let live: number[] = []
    let t = 0
    for (let i = 0; i < 5000; i++) {
      t += i % 7 === 0 ? 0 : (i * 37) % 23
      w.add(t)
      live.push(t)
      if (i % 50 === 0) {
        w.dropThrough(t - 300)
        live = live.filter((x) => x > t - 300)
        expect(w.size).toBe(live.length)
      }
      expect(w.countAfter(t - 100)).toBe(live.filter((x) => x > t - 100).length)
      const n = 1 + (i % Math.min(live.length, 40))
      expect(w.nthLatest(n)).toBe(live[live.length - n])
    }
  })

  it('keeps starts sorted when the clock steps back', () => {
    const w = new StartWindow()
    for (const t of [10, 20, 30, 15, 5]) w.add(t)
    expect([5, 4, 3, 2, 1].map((n) => w.nthLatest(n))).toEqual([5, 10, 15, 20, 30])
    w.dropThrough(12)
    expect(w.size).toBe(3)
    expect(w.countAfter(15)).toBe(2)
  })
})

describe('LocalRateBudget start times', () => {
  it('waits exactly as long as scanning every start of the minute would say, over a long run', async () => {
    const clock = new VirtualClock(0)
    const perSecond = 7
    const perMinute = 150
    const budget = new LocalRateBudget({ perSecond, perMinute, clock, guardMs: 0 })
    const starts: number[] = []
    for (let i = 0; i < 2000; i++) {
      // Irregular gaps so windows fill and drain at different phases.
      if (i % 13 === 0) clock.advance((i * 97) % 1500)
      const before = clock.now()
      const expected = referenceWait(starts, before, perSecond, perMinute)
      const release = await budget.acquire()
      expect(clock.now() - before).toBe(expected)
      starts.push(clock.now())
      release()
    }
  })
})
