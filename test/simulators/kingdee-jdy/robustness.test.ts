/** Malformed input never crashes the simulator: each case gets the real error shape, and the next call is served. */
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import type { JdyTestClient } from './jdy-client.js'
import { bill, line, MASTER, setup } from './fixtures.js'

const SAVE = '/jdy/v2/scm/inv_check_loss_bill'

let sim: JdySimulator | undefined
let client: JdyTestClient
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function stillServes(): Promise<void> {
  expect((await client.call('GET', '/jdy/v2/bd/store')).json.errcode).toBe(0)
}

function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text))
    let got = ''
    s.on('data', (d) => {
      got += d.toString()
    })
    s.on('end', () => resolve(got))
    s.on('error', reject)
  })
}

describe('malformed input', () => {
  it.each([
    ['bad JSON', '{"bill_date": "2026-11-20", material_entity: [', 'JSON解析失败'],
    ['an empty body', '', '请求体不能为空'],
    ['a JSON array', '[1,2]', '应为JSON对象'],
    ['a JSON string', '"hello"', '应为JSON对象'],
  ])('answers a save with %s with a business error', async (_name, rawBody, text) => {
    ;({ sim, client } = await setup())
    const r = await client.call('POST', SAVE, { rawBody })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ errcode: 1010001001, description: expect.stringContaining(text) })
    await stillServes()
  })

  it.each([
    ['null lines', { material_entity: [null, 5] }, '第1行分录格式错误'],
    ['an infinite qty', { material_entity: [line({ qty: Number.POSITIVE_INFINITY })] }, '格式错误'],
    ['a number bill_date', { bill_date: 20261120 }, '格式错误'],
    ['an object remark', { remark: { a: 1 } }, 'remark格式错误'],
    ['a list custom_field', { custom_field: [1] }, 'custom_field格式错误'],
  ])('answers a save with %s with a business error', async (_name, over, text) => {
    ;({ sim, client } = await setup())
    const r = await client.call('POST', SAVE, {
      rawBody: JSON.stringify(bill(over)).replace('"qty":null', '"qty":1e400'),
    })
    expect(r.json.errcode).not.toBe(0)
    expect(r.json.description).toContain(text)
  })

  it('answers a body over maxBodyBytes with 413 and a JSON error', async () => {
    ;({ sim, client } = await setup({ maxBodyBytes: 64 * 1024 }))
    const r = await client.call('POST', SAVE, { rawBody: JSON.stringify(bill({ remark: 'x'.repeat(200_000) })) })
    expect(r.status).toBe(413)
    expect(r.json).toMatchObject({ errcode: 413, description: 'Request Entity Too Large' })
    expect(sim.bills.list()).toHaveLength(0)
    await stillServes()
  })

  it.each([
    ['PUT', SAVE, 5002],
    ['DELETE', '/jdy/v2/bd/material', 5002],
    ['GET', '/jdy/v2/sys/common_operate', 5002],
    ['GET', '/jdyconnector/app_management/push_app_authorize', 5002],
    ['GET', '/jdy/v2/scm/inv_check_gail_bill', 5001],
    ['GET', '/', 5001],
  ])('answers %s %s with gateway error %i', async (method, path, code) => {
    ;({ sim, client } = await setup())
    const r = await client.call(method, path)
    expect(r.status).toBe(519)
    expect(r.json).toMatchObject({ errcode: code, description: expect.any(String), description_cn: expect.any(String) })
    await stillServes()
  })

  it('answers a request with no JDY headers at all with 4001', async () => {
    ;({ sim, client } = await setup())
    const res = await fetch(`${sim.url}/jdy/v2/bd/material`)
    expect(res.status).toBe(519)
    expect(await res.json()).toMatchObject({ errcode: 4001 })
  })

  it('answers broken percent-encoding in the query with a signature error, not a crash', async () => {
    ;({ sim, client } = await setup())
    const res = await fetch(`${sim.url}/jdy/v2/bd/material?search=%E7%ZZ&page=%`, {
      headers: {
        'X-Api-Auth-Version': '2.0',
        'X-Api-ClientID': sim.credentials.clientId,
        'X-Api-TimeStamp': String(sim.clock.now()),
        'X-Api-Nonce': '1',
        'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
        'X-Api-Signature': 'x',
      },
    })
    expect(((await res.json()) as { errcode: number }).errcode).toBe(4008)
    await stillServes()
  })

  it('answers a request line the HTTP parser rejects with 400 and keeps serving', async () => {
    ;({ sim, client } = await setup())
    const reply = await rawHttp(sim.port, 'BROKEN \u0000 HTTP/9\r\n\r\n')
    expect(reply).toMatch(/^HTTP\/1\.1 400/)
    await stillServes()
  })

  it("answers JDY's system error 2000002000 when an endpoint fails on bad stored data, and keeps serving", async () => {
    const broken = {
      ...MASTER,
      materialUnits: [
        ...MASTER.materialUnits,
        { id: 'MUX', material_id: 'M2', unit_id: 'U2', coefficient: 'not-a-number' },
      ],
    }
    ;({ sim, client } = await setup({ masterData: broken }))
    const id = (
      await client.call('POST', SAVE, { body: bill({ material_entity: [line({ material_id: 'M2', unit_id: 'U2' })] }) })
    ).json.data.ids[0]
    const r = await client.call('GET', '/jdy/v2/scm/inv_check_loss_bill_detail', { query: { id } })
    expect(r.status).toBe(500)
    expect(r.json).toMatchObject({ errcode: 2000002000, description: '系统错误,请到开发者社区提单反馈' })
    await stillServes()
  })
})
