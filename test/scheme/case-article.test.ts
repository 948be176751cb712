import { describe, expect, it } from 'vitest'
import type { LookupProvider } from '../../src/expr/index.js'
import {
  applySourcePipeline,
  compileScheme,
  loadCompiledScheme,
  mapTarget,
  renderRequest,
  type CompiledScheme,
} from '../../src/scheme/index.js'

const EXAMPLE = new URL('../../examples/jst-count-to-jdy-check-loss.json', import.meta.url).pathname

/** The store's lookup, in memory: first row whose `where` keys all equal (as text). */
function memoryLookups(collections: Record<string, Record<string, unknown>[]>): LookupProvider & { calls: number } {
  const provider = {
    calls: 0,
    find(q: { collection: string; field: string; where: Record<string, unknown> }): Promise<unknown> {
      provider.calls++
      const row = (collections[q.collection] ?? []).find((r) =>
        Object.entries(q.where).every(([k, v]) => String(r[k]) === String(v)),
      )
      return Promise.resolve(row?.[q.field])
    },
  }
  return provider
}

const masterData = {
  'jdy-materials': [
    { id: 'M-RED', number: 'SKU-RED-M', name: 'T恤 红 M', base_unit_id: 'U-PCS' },
    { id: 'M-GRN', number: 'SKU-GRN-S', name: 'T恤 绿 S', base_unit_id: 'U-BOX' },
    { id: 'M-BLU', number: 'SKU-BLUE-L', name: 'T恤 蓝 L', base_unit_id: 'U-PCS' },
  ],
  'jdy-stores': [{ id: 'ST-10001', number: '10001', name: '主仓' }],
}

// A count order shaped as /open/inventory/count/query returns it (jushuitan-api.md §6.4).
function countOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: '盘点',
    io_id: 1001234,
    io_date: '2024-05-01 00:00:00',
    status: 'Confirmed',
    warehouse: '主仓',
    creator_name: '张三',
    remark: '月度盘点',
    wh_id: 1,
    wms_co_id: 10001,
    modified: '2024-05-01 00:35:12',
    items: [
      { io_id: 1001234, ioi_id: 5550001, sku_id: 'SKU-RED-M', name: 'T恤', r_qty: 12, qty: -3 },
      { io_id: 1001234, ioi_id: 5550002, sku_id: 'SKU-BLUE-L', name: 'T恤', r_qty: 20, qty: 2 },
      { io_id: 1001234, ioi_id: 5550003, sku_id: 'SKU-GRN-S', name: 'T恤', r_qty: 0.5, qty: '-1.5' },
    ],
    batchs: [],
    sns: [],
    ...overrides,
  }
}

const now = new Date('2024-05-01T01:00:00Z')
const tz = 'Asia/Shanghai'

async function compiled(): Promise<CompiledScheme> {
  return (await loadCompiledScheme(EXAMPLE)).compiled
}

