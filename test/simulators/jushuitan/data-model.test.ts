import { describe, expect, it } from 'vitest'
import { JST_STATUSES } from '../../../simulators/data/index.js'
import { COUNT, FULL_WEEK, harness, type Harness } from './harness.js'

async function allIds(h: Harness, extra: Record<string, unknown> = {}): Promise<number[]> {
  const ids: number[] = []
  for (let page = 1; ; page++) {
    h.sim.clock.advance(250)
    const r = await h.call(COUNT, { ...FULL_WEEK, ...extra, page_index: page, page_size: 50 })
    expect(r.json?.code).toBe(0)
    ids.push(...(r.json?.data.datas as { io_id: number }[]).map((o) => o.io_id))
    if (!r.json?.data.has_next) return ids
  }
}

describe('JST simulator status coverage (spec §6.3, §11.5 scenario 8)', () => {
  for (const defaults of [[...JST_STATUSES], ['Confirmed']] as const) {
    it(`lets a client that asks per status get every order when defaultStatuses is ${defaults.join('+')}`, async () => {
      const h = await harness({ defaultStatuses: [...defaults], generate: { orders: 60, days: 7 } })
      const expected = h.sim.orders.latest()
      expect(new Set(expected.map((o) => o.status))).toEqual(new Set(JST_STATUSES))
      const omitted = await allIds(h)
      expect(omitted.length).toBe(expected.filter((o) => (defaults as readonly string[]).includes(o.status)).length)
      const perStatus: number[] = []
      for (const s of JST_STATUSES) perStatus.push(...(await allIds(h, { status: s })))
      expect(perStatus.sort()).toEqual(expected.map((o) => o.io_id).sort())
    })
  }
})

describe('JST simulator feature-gated fields (spec §6.2, §11.5 scenario 9)', () => {
  it('omits batchs, sns, batch fields and virtual-warehouse fields when the merchant features are off', async () => {
    const { call } = await harness()
    const o = (await call(COUNT, FULL_WEEK)).json?.data.datas[0]
    expect(o).not.toHaveProperty('batchs')
    expect(o).not.toHaveProperty('sns')
    expect(o).not.toHaveProperty('lock_wh_id')
    expect(o.items[0]).not.toHaveProperty('batch_id')
    // A decoder treating missing arrays as [] copes.
    expect((o.batchs ?? []).length).toBe(0)
  })

  it('sends them when the features are on, and empty arrays when emptyArraysInsteadOfOmit is on', async () => {
    const on = await harness({ features: { batchEnabled: true, snEnabled: true, virtualWarehouses: true } })
    const o = (await on.call(COUNT, FULL_WEEK)).json?.data.datas[0]
    expect(o.batchs.length).toBe(o.items.length)
    expect(o.batchs[0]).toHaveProperty('ioi_id')
    expect(Array.isArray(o.sns)).toBe(true)
    expect(o).toHaveProperty('lock_wh_id', 0)
    expect(o.items[0].batch_id).toMatch(/^B\d{8}$/)
    const empty = await harness({ emptyArraysInsteadOfOmit: true })
    const e = (await empty.call(COUNT, FULL_WEEK)).json?.data.datas[0]
    expect(e.batchs).toEqual([])
    expect(e.sns).toEqual([])
  })
})

describe('JST simulator data model (spec §6.2, §11.3)', () => {
  it('serves qty as the gain/loss delta and r_qty as the counted amount, consistent with the dataset', async () => {
    const { sim, call } = await harness()
    const o = (await call(COUNT, FULL_WEEK)).json?.data.datas[0]
    const stored = sim.orders.get(o.io_id)!
    expect(o.items.map((i: { qty: number; r_qty: number }) => [i.qty, i.r_qty])).toEqual(
      stored.items.map((i) => [i.qty, i.r_qty]),
    )
  })

  it('encodes quantities and ids as strings when asked', async () => {
    const { call } = await harness({ quantitiesAsStrings: true, idsAsStrings: true })
    const o = (await call(COUNT, FULL_WEEK)).json?.data.datas[0]
    expect(typeof o.io_id).toBe('string')
    expect(typeof o.wms_co_id).toBe('string')
    expect(typeof o.items[0].qty).toBe('string')
    expect(typeof o.items[0].ioi_id).toBe('string')
  })

  it('orders by modified ascending with io_id tie-break by default, and honours the other ordering modes', async () => {
    const asc = await harness({ generate: { orders: 40, days: 7 } })
    const rows = (await asc.call(COUNT, FULL_WEEK)).json?.data.datas as { io_id: number; modified: string }[]
    const sorted = [...rows].sort((a, b) =>
      a.modified < b.modified ? -1 : a.modified > b.modified ? 1 : a.io_id - b.io_id,
    )
    expect(rows).toEqual(sorted)
    const desc = await harness({ orderMode: 'io_id_desc', generate: { orders: 40, days: 7 } })
    const ids = ((await desc.call(COUNT, FULL_WEEK)).json?.data.datas as { io_id: number }[]).map((o) => o.io_id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    const random = await harness({ orderMode: 'unstable_random', generate: { orders: 40, days: 7 } })
    const a = ((await random.call(COUNT, { ...FULL_WEEK, page_size: 50 })).json?.data.datas as { io_id: number }[]).map(
      (o) => o.io_id,
    )
    random.sim.clock.advance(1000)
    const b = ((await random.call(COUNT, { ...FULL_WEEK, page_size: 50 })).json?.data.datas as { io_id: number }[]).map(
      (o) => o.io_id,
    )
    expect(a).not.toEqual(b)
    expect([...a].sort()).toEqual([...b].sort())
  })

  it('treats modified_end as inclusive by default and exclusive when endInclusive is off', async () => {
    for (const endInclusive of [true, false]) {
      const { sim, call } = await harness({ endInclusive })
      const o = sim.orders.latest()[0]!
      const r = await call(COUNT, { modified_begin: '2026-11-01 00:00:00', modified_end: o.modified })
      const ids = (r.json?.data.datas as { io_id: number }[]).map((x) => x.io_id)
      expect(ids.includes(o.io_id)).toBe(endInclusive)
    }
  })

  it('bumps modified on setStatus and drops a hard-deleted order from queries', async () => {
    const { sim, call } = await harness()
    const [a, b] = sim.orders.latest()
    sim.clock.set(Date.UTC(2026, 10, 5, 0, 0, 0))
    sim.orders.setStatus(a!.io_id, 'Archive')
    sim.orders.hardDelete(b!.io_id)
    const r = await call(COUNT, { io_ids: `${a!.io_id},${b!.io_id}` })
    expect(r.json?.data.datas).toHaveLength(1)
    expect(r.json?.data.datas[0]).toMatchObject({ io_id: a!.io_id, status: 'Archive', modified: '2026-11-05 08:00:00' })
  })

  it('filters by owner_co_id, with 2147483647 meaning every owner', async () => {
    const { sim, call } = await harness()
    expect((await call(COUNT, { ...FULL_WEEK, owner_co_id: 1 })).json?.data.data_count).toBe(0)
    const all = (await call(COUNT, { ...FULL_WEEK, owner_co_id: 2147483647 })).json?.data.data_count
    expect(all).toBe(sim.orders.latest().length)
  })
})
