/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read arbitrary vendor JSON */
/** Spec §5 and §7 "Master data": the four lists and details, enable/search filters, paging quirks. */
import { afterEach, describe, expect, it } from 'vitest'
import { generateDataset } from '../../../simulators/data/generate.js'
import type { JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import type { JdyTestClient } from './jdy-client.js'
import { setup } from './fixtures.js'

let sim: JdySimulator | undefined
let client: JdyTestClient
afterEach(async () => {
  await sim?.close()
  sim = undefined
})
const get = async (path: string, query: Record<string, string> = {}): Promise<any> =>
  (await client.call('GET', path, { query })).json

describe('material list and detail', () => {
  it('returns enabled materials only by default, with count as a string', async () => {
    ;({ sim, client } = await setup())
    const r = await get('/jdy/v2/bd/material')
    expect(r.data.count).toBe('3')
    expect(r.data.rows.map((m: any) => m.number)).toEqual(['SKU-1', 'SKU-2', 'SKU-BATCH'])
  })

  it.each([
    ['-1', 4],
    ['0', 1],
    ['1', 3],
  ])('honours enable=%s', async (enable, n) => {
    ;({ sim, client } = await setup())
    expect((await get('/jdy/v2/bd/material', { enable })).data.rows).toHaveLength(n)
  })

  it('searches by name or number', async () => {
    ;({ sim, client } = await setup())
    expect((await get('/jdy/v2/bd/material', { search: '白色' })).data.rows.map((m: any) => m.number)).toEqual([
      'SKU-2',
    ])
    expect((await get('/jdy/v2/bd/material', { search: 'sku-batch' })).data.rows.map((m: any) => m.number)).toEqual([
      'SKU-BATCH',
    ])
  })

  it('carries the §5.3 list-row fields and adds units with show_units=true', async () => {
    ;({ sim, client } = await setup())
    const row = (await get('/jdy/v2/bd/material', { show_units: 'true', search: 'SKU-1' })).data.rows[0]
    for (const f of [
      'id',
      'number',
      'name',
      'model',
      'base_unit_id',
      'base_unit_number',
      'base_unit_name',
      'is_multi_unit',
      'is_batch',
      'is_kf_period',
      'is_serial',
      'is_asst_attr',
      'check_type',
      'barcode',
    ])
      expect(row).toHaveProperty(f)
    expect(row).toMatchObject({ base_unit_number: 'GE', base_unit_name: '个' })
    expect(row.units.map((u: any) => u.unit_id)).toEqual(['U1', 'U2'])
  })

  it('finds a material detail by id and by number, with enable as "1"/"0"', async () => {
    ;({ sim, client } = await setup())
    expect((await get('/jdy/v2/bd/material_detail', { id: 'M4' })).data).toMatchObject({
      number: 'SKU-OFF',
      enable: '0',
    })
    expect((await get('/jdy/v2/bd/material_detail', { number: 'SKU-1' })).data).toMatchObject({ id: 'M1', enable: '1' })
  })

  it('answers 参数number[…]不存在 for an unknown material number', async () => {
    ;({ sim, client } = await setup())
    const r = await get('/jdy/v2/bd/material_detail', { number: 'GHOST' })
    expect(r.errcode).not.toBe(0)
    expect(r.description).toBe('参数number[GHOST]不存在')
  })
})

describe('measure units, material units and stores', () => {
  it('lists measure units with precision and details them by number', async () => {
    ;({ sim, client } = await setup())
    expect((await get('/jdy/v2/bd/measure_unit')).data.rows[2]).toEqual({
      id: 'U3',
      number: 'KG',
      name: '千克',
      precision: 3,
    })
    expect((await get('/jdy/v2/bd/measure_unit_detail', { number: 'XIANG' })).data).toMatchObject({
      id: 'U2',
      enable: '1',
    })
  })

  it('lists material units filtered by material_id', async () => {
    ;({ sim, client } = await setup())
    const rows = (await get('/jdy/v2/bd/material_unit', { material_id: 'M1' })).data.rows
    expect(rows.map((r: any) => [r.unit_id, r.unit_name, r.coefficient])).toEqual([
      ['U1', '个', '1'],
      ['U2', '箱', '12'],
    ])
    expect((await get('/jdy/v2/bd/material_unit_detail', { id: 'MU2' })).data).toMatchObject({
      material_id: 'M1',
      unit_id: 'U2',
    })
  })

  it('lists stores with an integer count and details allow_negative / is_allow_freight', async () => {
    ;({ sim, client } = await setup())
    const list = await get('/jdy/v2/bd/store')
    expect(list.data.count).toBe(3)
    expect(list.data.rows[0]).toMatchObject({ id: 'S1', number: '10001', enable: '1' })
    expect((await get('/jdy/v2/bd/store_detail', { number: '10002' })).data).toMatchObject({
      allow_negative: 'false',
      is_allow_freight: false,
    })
    expect((await get('/jdy/v2/bd/store_detail', { id: 'S3' })).data).toMatchObject({
      allow_negative: 'true',
      is_allow_freight: true,
    })
  })

  it('answers data:null for a missing store when detailNotFound is "null"', async () => {
    ;({ sim, client } = await setup({ bills: { detailNotFound: 'null' } }))
    expect((await get('/jdy/v2/bd/store_detail', { number: 'NOPE' })).data).toBeNull()
  })
})

describe('paging (spec §5.4)', () => {
  const big = generateDataset({ seed: 7, orders: 0, days: 1, skus: 250, missingMaterialShare: 0 }).jdy

  it('serves at most 100 rows while total_page follows the requested size, so stopping on total_page loses rows', async () => {
    ;({ sim, client } = await setup({ masterData: big }))
    const first = (await get('/jdy/v2/bd/material', { page_size: '200' })).data
    expect(first.rows).toHaveLength(100)
    expect(first.count).toBe('250')
    expect(first.total_page).toBe(2)
    const second = (await get('/jdy/v2/bd/material', { page: '2', page_size: '200' })).data
    expect(first.rows.length + second.rows.length).toBe(200) // 50 rows silently lost
  })

  it('computes total_page from the served size when totalPageFrom is "served"', async () => {
    ;({ sim, client } = await setup({ masterData: big, lists: { totalPageFrom: 'served' } }))
    expect((await get('/jdy/v2/bd/material', { page_size: '200' })).data.total_page).toBe(3)
  })

  it("repeats the previous page's last row on every Nth page when duplicate rows are injected; a client deduplicating by id still gets each row once", async () => {
    ;({ sim, client } = await setup({ masterData: big, lists: { duplicateRowEveryNthPage: 2 } }))
    const seen: string[] = []
    const firstPage = (await get('/jdy/v2/bd/material', { page_size: '100' })).data
    for (let p = 1; p <= firstPage.total_page; p++) {
      seen.push(
        ...(await get('/jdy/v2/bd/material', { page: String(p), page_size: '100' })).data.rows.map((r: any) => r.id),
      )
    }
    expect(seen.length).toBe(251)
    expect(new Set(seen).size).toBe(250)
  })

  it('rejects a page_size that is not a positive integer', async () => {
    ;({ sim, client } = await setup())
    expect((await get('/jdy/v2/bd/store', { page_size: '0' })).errcode).not.toBe(0)
    expect((await get('/jdy/v2/bd/store', { page: 'x' })).errcode).not.toBe(0)
  })
})

describe('generated master data', () => {
  it('matches the JST side: every material number is a JST sku_id and every store number a wms_co_id', async () => {
    const ds = generateDataset({ seed: 3, orders: 5, days: 2 })
    ;({ sim, client } = await setup({ masterData: ds.jdy }))
    const skuIds = new Set(ds.jst.skus.map((s) => s.sku_id))
    const materials = (await get('/jdy/v2/bd/material', { page_size: '100', enable: '-1' })).data
    expect(materials.rows.every((m: any) => skuIds.has(m.number))).toBe(true)
    const stores = (await get('/jdy/v2/bd/store')).data.rows.map((s: any) => s.number).sort()
    expect(stores).toEqual(ds.jst.partners.map((p) => String(p.wms_co_id)).sort())
  })
})
