import { afterEach, describe, expect, it } from 'vitest'
import { decodePage } from '../../../src/connectors/jushuitan/paging.js'
import { toJstTime } from '../../../src/connectors/jushuitan/time.js'
import { DEFAULT_START_MS } from '../../../simulators/data/generate.js'
import { parseShanghai } from '../../../simulators/data/shanghai-time.js'
import { COUNT, DAY, HOUR, harness, ids, rowsOf, type Harness } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const window = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + DAY) }
const hookWindow = { modified_begin: toJstTime(window.start), modified_end: toJstTime(window.end) }

/** Spec §11.5 scenario 4: after page 1, its first order is edited and moves past the window end. */
function scriptDrift(hh: Harness): { moved: number; before: number[] } {
  const before = ids(hh.sim.orders.visible().filter((o) => parseShanghai(o.modified)! <= window.end.getTime()))
  const first = hh.sim.orders.visible().sort((a, b) => a.modified.localeCompare(b.modified) || a.io_id - b.io_id)[0]!
  hh.sim.hooks.betweenPages(hookWindow, 1, () => {
    hh.sim.orders.touch(first.io_id, window.end.getTime() + HOUR)
  })
  return { moved: first.io_id, before }
}

describe('聚水潭 count orders: drift between pages (spec §11.5 scenario 4)', () => {
  it('a naive pager over the same simulator misses exactly one order', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } } })
    const { before } = scriptDrift(h)
    const seen: number[] = []
    for (let page = 1; ; page++) {
      const data = await h.rt.internals.business(COUNT, { page_index: page, page_size: 50, ...hookWindow })
      const p = decodePage(COUNT, data, page)
      seen.push(...ids(p.rows))
      if (!p.hasNext) break
    }
    expect(before.filter((id) => !seen.includes(id))).toHaveLength(1)
  })

  it('the connector misses none when it pages the window and verifies it', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } }, config: { maxPagesPerWindow: 10 } })
    const { before } = scriptDrift(h)
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(before.filter((id) => !ids(rows).includes(id))).toEqual([])
    expect(new Set(ids(rows)).size).toBe(rows.length)
    expect(h.rt.internals.readers.stats.verifyFound).toBe(1)
  })

  it('the connector misses none with its default single-page windows either', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } } })
    const { before } = scriptDrift(h)
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(before.filter((id) => !ids(rows).includes(id))).toEqual([])
    expect(new Set(ids(rows)).size).toBe(rows.length)
  })

  it('picks up the moved order in its new version through the next window', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } }, config: { maxPagesPerWindow: 10 } })
    const { moved } = scriptDrift(h)
    await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    const [next] = h.rt.source.planWindows(COUNT, window.end, new Date(window.end.getTime() + 2 * HOUR))
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window: next!, params: {} }))
    expect(rows.find((r) => Number(r.io_id) === moved)?.modified).toBe(toJstTime(window.end.getTime() + HOUR))
  })
})

describe('聚水潭 count orders: late commits (spec §11.5 scenario 5)', () => {
  it('an order committed after the run read its window is picked up by the next run thanks to the overlap', async () => {
    const now = DEFAULT_START_MS + 2 * DAY
    h = await harness({ sim: { generate: { orders: 10, days: 1 }, visibilityDelayMs: 8 * 60_000 }, now })
    const template = h.sim.orders.visible()[0]!
    // Modified now, but visible to queries only 8 minutes later (slower than the 5-minute safety lag).
    const late = h.sim.orders.insert({ ...template, io_id: 9_000_001, modified: '' })
    h.sim.clock.advance(6 * 60_000)
    const run1 = h.rt.source.planWindows(COUNT, new Date(now - HOUR), new Date(h.sim.clock.now()))
    const first: number[] = []
    for (const w of run1) first.push(...ids(await rowsOf(h.rt.source.read({ api: COUNT, window: w, params: {} }))))
    expect(first).not.toContain(late.io_id)

    h.sim.clock.advance(30 * 60_000)
    const watermark = run1.at(-1)!.end
    const run2 = h.rt.source.planWindows(COUNT, watermark, new Date(h.sim.clock.now()))
    const second: number[] = []
    for (const w of run2) second.push(...ids(await rowsOf(h.rt.source.read({ api: COUNT, window: w, params: {} }))))
    expect(second).toContain(late.io_id)
  })
})
