/**
 * Golden tests: every example of spec 5.4 and 7.4 (qeasy-metadata.md) and the case article's
 * target mapping, evaluated end to end from the value text.
 */
import { describe, expect, it } from 'vitest'
import { evaluate, evaluateValue, parseValue, targets } from '../../src/expr/index.js'
import { arrayLookupProvider } from '../../src/expr/memory-lookup.js'
import { ctx, errorOf } from './helpers.js'

const MATERIALS = 'c1a7a1f0-0000-4000-8000-000000000001'

describe('spec 7.4 test vectors', () => {
  it('formats LAST_SYNC_TIME=1704067200 with |datetime as 2024-01-01 08:00:00 in Asia/Shanghai', async () => {
    expect(await evaluateValue('{{LAST_SYNC_TIME|datetime}}', ctx({ vars: { LAST_SYNC_TIME: 1704067200 } }))).toBe(
      '2024-01-01 08:00:00',
    )
  })

  it('computes now minus 7 days with FROM_UNIXTIME(unix_timestamp() - 604800, ...)', async () => {
    const v = "_function FROM_UNIXTIME( unix_timestamp() -604800 , '%Y-%m-%d %H:%i:%s' )"
    expect(await evaluateValue(v, ctx({ now: new Date('2024-03-10T04:05:06Z') }))).toBe('2024-03-03 12:05:06')
  })

  it('returns 3 for abs({qty}) when the detail row has qty -3', async () => {
    const c = ctx({ record: { items: [{ qty: -3 }] }, row: { qty: -3 }, rowPath: 'items' })
    expect(await evaluateValue('_function abs({qty})', c)).toBe(3)
  })

  it('evaluates the FOrgId CASE example for each branch', async () => {
    const v =
      "_function case '{{FOrgId}}' when '100' then {{price}}*{{qty}} when '200' then '201' else '{{FOrgId}}' end"
    expect(await evaluateValue(v, ctx({ record: { FOrgId: '100', price: '12.50', qty: 3 } }))).toBe(37.5)
    expect(await evaluateValue(v, ctx({ record: { FOrgId: 200, price: 1, qty: 1 } }))).toBe('201')
    expect(await evaluateValue(v, ctx({ record: { FOrgId: '300', price: 1, qty: 1 } }))).toBe('300')
  })

  it('resolves _findCollection by the current row and gives null when nothing matches', async () => {
    const node = parseValue(`_findCollection find id from ${MATERIALS} where number={{items.sku_id}}`)
    const lookups = arrayLookupProvider({ [MATERIALS]: [{ id: 'M-1', number: 'SKU001' }] })
    const base = { record: { items: [{ sku_id: 'SKU001' }, { sku_id: 'NOPE' }] }, rowPath: 'items', lookups }
    expect(await evaluate(node, ctx({ ...base, row: { sku_id: 'SKU001' } }))).toBe('M-1')
    expect(await evaluate(node, ctx({ ...base, row: { sku_id: 'NOPE' } }))).toBeNull()
    expect(targets(node)).toEqual([`lookup:${MATERIALS}#id`, 'items.sku_id'])
  })
})

