import { describe, expect, it } from 'vitest'
import { COUNT, harness } from './harness.js'
import { naivePager, splittingPager, type Row } from './pagers.js'
import { shanghai } from './tiny-client.js'

const DAY = { begin: '2026-11-01 00:00:00', end: '2026-11-01 23:59:59' }

async function dayOf120() {
  const h = await harness({ generate: { orders: 120, days: 1, start: '2026-11-01 00:00:00' } })
  // Each call moves the simulated clock 250 ms, as a client keeping under 5 calls/s would.
  const call = async (biz: Record<string, unknown>) => {
    h.sim.clock.advance(250)
    return h.call(COUNT, biz)
  }
  const sorted = h.sim.orders
    .latest()
    .sort((a, b) => (a.modified < b.modified ? -1 : a.modified > b.modified ? 1 : a.io_id - b.io_id))
  return { ...h, call, sorted }
}

describe('JST simulator drift between pages (spec §9.1, §11.5 scenario 4)', () => {
  it('makes a naive pager miss exactly one order when an order on page 1 moves past the window end', async () => {
    const { sim, call, sorted } = await dayOf120()
    expect(sorted).toHaveLength(120)
    const moved = sorted[10]!.io_id
    sim.hooks.betweenPages({ modified_begin: DAY.begin, modified_end: DAY.end }, 1, () => {
      sim.orders.touch(moved, '2026-11-02 12:00:00')
    })
    const seen = new Set((await naivePager(call, DAY.begin, DAY.end)).map((r) => r.io_id))
    const missed = sorted.map((o) => o.io_id).filter((id) => !seen.has(id))
    expect(missed).toEqual([sorted[50]!.io_id])
  })

  it('lets the splitting pager of spec §10 miss none: the moved order is read in the next window', async () => {
    const { sim, call, sorted } = await dayOf120()
    const moved = sorted[10]!.io_id
    sim.hooks.betweenPages({ modified_begin: DAY.begin, modified_end: DAY.end }, 1, () => {
      sim.orders.touch(moved, '2026-11-02 12:00:00')
    })
    const first = await splittingPager(call, DAY.begin, DAY.end)
    const next = await splittingPager(call, '2026-11-02 00:00:00', '2026-11-02 23:59:59')
    const latest = new Map<number, Row>()
    for (const r of [...first, ...next]) latest.set(r.io_id, r)
    expect([...latest.keys()].sort()).toEqual(sorted.map((o) => o.io_id).sort())
    expect(latest.get(moved)?.modified).toBe('2026-11-02 12:00:00')
  })

  it('recomputes offsets on every request: an insert before page 2 duplicates a row for the naive pager', async () => {
    const { sim, call, sorted } = await dayOf120()
    sim.hooks.betweenPages(undefined, 1, () => {
      sim.orders.insert({ ...sorted[0]!, io_id: 1, modified: '2026-11-01 00:00:00', items: [] })
    })
    const got = await naivePager(call, DAY.begin, DAY.end)
    const ids = got.map((r) => r.io_id)
    expect(ids.length - new Set(ids).size).toBe(1)
  })
})

describe('JST simulator visibility lag (spec §10 steps 2–3, §11.5 scenario 5)', () => {
  const LAG = 2 * 60_000
  const OVERLAP = 10 * 60_000

  async function scenario(overlapMs: number): Promise<boolean> {
    const { sim, call } = await harness({
      visibilityDelayMs: 5 * 60_000,
      generate: { orders: 5, days: 1, start: '2026-11-01 00:00:00' },
    })
    const t = Date.UTC(2026, 10, 1, 4, 0, 0) // 12:00 Shanghai
    const template = sim.orders.latest()[0]!
    // Committed at t−3 min but visible only from t+2 min: inside the window of the run at t, yet unseen.
    sim.clock.set(t - 3 * 60_000)
    sim.orders.insert({ ...template, io_id: 9_999_001, modified: '' })
    sim.clock.set(t)
    const q = (b: Record<string, unknown>) => call(COUNT, b)
    const firstEnd = t - LAG
    const run1 = await splittingPager(q, shanghai(t - 3600_000), shanghai(firstEnd))
    sim.clock.set(t + 10 * 60_000)
    const run2 = await splittingPager(q, shanghai(firstEnd - overlapMs), shanghai(sim.clock.now() - LAG))
    expect(run1.some((r) => r.io_id === 9_999_001)).toBe(false)
    return run2.some((r) => r.io_id === 9_999_001)
  }

  it('picks up an order committed late within the safety lag on the next run thanks to the overlap', async () => {
    expect(await scenario(OVERLAP)).toBe(true)
  })

  it('misses that order for good when the next run does not overlap', async () => {
    expect(await scenario(0)).toBe(false)
  })

  it('hides an insert until visibilityDelayMs has passed on the simulated clock', async () => {
    const { sim, call } = await harness({ visibilityDelayMs: 60_000 })
    const o = sim.orders.latest()[0]!
    sim.orders.setStatus(o.io_id, 'Cancelled')
    const byId = async (): Promise<string | undefined> =>
      ((await call(COUNT, { io_ids: String(o.io_id) })).json?.data.datas as { status: string }[])[0]?.status
    expect(await byId()).toBe(o.status)
    sim.clock.advance(60_000)
    expect(await byId()).toBe('Cancelled')
  })
})

describe('JST simulator afterRequest hook (spec §11.3)', () => {
  it('runs a mutation right after the n-th request, counted from when it was set', async () => {
    const { sim, call } = await harness()
    const o = sim.orders.latest()[0]!
    await call(COUNT, {})
    sim.hooks.afterRequest(2, () => {
      sim.orders.setStatus(o.io_id, 'Delete')
    })
    const status = async () =>
      ((await call(COUNT, { io_ids: String(o.io_id) })).json?.data.datas as { status: string }[])[0]?.status
    expect(await status()).toBe(o.status)
    expect(await status()).toBe(o.status)
    expect(await status()).toBe('Delete')
  })
})