describe('the case article scheme (聚水潭盘点单 → 金蝶云星辰V2盘亏单)', () => {
  it('keeps only the loss rows of a count order with mixed gains and losses', async () => {
    const c = await compiled()
    const records = applySourcePipeline(c.scheme.source.metadata, [countOrder()], { tz: c.schedule.timezone })
    expect(records).toHaveLength(1)
    expect((records[0]!.items as { sku_id: string }[]).map((r) => r.sku_id)).toEqual(['SKU-RED-M', 'SKU-GRN-S'])
  })

  it('drops packaging-material counts (remark contains 包材) and gain-only counts', async () => {
    const c = await compiled()
    const gainsOnly = countOrder({ io_id: 2, items: [{ sku_id: 'SKU-RED-M', qty: 4 }] })
    const packaging = countOrder({ io_id: 3, remark: '包材月盘' })
    expect(applySourcePipeline(c.scheme.source.metadata, [gainsOnly, packaging], { tz })).toEqual([])
  })

  it('maps a filtered order to the expected check-loss bill', async () => {
    const c = await compiled()
    const [record] = applySourcePipeline(c.scheme.source.metadata, [countOrder()], { tz })
    const { payload, unresolved } = await mapTarget(c.target!, record!, { now, tz, lookups: memoryLookups(masterData) })
    expect(unresolved).toEqual([])
    expect(payload).toEqual({
      bill_date: '2024-05-01',
      bill_no: '1001234',
      operation_key: 'audit',
      remark: '月度盘点',
      material_entity: [
        { material_id: 'M-RED', qty: 3, unit_id: 'U-PCS', stock_id: 'ST-10001' },
        { material_id: 'M-GRN', qty: 1.5, unit_id: 'U-BOX', stock_id: 'ST-10001' },
      ],
    })
  })

  it('lists every lookup that found nothing, naming the payload field and the key', async () => {
    const c = await compiled()
    const record = countOrder({
      items: [
        { sku_id: 'SKU-RED-M', qty: -1 },
        { sku_id: 'SKU-UNKNOWN', qty: -2 },
      ],
      wms_co_id: 99,
    })
    const { payload, unresolved } = await mapTarget(c.target!, record, { now, tz, lookups: memoryLookups(masterData) })
    expect(unresolved).toEqual([
      { field: 'material_entity[0].stock_id', collection: 'jdy-stores', lookupField: 'id', where: { number: 99 } },
      {
        field: 'material_entity[1].material_id',
        collection: 'jdy-materials',
        lookupField: 'id',
        where: { number: 'SKU-UNKNOWN' },
      },
      {
        field: 'material_entity[1].unit_id',
        collection: 'jdy-materials',
        lookupField: 'base_unit_id',
        where: { number: 'SKU-UNKNOWN' },
      },
      { field: 'material_entity[1].stock_id', collection: 'jdy-stores', lookupField: 'id', where: { number: 99 } },
    ])
    expect((payload.material_entity as Record<string, unknown>[])[1]).toEqual({ qty: 2 })
  })

  it('maps hostile remark text as data, never as expression text', async () => {
    const c = await compiled()
    const remark = "x') OR 1=1; SELECT sleep(10) -- {{io_id}} _function abs(-1)"
    const { payload } = await mapTarget(c.target!, countOrder({ remark }), {
      now,
      tz,
      lookups: memoryLookups(masterData),
    })
    expect(payload.remark).toBe(remark)
  })

  it("maps the case article's single-brace forms ({io_id}, abs({qty})) like the canonical ones", async () => {
    const meta = {
      api: '/jdy/v2/scm/inv_check_loss_bill',
      effect: 'EXECUTE' as const,
      request: [
        { field: 'bill_no', type: 'string', value: '{io_id}' },
        {
          field: 'material_entity',
          type: 'array',
          value: 'items',
          children: [{ field: 'qty', type: 'float', value: '_function abs({qty})' }],
        },
      ],
    }
    const { payload } = await mapTarget(
      meta,
      countOrder({
        items: [
          { sku_id: 'A', qty: -3 },
          { sku_id: 'B', qty: '-1.25' },
        ],
      }),
      { now, tz },
    )
    expect(payload).toEqual({ bill_no: '1001234', material_entity: [{ qty: 3 }, { qty: 1.25 }] })
  })

  it('maps many records with one compiled scheme', async () => {
    const c = compileScheme(JSON.parse(JSON.stringify((await compiled()).scheme)))
    const lookups = memoryLookups(masterData)
    const bills = await Promise.all(
      [1, 2, 3].map((n) => mapTarget(c.target!, countOrder({ io_id: n }), { now, tz, lookups })),
    )
    expect(bills.map((b) => b.payload.bill_no)).toEqual(['1', '2', '3'])
    expect(lookups.calls).toBe(3 * 3 * 3)
  })

  it('renders the source request from LAST_SYNC_TIME and CURRENT_TIME in Asia/Shanghai', async () => {
    const c = await compiled()
    const vars = { LAST_SYNC_TIME: 1714492800, PAGINATION_START_PAGE: 1, PAGINATION_PAGE_SIZE: 50 }
    const { request } = await renderRequest(c.source, { now, tz, vars })
    expect(request).toEqual({
      page_index: 1,
      page_size: 50,
      modified_begin: '2024-05-01 00:00:00',
      modified_end: '2024-05-01 09:00:00',
      status: 'Confirmed',
    })
  })

  it('renders the omissionRemedy request with modified_begin taken over (7 days back)', async () => {
    const c = await compiled()
    const vars = { LAST_SYNC_TIME: 1714492800, PAGINATION_START_PAGE: 1, PAGINATION_PAGE_SIZE: 50 }
    const { request } = await renderRequest(c.source, { now, tz, vars }, { omissionRemedy: true })
    expect(request.modified_begin).toBe('2024-04-24 09:00:00')
    expect(request.modified_end).toBe('2024-05-01 09:00:00')
    expect(Object.keys(request)).toEqual(['page_index', 'page_size', 'modified_begin', 'modified_end', 'status'])
  })
})