describe('spec 5.4 examples', () => {
  it('FROM_UNIXTIME({{LAST_SYNC_TIME}}-600, ...) is ten minutes before the last sync', async () => {
    const v = "_function FROM_UNIXTIME({{LAST_SYNC_TIME}}-600 ,'%Y-%m-%d %H:%i:%s' )"
    expect(await evaluateValue(v, ctx({ vars: { LAST_SYNC_TIME: 1704067200 } }))).toBe('2024-01-01 07:50:00')
  })

  it('multiplies a detail field by 100 without float drift', async () => {
    const c = ctx({ record: { details_list: [{ tax: '0.13' }] }, row: { tax: '0.13' }, rowPath: 'details_list' })
    expect(await evaluateValue('_function {{details_list.tax}} * 100', c)).toBe(13)
  })

  it('aggregates a detail array from header context with sum, avg, max and min', async () => {
    const c = ctx({ record: { details_list: [{ qty: '1.10' }, { qty: 2.2 }, { qty: -0.3 }] } })
    expect(await evaluateValue('_function sum({{details_list.qty}})', c)).toBe(3)
    expect(await evaluateValue('_function avg({{details_list.qty}})', c)).toBe(1)
    expect(await evaluateValue('_function max({{details_list.qty}})', c)).toBe(2.2)
    expect(await evaluateValue('_function min({{details_list.qty}})', c)).toBe(-0.3)
  })

  it('takes LEFT of a literal inside CASE', async () => {
    expect(await evaluateValue("_function CASE LEFT('AD0001',2) WHEN 'AD' THEN 'ad' ELSE 'other' END", ctx())).toBe(
      'ad',
    )
  })

  it('chooses by LOCATE of a search text in a field', async () => {
    const v = "_function CASE LOCATE('检索文本','{{检索的字段}}') WHEN 0 THEN '{{A}}' ELSE '{{B}}' END"
    expect(await evaluateValue(v, ctx({ record: { 检索的字段: '含有检索文本的值', A: 'a', B: 'b' } }))).toBe('b')
    expect(await evaluateValue(v, ctx({ record: { 检索的字段: '无关', A: 'a', B: 'b' } }))).toBe('a')
  })

  it('maps a settlement account name to an id with a simple CASE', async () => {
    const v = "_function CASE '{{settleAccountName}}' when '现金' then 104 else 103 end"
    expect(await evaluateValue(v, ctx({ record: { settleAccountName: '现金' } }))).toBe(104)
    expect(await evaluateValue(v, ctx({ record: { settleAccountName: '银行' } }))).toBe(103)
  })

  it('rejects the brace-stripped forms (copy damage) with ERR_EXPR_BARE_COLUMN and its position', async () => {
    const e = await errorOf(() =>
      parseValue("_function case when details_list.tax_price> 0 then 'False' else 'True' end"),
    )
    expect(e).toMatchObject({ code: 'ERR_EXPR_BARE_COLUMN', kind: 'config', location: '1:21' })
    expect((await errorOf(() => parseValue('_function items_amount/items_r_qty'))).code).toBe('ERR_EXPR_BARE_COLUMN')
  })

  it('treats quoted brace-stripped names as the literal strings they are', async () => {
    const v = "_function case 'wms_co_id' when '12926523' then '230605' else 'items_batch_no' end"
    expect(await evaluateValue(v, ctx())).toBe('items_batch_no')
  })

  it('evaluates the same values once braces are restored', async () => {
    const c = ctx({ record: { items_amount: '10.00', items_r_qty: 4 } })
    expect(await evaluateValue('_function {{items_amount}}/{{items_r_qty}}', c)).toBe(2.5)
    const row = ctx({ record: {}, row: { tax_price: 0 }, rowPath: 'details_list' })
    expect(
      await evaluateValue("_function case when {{details_list.tax_price}}> 0 then 'False' else 'True' end", row),
    ).toBe('True')
  })

  it('resolves an embedded _findCollection ... _endFind inside CASE', async () => {
    const coll = '66da8241-aaaa-4bbb-8ccc-000000000000'
    const v = `_function case _findCollection find FIsKFPeriod from ${coll} where FNumber={{details.details_item_code}} _endFind when true then '{{name}}' else '' end`
    const lookups = arrayLookupProvider({
      [coll]: [
        { FNumber: 'X1', FIsKFPeriod: true },
        { FNumber: 'X2', FIsKFPeriod: false },
      ],
    })
    const rowCtx = (code: string) =>
      ctx({ record: { name: 'kept' }, row: { details_item_code: code }, rowPath: 'details', lookups })
    expect(await evaluateValue(v, rowCtx('X1'))).toBe('kept')
    expect(await evaluateValue(v, rowCtx('X2'))).toBe('')
    expect(targets(parseValue(v))).toEqual([`lookup:${coll}#FIsKFPeriod`, 'details.details_item_code', 'name'])
  })

  it('resolves the official two-condition _findCollection example', async () => {
    const coll = '8e620793-bebb-3167-95a4-9030368e5262'
    const v = `_findCollection find FPOOrderEntry_FEntryId from ${coll} where FBillNo={{outer_no}} FMaterialId_FNumber={{details_list.goods_no}}`
    const lookups = arrayLookupProvider({
      [coll]: [
        { FBillNo: 'PO1', FMaterialId_FNumber: 'G1', FPOOrderEntry_FEntryId: 11 },
        { FBillNo: 'PO1', FMaterialId_FNumber: 'G2', FPOOrderEntry_FEntryId: 12 },
      ],
    })
    const c = ctx({ record: { outer_no: 'PO1' }, row: { goods_no: 'G2' }, rowPath: 'details_list', lookups })
    expect(await evaluateValue(v, c)).toBe(12)
  })
})

