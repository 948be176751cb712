import { afterEach, describe, expect, it } from 'vitest'
import { formatShanghai, parseShanghai } from '../../../simulators/data/shanghai-time.js'
import { DEFAULT_START_MS } from '../../../simulators/data/generate.js'
import { countBizzes, DAY, harness, ids, rowsOf, type Harness } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** Orders whose `modified` lies in [from, to] (both ends inclusive, as the simulator's default). */
function expected(hh: Harness, from: number, to: number): number[] {
  return ids(
    hh.sim.orders.visible().filter((o) => {
      const m = parseShanghai(o.modified)!
      return m >= from && m <= to
    }),
  )
}

describe('聚水潭 count orders: windows against the simulator', () => {
  it('turns a 30-day range into 5 windows overlapping by 10 minutes and sends exactly those queries', async () => {
    h = await harness({
      sim: { generate: { orders: 60, days: 30 } },
      now: DEFAULT_START_MS + 40 * DAY,
      config: { maxPagesPerWindow: 100 },
    })
    const from = new Date(DEFAULT_START_MS)
    const to = new Date(DEFAULT_START_MS + 30 * DAY)
    const windows = h.rt.source.planWindows(COUNT_API, from, to)
    expect(windows).toHaveLength(5)
    const rows: Record<string, unknown>[] = []
    for (const w of windows) rows.push(...(await rowsOf(h.rt.source.read({ api: COUNT_API, window: w, params: {} }))))

    const sent = countBizzes(h.sim)
    expect(sent.map((b) => [b.modified_begin, b.modified_end])).toEqual(
      windows.map((w) => [formatShanghai(w.start.getTime()), formatShanghai(w.end.getTime())]),
    )
    expect(sent.every((b) => b.page_index === 1 && b.page_size === 50)).toBe(true)
    for (let i = 1; i < sent.length; i++) {
      const prevEnd = parseShanghai(String(sent[i - 1]!.modified_end))!
      const start = parseShanghai(String(sent[i]!.modified_begin))!
      expect(prevEnd - start).toBe(10 * 60_000)
    }
    // Every order of the range arrives; the overlap may deliver one twice across windows, never within one.
    expect([...new Set(ids(rows))]).toEqual(expected(h, from.getTime(), to.getTime()))
  })

  it('splits a window whose orders need more pages than the threshold, and still returns each order once', async () => {
    h = await harness({ sim: { generate: { orders: 200, days: 7 } } })
    const w = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + 7 * DAY) }
    const rows = await rowsOf(h.rt.source.read({ api: COUNT_API, window: w, params: {} }))
    expect(ids(rows)).toEqual(expected(h, w.start.getTime(), w.end.getTime()))
    expect(h.rt.internals.readers.stats.splits).toBeGreaterThan(0)
    // Every window that was finally paged fitted one page.
    const answered = h.sim.log.entries({ endpoint: COUNT_API, outcome: 'accepted' })
    expect(answered.length).toBeGreaterThan(4)
    expect(countBizzes(h.sim).every((b) => b.page_index === 1)).toBe(true)
  })

  it('reads a window of several pages in about one call per page needed, not three', async () => {
    h = await harness({ sim: { generate: { orders: 1_200, days: 7 } } })
    const w = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + 7 * DAY) }
    const rows = await rowsOf(h.rt.source.read({ api: COUNT_API, window: w, params: {} }))
    const want = expected(h, w.start.getTime(), w.end.getTime())
    expect(ids(rows)).toEqual(want)
    const pagesNeeded = Math.ceil(want.length / 50)
    expect(pagesNeeded).toBeGreaterThan(10)
    // The window's first page, then parts planned at 40 rows from its data_count (a few may
    // overflow and be split again). Halving took about three calls per page needed here.
    const calls = countBizzes(h.sim).length
    expect(calls).toBeLessThanOrEqual(Math.ceil(pagesNeeded * 1.5) + 1)
    expect(countBizzes(h.sim).every((b) => b.page_index === 1)).toBe(true)
  })

  it('pages through a large window without splitting when the threshold allows, verifying it with a second pass', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } }, config: { maxPagesPerWindow: 10 } })
    const w = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + DAY) }
    const rows = await rowsOf(h.rt.source.read({ api: COUNT_API, window: w, params: {} }))
    expect(ids(rows)).toEqual(expected(h, w.start.getTime(), w.end.getTime()))
    expect(countBizzes(h.sim).map((b) => b.page_index)).toEqual([1, 2, 3, 1, 2, 3])
  })
})

const COUNT_API = '/open/inventory/count/query'
