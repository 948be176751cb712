/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read arbitrary vendor JSON */
/** Spec §4 and §7 "inv_check_loss_bill": save validation, numbering, update, list, detail. */
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import type { JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import { JdyTestClient } from './jdy-client.js'
import { bill, line, setup } from './fixtures.js'

const SAVE = '/jdy/v2/scm/inv_check_loss_bill'
const DETAIL = '/jdy/v2/scm/inv_check_loss_bill_detail'

let sim: JdySimulator | undefined
let client: JdyTestClient
afterEach(async () => {
  await sim?.close()
  sim = undefined
})
const save = (body: unknown) => client.call('POST', SAVE, { body })
const detail = (query: Record<string, string>) => client.call('GET', DETAIL, { query })

describe('save', () => {
  it('stores a valid bill with status Z and answers ids and id_number_map', async () => {
    ;({ sim, client } = await setup())
    const r = await save(bill())
    expect(r.status).toBe(200)
    expect(r.json.errcode).toBe(0)
    const [id] = r.json.data.ids
    expect(r.json.data.id_number_map).toEqual({ [id]: 'PK-T-0001' })
    const d = await detail({ id })
    expect(d.json.data).toMatchObject({
      id,
      bill_no: 'PK-T-0001',
      bill_status: 'Z',
      bill_date: '2026-11-20',
      remark: 'test [ext:jst:1]',
    })
    expect(d.json.data.material_entity[0]).toMatchObject({
      seq: 1,
      material_id: 'M1',
      material_number: 'SKU-1',
      stock_id: 'S1',
      stock_number: '10001',
      unit_id: 'U1',
      qty: 3,
    })
  })

  it('answers a duplicate bill_no with the real "组合值与其他表单重复" error and stores nothing new', async () => {
    ;({ sim, client } = await setup())
    await save(bill())
    const r = await save(bill({ remark: 'second try' }))
    expect(r.json.errcode).not.toBe(0)
    expect(r.json.description).toContain('组合值与其他表单重复')
    expect(sim.bills.list()).toHaveLength(1)
  })

  it('auto-numbers a bill without bill_no as PK-YYYYMMDD-#### on the book date, so a blind retry makes a second bill', async () => {
    const clock = createClock({ start: Date.UTC(2026, 10, 20, 3), frozen: true })
    ;({ sim, client } = await setup({ clock }))
    const { bill_no: _drop, ...body } = bill()
    const a = await save(body)
    const b = await save(body)
    expect(Object.values(a.json.data.id_number_map)).toEqual(['PK-20261120-0001'])
    expect(Object.values(b.json.data.id_number_map)).toEqual(['PK-20261120-0002'])
    expect(sim.bills.list()).toHaveLength(2)
  })

  it('ignores the given bill_no when ignoreBillNo is on', async () => {
    ;({ sim, client } = await setup({ bills: { ignoreBillNo: true } }))
    const r = await save(bill())
    expect(Object.values(r.json.data.id_number_map)[0]).toMatch(/^PK-\d{8}-0001$/)
    expect((await save(bill())).json.errcode).toBe(0)
  })

  it('saves and audits in one call when operation_key is "audit" (status C)', async () => {
    ;({ sim, client } = await setup())
    const r = await save(bill({ operation_key: 'audit' }))
    expect((await detail({ id: r.json.data.ids[0] })).json.data.bill_status).toBe('C')
  })

  it('keeps status Z for operation_key "audit" when operationKeyAudit is "ignore"', async () => {
    ;({ sim, client } = await setup({ bills: { operationKeyAudit: 'ignore' } }))
    const r = await save(bill({ operation_key: 'audit' }))
    expect((await detail({ id: r.json.data.ids[0] })).json.data.bill_status).toBe('Z')
  })

  it('rejects an unknown operation_key by default and accepts it when unknownOperationKey is "ignore"', async () => {
    ;({ sim, client } = await setup())
    expect((await save(bill({ operation_key: 'submit' }))).json.description).toContain('operation_key[submit]')
    await sim.close()
    ;({ sim, client } = await setup({ bills: { unknownOperationKey: 'ignore' } }))
    expect((await save(bill({ operation_key: 'submit' }))).json.errcode).toBe(0)
  })

  it('accepts material_number, stock_number and unit_number instead of ids', async () => {
    ;({ sim, client } = await setup())
    const r = await save(
      bill({ material_entity: [{ material_number: 'SKU-2', stock_number: '10001', unit_number: 'GE', qty: '1.5' }] }),
    )
    expect(r.json.errcode).toBe(0)
    const stored = sim.bills.list()[0]!.material_entity[0]!
    expect(stored).toMatchObject({ material_id: 'M2', stock_id: 'S1', unit_id: 'U1', qty: '1.5' })
  })

  it("accepts one of the material's auxiliary units", async () => {
    ;({ sim, client } = await setup())
    const r = await save(bill({ material_entity: [line({ unit_id: 'U2', qty: 2 })] }))
    expect(r.json.errcode).toBe(0)
    expect((await detail({ number: 'PK-T-0001' })).json.data.material_entity[0]).toMatchObject({
      unit_id: 'U2',
      coefficient: 12,
      base_qty: 24,
    })
  })

  it.each([
    ['no bill_date', { bill_date: undefined }, '单据日期bill_date不能为空'],
    ['a bill_date not in yyyy-MM-dd', { bill_date: '2026/11/20' }, '格式错误，应为yyyy-MM-dd'],
    ['an impossible bill_date', { bill_date: '2026-02-30' }, '格式错误'],
    ['no lines', { material_entity: [] }, '至少需要一行'],
    ['lines that are not a list', { material_entity: 'x' }, 'material_entity不能为空'],
    [
      'an unknown material_number',
      { material_entity: [line({ material_id: undefined, material_number: 'NOPE' })] },
      '参数number[NOPE]不存在',
    ],
    ['an unknown material_id', { material_entity: [line({ material_id: '404' })] }, '参数id[404]不存在'],
    [
      'no material at all',
      { material_entity: [line({ material_id: undefined })] },
      '第1行基础资料"material"字段不能为空',
    ],
    ['a disabled material', { material_entity: [line({ material_id: 'M4' })] }, '已禁用'],
    [
      'no unit on line 2',
      { material_entity: [line(), line({ unit_id: undefined })] },
      '第2行基础资料"unit"字段不能为空',
    ],
    ['an unknown unit', { material_entity: [line({ unit_id: 'U404' })] }, '第1行基础资料"unit"字段不能为空'],
    ["a unit outside the material's unit set", { material_entity: [line({ unit_id: 'U3' })] }, '不是该商品关联的单位'],
    ['no stock', { material_entity: [line({ stock_id: undefined })] }, '第1行基础资料"stock"字段不能为空'],
    [
      'an unknown stock_number',
      { material_entity: [line({ stock_id: undefined, stock_number: '99999' })] },
      '参数number[99999]不存在',
    ],
    ['qty zero', { material_entity: [line({ qty: 0 })] }, '第1行盘亏数量必须大于0'],
    ['a negative qty', { material_entity: [line({ qty: -2 })] }, '第1行盘亏数量必须大于0'],
    ['a qty that is not a number', { material_entity: [line({ qty: 'three' })] }, '格式错误'],
    ['a batch material without batch_no', { material_entity: [line({ material_id: 'M3' })] }, '批次号不能为空'],
    ['a bin-managed store without sp_id', { material_entity: [line({ stock_id: 'S3' })] }, '仓位不能为空'],
    ['a bill_no longer than 30 characters', { bill_no: 'X'.repeat(31) }, '长度不能超过30'],
  ])('rejects %s without storing anything', async (_name, over, text) => {
    ;({ sim, client } = await setup())
    const r = await save(bill(over))
    expect(r.status).toBe(200)
    expect(r.json.errcode).toBe(1010001001)
    expect(r.json.description).toContain(text)
    expect(sim.bills.list()).toHaveLength(0)
  })

  it('accepts a batch material with batch_no and a bin-managed store with sp_id', async () => {
    ;({ sim, client } = await setup())
    const r = await save(
      bill({ material_entity: [line({ material_id: 'M3', batch_no: 'B1' }), line({ stock_id: 'S3', sp_id: 'SP1' })] }),
    )
    expect(r.json.errcode).toBe(0)
  })
})

describe('books', () => {
  it("keeps each book's bills apart: the same bill_no is fine in another book and invisible from it", async () => {
    const base = {
      clientId: '300001',
      accountName: '账套',
      domain: 'https://tf.jdy.com',
      status: 1,
      serviceId: '1',
      groupName: 'g',
    }
    ;({ sim, client } = await setup({
      clients: [{ clientId: '300001', clientSecret: 'c'.repeat(32) }],
      books: [
        { ...base, outerInstanceId: 'OI-A', accountId: 'A', appKey: 'keyA0001' },
        { ...base, outerInstanceId: 'OI-B', accountId: 'B', appKey: 'keyB0001' },
      ],
    }))
    const other = new JdyTestClient(sim.url, sim.books[1]!, () => sim!.clock.now())
    await other.login()
    const idA = (await save(bill())).json.data.ids[0]
    expect((await other.call('POST', SAVE, { body: bill() })).json.errcode).toBe(0)
    expect((await other.call('GET', DETAIL, { query: { id: idA } })).json.errcode).not.toBe(0)
    expect(sim.bills.list('OI-A')).toHaveLength(1)
    expect(sim.bills.list('OI-B')).toHaveLength(1)
  })
})

describe('update', () => {
  it('replaces lines of a bill while it is Z, keeping its id and number', async () => {
    ;({ sim, client } = await setup())
    const id = (await save(bill())).json.data.ids[0]
    const r = await save(
      bill({ id, bill_no: undefined, material_entity: [line({ qty: 7 }), line({ material_id: 'M2' })] }),
    )
    expect(r.json.data).toEqual({ ids: [id], id_number_map: { [id]: 'PK-T-0001' } })
    expect(sim.bills.list()).toHaveLength(1)
    expect((await detail({ id })).json.data.material_entity.map((l: any) => l.qty)).toEqual([7, 3])
  })

  it('refuses to update an audited bill', async () => {
    ;({ sim, client } = await setup())
    const id = (await save(bill({ operation_key: 'audit' }))).json.data.ids[0]
    const r = await save(bill({ id, material_entity: [line({ qty: 9 })] }))
    expect(r.json.description).toContain('已审核，不能修改')
    expect(sim.bills.list()[0]!.material_entity[0]!.qty).toBe('3')
  })

  it('refuses to update a bill id that does not exist', async () => {
    ;({ sim, client } = await setup())
    expect((await save(bill({ id: '1' }))).json.description).toBe('单据id[1]不存在')
  })
})

describe('detail', () => {
  it('finds a bill by number', async () => {
    ;({ sim, client } = await setup())
    const id = (await save(bill())).json.data.ids[0]
    expect((await detail({ number: 'PK-T-0001' })).json.data.id).toBe(id)
  })

  it('answers errcode ≠ 0 for a missing bill by default', async () => {
    ;({ sim, client } = await setup())
    const r = await detail({ number: 'PK-NONE' })
    expect(r.json.errcode).not.toBe(0)
    expect(r.json.description).toContain('PK-NONE')
  })

  it('answers data:null for a missing bill when detailNotFound is "null"', async () => {
    ;({ sim, client } = await setup({ bills: { detailNotFound: 'null' } }))
    expect((await detail({ id: '42' })).json).toEqual({ errcode: 0, description: 'success', data: null })
  })

  it('requires id or number', async () => {
    ;({ sim, client } = await setup())
    expect((await detail({})).json.description).toBe('id与number不能同时为空')
  })
})

describe('list', () => {
  async function seed(): Promise<void> {
    for (let i = 1; i <= 5; i++) {
      await save(
        bill({
          bill_no: `PK-L-${i}`,
          bill_date: `2026-11-0${i}`,
          remark: i === 3 ? 'needle [ext:x3]' : 'hay',
          operation_key: i % 2 === 0 ? 'audit' : undefined,
        }),
      )
    }
  }

  it('filters by bill_status, bill_date range and search', async () => {
    ;({ sim, client } = await setup())
    await seed()
    const nos = async (q: Record<string, string>) =>
      (await client.call('GET', SAVE, { query: q })).json.data.rows.map((r: any) => r.bill_no).sort()
    expect(await nos({ bill_status: 'C' })).toEqual(['PK-L-2', 'PK-L-4'])
    expect(await nos({ bill_status: 'Z' })).toEqual(['PK-L-1', 'PK-L-3', 'PK-L-5'])
    expect(await nos({ start_bill_date: '2026-11-02', end_bill_date: '2026-11-03' })).toEqual(['PK-L-2', 'PK-L-3'])
    expect(await nos({ search: 'ext:x3' })).toEqual(['PK-L-3'])
    expect(await nos({ search: 'PK-L-5' })).toEqual(['PK-L-5'])
  })

  it('pages with count and total_page and returns the §4.3 row fields', async () => {
    ;({ sim, client } = await setup())
    await seed()
    const r = await client.call('GET', SAVE, { query: { page: '2', page_size: '2' } })
    expect(r.json.data).toMatchObject({ count: 5, total_page: 3, page: 2, page_size: 2, current_page_size: 2 })
    expect(Object.keys(r.json.data.rows[0]).sort()).toEqual(
      [
        'audit_time',
        'auditor_id',
        'auditor_name',
        'auditor_number',
        'bill_date',
        'bill_no',
        'bill_status',
        'create_time',
        'creator_id',
        'creator_name',
        'creator_number',
        'id',
        'remark',
      ].sort(),
    )
  })

  it('rejects an unknown bill_status and a malformed date', async () => {
    ;({ sim, client } = await setup())
    expect((await client.call('GET', SAVE, { query: { bill_status: 'X' } })).json.errcode).not.toBe(0)
    expect((await client.call('GET', SAVE, { query: { start_bill_date: '20261101' } })).json.errcode).not.toBe(0)
  })
})
