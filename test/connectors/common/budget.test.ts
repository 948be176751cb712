import { describe, expect, it } from 'vitest'
import { budgetKeyFor, effectiveLimits, LocalBudgetRegistry, LocalRateBudget } from '../../../src/connectors/budget.js'
import { VirtualClock } from '../../../src/connectors/budget-clock.js'
import { defineConnector } from '../../../src/connectors/contract.js'

/** Acquire `n` slots one after another, releasing each at once; returns the virtual start times. */
async function startTimes(budget: LocalRateBudget, clock: VirtualClock, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const release = await budget.acquire()
    out.push(clock.now())
    release()
  }
  return out
}

function maxInWindow(times: number[], span: number): number {
  let max = 0
  for (const t of times) max = Math.max(max, times.filter((u) => u >= t && u < t + span).length)
  return max
}

describe('LocalRateBudget', () => {
  it('starts up to perSecond calls at once and delays the next until the second has passed', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 4, clock, guardMs: 0 })
    const times = await startTimes(budget, clock, 5)
    expect(times.slice(0, 4)).toEqual([0, 0, 0, 0])
    expect(times[4]).toBe(1000)
  })

  it('never starts more than perSecond in any second or perMinute in any minute over a long run', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 4, perMinute: 90, clock, guardMs: 0 })
    const times = await startTimes(budget, clock, 250)
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(4)
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(90)
    // It also does not wait longer than the limits require: the 91st call starts one minute after the 1st.
    expect(times[90]).toBe(60_000)
  })

  it('holds a caller until an in-flight slot is released', async () => {
    const budget = new LocalRateBudget({ inFlight: 1, clock: new VirtualClock(0) })
    const first = await budget.acquire()
    let secondStarted = false
    const second = budget.acquire().then((r) => {
      secondStarted = true
      return r
    })
    await new Promise((r) => setImmediate(r))
    expect(secondStarted).toBe(false)
    expect(budget.stats().inFlight).toBe(1)
    first()
    ;(await second)()
    expect(secondStarted).toBe(true)
    expect(budget.stats().inFlight).toBe(0)
  })

  it('ignores a second call of the same release function', async () => {
    const budget = new LocalRateBudget({ inFlight: 2, clock: new VirtualClock(0) })
    const a = await budget.acquire()
    await budget.acquire()
    a()
    a()
    expect(budget.stats().inFlight).toBe(1)
  })

  it('keeps every window a guard wider than its span, so arrivals jittered by less than the guard stay within the limit', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 4, perMinute: 100, clock })
    const times = await startTimes(budget, clock, 200)
    // Default guard: 20 ms on the second, 50 ms on the minute.
    expect(maxInWindow(times, 1020)).toBeLessThanOrEqual(4)
    expect(maxInWindow(times, 60_050)).toBeLessThanOrEqual(100)
    expect(times[4]).toBe(1020)
  })

  it('learns a cap just under what the vendor accepted and holds callers only until the window has room', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 20, perMinute: 1200, clock, guardMs: 0 })
    // 20 calls go out in the first second; the vendor really allows 14 a second and says so on the 15th.
    await startTimes(budget, clock, 15)
    budget.penalise(5_000, { window: 'second' })
    const s = budget.stats()
    expect(s.penalties).toBe(1)
    expect(s.learned.perSecond).toBeLessThan(14)
    expect(s.learned.perSecond).toBeGreaterThanOrEqual(13)
    // The hold is the time until the second frees (1 s), not the connector's 5 s default.
    const next = await startTimes(budget, clock, 1)
    expect(next[0]).toBe(1000)
  })

  it('slows down briefly after a throttle and is back at its learned cap within seconds', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 100, clock, guardMs: 0 })
    await startTimes(budget, clock, 80)
    budget.penalise(1_000, { window: 'second' })
    const cap = budget.stats().learned.perSecond!
    expect(budget.stats().slowed).toBe(true)
    expect(budget.stats().effective.perSecond).toBeLessThan(Math.floor(cap))
    clock.advance(10_000)
    expect(budget.stats().slowed).toBe(false)
    expect(budget.stats().effective.perSecond).toBe(Math.floor(cap))
  })

  it('treats throttles arriving within a second of each other as one overload, not one halving each', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 100, clock, guardMs: 0 })
    await startTimes(budget, clock, 100)
    for (let i = 0; i < 10; i++) budget.penalise(1_000, { window: 'second' })
    expect(budget.stats().penalties).toBe(10)
    expect(budget.stats().learned.perSecond).toBeGreaterThan(50)
  })

  it('never goes below the floor however many throttles arrive', () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 50, clock, floor: 0.2 })
    for (let i = 0; i < 40; i++) {
      budget.penalise(10, { window: 'second' })
      clock.advance(1_500)
    }
    expect(budget.stats().effective.perSecond).toBe(10)
  })

  it('starts from the caps an earlier run learned, and never above the configured limits', () => {
    const low = new LocalRateBudget({ perSecond: 20, perMinute: 1000, learned: { perSecond: 14, perMinute: 5000 } })
    expect(low.stats().effective).toEqual({ perSecond: 14, perMinute: 1000 })
    expect(low.stats().learned).toEqual({ perSecond: 14 })
  })

  it('honours a vendor-given wait exactly', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 4, clock })
    budget.penalise(5_000, { exact: true })
    const times = await startTimes(budget, clock, 1)
    expect(times[0]).toBe(5_000)
  })

  it('rejects an aborted acquisition with ERR_CALL_ABORTED and does not use a slot', async () => {
    const budget = new LocalRateBudget({ perSecond: 1, clock: new VirtualClock(0) })
    const ac = new AbortController()
    ac.abort()
    await expect(budget.acquire(ac.signal)).rejects.toMatchObject({ code: 'ERR_CALL_ABORTED' })
    expect(budget.stats().acquired).toBe(0)
    await budget.acquire()
    expect(budget.stats().acquired).toBe(1)
  })

  it('gives up waiting for an in-flight slot when the signal aborts', async () => {
    const budget = new LocalRateBudget({ inFlight: 1, clock: new VirtualClock(0) })
    await budget.acquire()
    const ac = new AbortController()
    const waiting = budget.acquire(ac.signal)
    ac.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_CALL_ABORTED', kind: 'transient' })
  })

  it.each([
    ['perSecond', 0],
    ['perMinute', 1.5],
    ['inFlight', -1],
  ])('refuses %s = %s with ERR_BUDGET_LIMITS', (field, value) => {
    expect(() => new LocalRateBudget({ [field]: value })).toThrow(
      expect.objectContaining({ code: 'ERR_BUDGET_LIMITS', location: `budget.${field}` }),
    )
  })
})

