/* eslint-disable @typescript-eslint/no-unsafe-return -- these tests read arbitrary vendor JSON */
/** Spec §4.5, §7 `common_operate`: audit Z→C, unaudit C→Z, delete only Z, optional negative-stock check. */
import { afterEach, describe, expect, it } from 'vitest'
import type { JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import type { JdyTestClient } from './jdy-client.js'
import { bill, line, setup } from './fixtures.js'

const SAVE = '/jdy/v2/scm/inv_check_loss_bill'
const OPERATE = '/jdy/v2/sys/common_operate'

let sim: JdySimulator | undefined
let client: JdyTestClient
afterEach(async () => {
  await sim?.close()
  sim = undefined
})
const operate = (operate_type: string, target: Record<string, unknown>) =>
  client.call('POST', OPERATE, {
    body: { entity_number: 'inv_check_loss_bill', operate_type, ignore_warn: false, ...target },
  })
const saved = async (over: Record<string, unknown> = {}): Promise<string> =>
  (await client.call('POST', SAVE, { body: bill(over) })).json.data.ids[0]
const status = (id: string): string | undefined => sim!.bills.bills.get(id)?.bill_status

describe('common_operate', () => {
  it('audits a Z bill to C and answers ids and id_number_map', async () => {
    ;({ sim, client } = await setup())
    const id = await saved()
    const r = await operate('audit', { ids: [id] })
    expect(r.json).toMatchObject({ errcode: 0, data: { ids: [id], id_number_map: { [id]: 'PK-T-0001' } } })
    expect(status(id)).toBe('C')
  })

  it('refuses to audit a bill twice', async () => {
    ;({ sim, client } = await setup())
    const id = await saved()
    await operate('audit', { ids: [id] })
    expect((await operate('audit', { ids: [id] })).json.description).toContain('不能重复审核')
  })

  it('unaudits a C bill back to Z and refuses to unaudit a Z bill', async () => {
    ;({ sim, client } = await setup())
    const id = await saved({ operation_key: 'audit' })
    expect((await operate('unaudit', { ids: [id] })).json.errcode).toBe(0)
    expect(status(id)).toBe('Z')
    expect((await operate('unaudit', { ids: [id] })).json.description).toContain('未审核')
  })

  it('deletes a Z bill, which then is not found by number', async () => {
    ;({ sim, client } = await setup())
    const id = await saved()
    expect((await operate('delete', { numbers: ['PK-T-0001'] })).json.data.ids).toEqual([id])
    expect(sim.bills.list()).toHaveLength(0)
    const d = await client.call('GET', '/jdy/v2/scm/inv_check_loss_bill_detail', { query: { number: 'PK-T-0001' } })
    expect(d.json.errcode).not.toBe(0)
  })

  it('refuses to delete an audited bill and changes nothing', async () => {
    ;({ sim, client } = await setup())
    const id = await saved({ operation_key: 'audit' })
    expect((await operate('delete', { ids: [id] })).json.description).toContain('已审核，不能删除')
    expect(status(id)).toBe('C')
  })

  it('applies nothing when one of several bills cannot take the operation', async () => {
    ;({ sim, client } = await setup())
    const a = await saved({ bill_no: 'A' })
    const b = await saved({ bill_no: 'B', operation_key: 'audit' })
    expect((await operate('audit', { ids: [a, b] })).json.errcode).not.toBe(0)
    expect(status(a)).toBe('Z')
  })

  it.each([
    [
      'an unknown entity_number',
      { entity_number: 'inv_check_gail_bill', operate_type: 'audit', ids: ['1'] },
      'entity_number',
    ],
    [
      'an unknown operate_type',
      { entity_number: 'inv_check_loss_bill', operate_type: 'close', ids: ['1'] },
      'operate_type',
    ],
    [
      'neither ids nor numbers',
      { entity_number: 'inv_check_loss_bill', operate_type: 'audit' },
      'ids与numbers不能同时为空',
    ],
    [
      'an unknown id',
      { entity_number: 'inv_check_loss_bill', operate_type: 'audit', ids: ['777'] },
      '单据id[777]不存在',
    ],
  ])('rejects %s', async (_name, body, text) => {
    ;({ sim, client } = await setup())
    const r = await client.call('POST', OPERATE, { body })
    expect(r.json.errcode).not.toBe(0)
    expect(r.json.description).toContain(text)
  })

  it('fails the audit when stock would go negative in a store that forbids it, and passes when stock suffices', async () => {
    ;({ sim, client } = await setup({ bills: { stock: { 'M1@S2': 30 } } }))
    const tooMuch = await saved({ bill_no: 'BIG', material_entity: [line({ stock_id: 'S2', unit_id: 'U2', qty: 3 })] }) // 36 in base units
    const r = await operate('audit', { ids: [tooMuch] })
    expect(r.json.description).toContain('库存不足')
    expect(status(tooMuch)).toBe('Z')
    const fits = await saved({ bill_no: 'SMALL', material_entity: [line({ stock_id: 'S2', qty: 30 })] })
    expect((await operate('audit', { ids: [fits] })).json.errcode).toBe(0)
    // The stock is used up now; unauditing gives it back.
    const more = await saved({ bill_no: 'MORE', material_entity: [line({ stock_id: 'S2', qty: 1 })] })
    expect((await operate('audit', { ids: [more] })).json.errcode).not.toBe(0)
    await operate('unaudit', { ids: [fits] })
    expect((await operate('audit', { ids: [more] })).json.errcode).toBe(0)
  })

  it('ignores stock for stores that allow negative stock', async () => {
    ;({ sim, client } = await setup({ bills: { stock: {} } }))
    const id = await saved({ material_entity: [line({ stock_id: 'S1', qty: 1000 })] })
    expect((await operate('audit', { ids: [id] })).json.errcode).toBe(0)
  })
})
