import { describe, expect, it } from 'vitest'
import { budgetKeyFor, LocalBudgetRegistry, LocalRateBudget } from '../../../src/connectors/budget.js'
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
    const budget = new LocalRateBudget({ perSecond: 4, clock })
    const times = await startTimes(budget, clock, 5)
    expect(times.slice(0, 4)).toEqual([0, 0, 0, 0])
    expect(times[4]).toBe(1000)
  })

  it('never starts more than perSecond in any second or perMinute in any minute over a long run', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 4, perMinute: 90, clock })
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

  it('blocks every caller for the penalty wait and then runs at half rate while slowed', async () => {
    const clock = new VirtualClock(0)
    const budget = new LocalRateBudget({ perSecond: 4, clock, slowdownMs: 10_000 })
    budget.penalise(5_000)
    const times = await startTimes(budget, clock, 5)
    expect(times[0]).toBe(5_000)
    expect(times.slice(0, 2)).toEqual([5_000, 5_000])
    expect(times[2]).toBe(6_000)
    expect(budget.stats()).toMatchObject({ penalties: 1, slowed: true })
    clock.advance(20_000)
    const later = await startTimes(budget, clock, 4)
    expect(new Set(later).size).toBe(1)
    expect(budget.stats().slowed).toBe(false)
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

  it.each([['perSecond', 0], ['perMinute', 1.5], ['inFlight', -1]])('refuses %s = %s with ERR_BUDGET_LIMITS', (field, value) => {
    expect(() => new LocalRateBudget({ [field]: value })).toThrow(expect.objectContaining({ code: 'ERR_BUDGET_LIMITS', location: `budget.${field}` }))
  })
})

describe('LocalBudgetRegistry', () => {
  it('hands every user of one credential the same budget and other credentials their own', async () => {
    const clock = new VirtualClock(0)
    const registry = new LocalBudgetRegistry({ clock })
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
    const base = { title: 'T', version: 1, config: {}, apis: [], errorCatalogue: [], budget: {}, open: () => Promise.reject(new Error('unused')) }
    const keyed = defineConnector({ ...base, name: 'jst', budgetKey: (c) => String(c.appKey) })
    const plain = defineConnector({ ...base, name: 'other' })
    expect(budgetKeyFor(keyed, { appKey: 'K1' }, 'conn-9')).toBe('jst:K1')
    expect(budgetKeyFor(plain, { appKey: 'K1' }, 'conn-9')).toBe('other:conn-9')
  })
})