describe('effectiveLimits', () => {
  it('lets perSecond alone set the rate: the minute limit follows instead of the default capping it', () => {
    expect(effectiveLimits({ perSecond: 6, perMinute: 400, inFlight: 4 }, { perSecond: 20 })).toEqual({
      perSecond: 20,
      perMinute: 1200,
      inFlight: 4,
    })
  })

  it('spreads a perMinute given alone evenly over the minute', () => {
    expect(effectiveLimits({ perSecond: 6, perMinute: 400 }, { perMinute: 2000 })).toEqual({
      perSecond: 34,
      perMinute: 2000,
    })
  })

  it('keeps both when both are given, and the defaults when none is', () => {
    expect(effectiveLimits({ perSecond: 6, perMinute: 400 }, { perSecond: 10, perMinute: 100 })).toEqual({
      perSecond: 10,
      perMinute: 100,
    })
    expect(effectiveLimits({ perSecond: 6, perMinute: 400 })).toEqual({ perSecond: 6, perMinute: 400 })
  })

  it('gives perSecond alone that rate over a long run, not the default minute cap', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({
      ...effectiveLimits({ perSecond: 6, perMinute: 400 }, { perSecond: 20 }),
      clock,
    })
    const times = await startTimes(budget, clock, 1201)
    // 1 200 calls in the first minute (a guard's worth later), where the default 400/min allowed 400.
    expect(times[1199]! - times[0]!).toBeLessThan(61_000)
    expect(times[1199]! - times[0]!).toBeGreaterThan(58_000)
  })
})

describe('LocalBudgetRegistry', () => {
  it('hands every user of one credential the same budget and other credentials their own', async () => {
    const clock = new VirtualClock(0)
    const registry = new LocalBudgetRegistry({ clock, guardMs: 0 })
    const a1 = registry.forKey('jushuitan:app-1', { perSecond: 2 })
    const a2 = registry.forKey('jushuitan:app-1', { perSecond: 100 })
    const b = registry.forKey('jushuitan:app-2', { perSecond: 2 })
    expect(a1).toBe(a2)
    expect(b).not.toBe(a1)
    ;(await a1.acquire())()
    ;(await a2.acquire())()
    ;(await b.acquire())()
    expect(clock.now()).toBe(0)
    ;(await a2.acquire())()
    expect(clock.now()).toBe(1000)
  })

  it('keys budgets by the connector credential hook, falling back to the connection id', () => {
    const base = {
      title: 'T',
      version: 1,
      config: {},
      apis: [],
      errorCatalogue: [],
      budget: {},
      open: () => Promise.reject(new Error('unused')),
    }
    const keyed = defineConnector({ ...base, name: 'jst', budgetKey: (c) => String(c.appKey) })
    const plain = defineConnector({ ...base, name: 'other' })
    expect(budgetKeyFor(keyed, { appKey: 'K1' }, 'conn-9')).toBe('jst:K1')
    expect(budgetKeyFor(plain, { appKey: 'K1' }, 'conn-9')).toBe('other:conn-9')
  })
})
