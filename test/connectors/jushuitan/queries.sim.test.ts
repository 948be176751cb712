import { afterEach, describe, expect, it } from 'vitest'
import { decodePage, scanPass } from '../../../src/connectors/jushuitan/paging.js'
import { toJstTime } from '../../../src/connectors/jushuitan/time.js'
import { DEFAULT_START_MS } from '../../../simulators/data/generate.js'
import { parseShanghai } from '../../../simulators/data/shanghai-time.js'
import { COUNT, countBizzes, DAY, harness, ids, rowsOf, type Harness } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const window = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + 7 * DAY) }
const STATUSES = ['WaitConfirm', 'Confirmed', 'Archive', 'Cancelled', 'Delete']

describe('聚水潭 pre-call validation (spec §11.5 scenario 7)', () => {
  const begin = toJstTime(DEFAULT_START_MS)
  it.each([
    [
      'an 8-day window',
      { modified_begin: begin, modified_end: toJstTime(DEFAULT_START_MS + 8 * DAY) },
      'ERR_JST_WINDOW_TOO_LONG',
      'params.modified_end',
    ],
    [
      '51 io_ids',
      { io_ids: Array.from({ length: 51 }, (_x, i) => 1000 + i).join(',') },
      'ERR_JST_TOO_MANY_IDS',
      'params.io_ids',
    ],
    ['a lone modified_begin', { modified_begin: begin }, 'ERR_JST_HALF_RANGE', 'params.modified_end'],
    ['no selector at all', {}, 'ERR_JST_NO_SELECTOR', 'params.io_ids'],
    ['a page size of 100', { io_ids: '1', page_size: 100 }, 'ERR_JST_BAD_PARAM', 'params.page_size'],
    ['an unknown status', { io_ids: '1', status: 'Creating' }, 'ERR_JST_BAD_PARAM', 'params.status'],
  ])('refuses %s locally with a coded config error and sends nothing', async (_n, params, code, location) => {
    h = await harness()
    await expect(rowsOf(h.rt.source.read({ api: COUNT, params }))).rejects.toMatchObject({
      code,
      kind: 'config',
      location,
    })
    expect(h.sim.log.entries()).toHaveLength(0)
  })

  it('gets 140 from the simulator when the local checks are bypassed, reported as ERR_JST_PARAMS', async () => {
    h = await harness()
    const biz = {
      page_index: 1,
      page_size: 50,
      modified_begin: toJstTime(DEFAULT_START_MS),
      modified_end: toJstTime(DEFAULT_START_MS + 8 * DAY),
    }
    await expect(h.rt.internals.business(COUNT, biz)).rejects.toMatchObject({
      code: 'ERR_JST_PARAMS',
      details: { vendorCode: 140 },
    })
  })

  it('accepts exactly 7 days and exactly 50 io_ids', async () => {
    h = await harness({ config: { maxPagesPerWindow: 100 } })
    const all = ids(h.sim.orders.visible())
    const params = { modified_begin: toJstTime(DEFAULT_START_MS), modified_end: toJstTime(DEFAULT_START_MS + 7 * DAY) }
    expect((await rowsOf(h.rt.source.read({ api: COUNT, params }))).length).toBeGreaterThan(0)
    const some = all.slice(0, 50)
    expect(ids(await rowsOf(h.rt.source.read({ api: COUNT, params: { io_ids: some.join(',') } })))).toEqual(some)
  })
})

describe('聚水潭 clamp quirk (spec §11.5 scenario 6)', () => {
  it('pages to the end when a page_size of 100 is clamped to 50 and has_next stops early', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 }, pageSizeOverflow: 'clamp_quirk' } })
    const range = { modified_begin: toJstTime(DEFAULT_START_MS), modified_end: toJstTime(DEFAULT_START_MS + DAY) }
    // The connector never sends 100 itself (it is refused locally); bypass that to face the quirk.
    const fetch = async (i: number) =>
      decodePage(COUNT, await h!.rt.internals.business(COUNT, { page_index: i, page_size: 100, ...range }), i)
    const first = await fetch(1)
    expect(first.rows).toHaveLength(50)
    expect(first.hasNext).toBe(true)
    const pass = await scanPass(fetch, (r) => String(r.io_id))
    expect(pass.ids.size).toBe(120)
    expect(countBizzes(h.sim).map((b) => b.page_index)).toEqual([1, 1, 2, 3])
  })
})