describe('case article target mapping (聚水潭 count order → 金蝶云星辰 check-loss bill)', () => {
  const MATERIAL = 'jdy-materials'
  const UNITS = 'jdy-units'
  const STOCKS = 'jdy-stocks'
  const lookups = arrayLookupProvider({
    [MATERIAL]: [
      { id: 'material_SKU001', number: 'SKU001', unit_number: 'PCS' },
      { id: 'material_SKU002', number: 'SKU002', unit_number: 'BOX' },
    ],
    [UNITS]: [
      { id: 'unit_PCS', number: 'PCS' },
      { id: 'unit_BOX', number: 'BOX' },
    ],
    [STOCKS]: [{ id: 'stock_WMS001_WH001', wms_co_id: 'WMS001', wh_id: 'WH001' }],
  })
  const header = { bill_date: '{io_date}', bill_no: '{{io_id}}', operation_key: 'audit', remark: '{{remark}}' }
  const entry = {
    material_id: `_findCollection find id from ${MATERIAL} where number={{items.sku_id}}`,
    qty: '_function abs({{items.qty}})',
    unit_id: `_function _findCollection find id from ${UNITS} where number={{items.unit}} _endFind`,
    stock_id: `_findCollection find id from ${STOCKS} where wms_co_id={{wms_co_id}} wh_id={{wh_id}}`,
  }
  const order = {
    io_date: '2023-10-01',
    io_id: 'PD123456',
    remark: '月度盘点',
    wms_co_id: 'WMS001',
    wh_id: 'WH001',
    items: [
      { sku_id: 'SKU001', qty: -10, unit: 'PCS' },
      { sku_id: 'SKU002', qty: '-5', unit: 'BOX' },
    ],
  }

  it('produces the expected bill from the sample order', async () => {
    const base = { record: order, lookups, now: new Date('2024-01-01T00:00:00Z'), tz: 'Asia/Shanghai' }
    const bill: Record<string, unknown> = {}
    for (const [f, v] of Object.entries(header)) bill[f] = await evaluate(parseValue(v), base)
    const rows = (await evaluate(parseValue('items', { arrayField: true }), base)) as Record<string, unknown>[]
    bill.material_entity = await Promise.all(
      rows.map(async (row) => {
        const out: Record<string, unknown> = {}
        for (const [f, v] of Object.entries(entry))
          out[f] = await evaluate(parseValue(v), { ...base, row, rowPath: 'items' })
        return out
      }),
    )
    expect(bill).toEqual({
      bill_date: '2023-10-01',
      bill_no: 'PD123456',
      operation_key: 'audit',
      remark: '月度盘点',
      material_entity: [
        { material_id: 'material_SKU001', qty: 10, unit_id: 'unit_PCS', stock_id: 'stock_WMS001_WH001' },
        { material_id: 'material_SKU002', qty: 5, unit_id: 'unit_BOX', stock_id: 'stock_WMS001_WH001' },
      ],
    })
  })
})