describe('聚水潭 status coverage (spec §11.5 scenario 8)', () => {
  it('reads every status, Cancelled and Delete included, when the server returns all statuses by default', async () => {
    h = await harness({ sim: { generate: { orders: 40, days: 7, statuses: STATUSES as never } } })
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(STATUSES))
    expect(ids(rows)).toEqual(ids(h.sim.orders.visible()))
  })

  it('still reads every status with statuses=all when the server returns only Confirmed by default', async () => {
    h = await harness({
      sim: { generate: { orders: 40, days: 7, statuses: STATUSES as never }, defaultStatuses: ['Confirmed'] },
    })
    const omitted = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(new Set(omitted.map((r) => r.status))).toEqual(new Set(['Confirmed']))
    const rt = await h.reopen({ statuses: 'all' })
    const rows = await rowsOf(rt.source.read({ api: COUNT, window, params: {} }))
    expect(ids(rows)).toEqual(ids(h.sim.orders.visible()))
    expect(
      new Set(
        countBizzes(h.sim)
          .map((b) => b.status)
          .filter((s) => s !== undefined),
      ),
    ).toEqual(new Set(STATUSES))
  })
})

describe('聚水潭 feature-gated fields and encodings (spec §11.5 scenario 9)', () => {
  it('reads orders without batchs/sns when the merchant has those features off', async () => {
    h = await harness({ sim: { generate: { orders: 20, days: 7 } } })
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(rows).toHaveLength(20)
    expect(rows.every((r) => r.batchs === undefined && Array.isArray(r.items))).toBe(true)
  })

  it('passes batchs and sns through when the features are on', async () => {
    h = await harness({ sim: { generate: { orders: 20, days: 7 }, features: { batchEnabled: true, snEnabled: true } } })
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(rows.every((r) => Array.isArray(r.batchs) && Array.isArray(r.sns))).toBe(true)
  })

  it('deduplicates by io_id + modified when ids and quantities arrive as strings', async () => {
    h = await harness({
      sim: { generate: { orders: 120, days: 7 }, idsAsStrings: true, quantitiesAsStrings: true },
      config: { maxPagesPerWindow: 10 },
    })
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(typeof rows[0]!.io_id).toBe('string')
    expect(ids(rows)).toEqual(ids(h.sim.orders.visible()))
  })
})

describe('聚水潭 master data readers', () => {
  it('reads every warehouse partner', async () => {
    h = await harness()
    const rows = await rowsOf(h.rt.readers!.warehouses!())
    expect(rows.map((r) => r.wms_co_id).sort()).toEqual(h.sim.dataset.jst.partners.map((p) => p.wms_co_id).sort())
  })

  it('looks SKUs up by any number of sku_ids, 20 per call', async () => {
    h = await harness()
    const wanted = h.sim.dataset.jst.skus.slice(0, 45).map((s) => s.sku_id)
    const rows = await rowsOf(h.rt.readers!.skus!({ sku_ids: wanted }))
    expect(rows.map((r) => r.sku_id).sort()).toEqual([...wanted].sort())
    const sent = h.sim.log
      .entries({ endpoint: '/open/sku/query' })
      .map((e) => String((JSON.parse(String(e.params.biz)) as { sku_ids: string }).sku_ids).split(',').length)
    expect(sent).toEqual([20, 20, 5])
  })

  it('reads SKUs modified in a window of at most 7 days', async () => {
    h = await harness({ config: { maxPagesPerWindow: 100 } })
    const skus = h.sim.dataset.jst.skus
    const last = Math.max(...skus.map((s) => parseShanghai(s.modified)!))
    const params = { modified_begin: toJstTime(last - 7 * DAY), modified_end: toJstTime(last) }
    const rows = await rowsOf(h.rt.source.read({ api: '/open/sku/query', params }))
    const expected = skus
      .filter((s) => parseShanghai(s.modified)! >= last - 7 * DAY)
      .map((s) => s.sku_id)
      .sort()
    expect(expected.length).toBeGreaterThan(0)
    expect(rows.map((r) => r.sku_id).sort()).toEqual(expected)
  })
})
