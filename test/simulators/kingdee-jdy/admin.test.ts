/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read arbitrary vendor JSON */
/**
 * The admin API under /__admin/: credentials, request log (secrets redacted), counters, stored
 * bills and the mutation helpers issue 6 relies on, faults, clock and reset.
 */
import { afterEach, describe, expect, it } from 'vitest'
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

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim!.url}/__admin/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sim!.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: await res.json() }
}

describe('admin API', () => {
  it('returns the credentials to use, including the current appSecret and the URL', async () => {
    ;({ sim, client } = await setup())
    const r = await admin('GET', 'credentials')
    expect(r.json.credentials).toMatchObject({ ...sim.credentials, url: sim.url })
    const rotated = sim.rotateSecret()
    expect((await admin('GET', 'credentials')).json.credentials.appSecret).toBe(rotated)
  })

  it('logs every vendor call with redacted secrets and counts outcomes by reason', async () => {
    ;({ sim, client } = await setup())
    await client.call('POST', SAVE, { body: bill() })
    await client.call('POST', SAVE, { body: bill() })
    await client.call('GET', '/jdy/v2/bd/store', { dropTrailingNewline: true })
    const log = await admin('GET', 'log')
    const text = JSON.stringify(log.json)
    expect(log.json.entries.map((e: any) => `${e.method} ${e.endpoint} ${e.outcome}`)).toEqual([
      'POST /jdyconnector/app_management/push_app_authorize accepted',
      'GET /jdyconnector/app_management/kingdee_auth_token accepted',
      'POST /jdy/v2/scm/inv_check_loss_bill accepted',
      'POST /jdy/v2/scm/inv_check_loss_bill rejected',
      'GET /jdy/v2/bd/store rejected',
    ])
    expect(log.json.entries[3]).toMatchObject({
      code: 1010001001,
      reason: 'duplicate',
      params: { body: { bill_no: 'PK-T-0001' } },
    })
    expect(text).not.toContain(client.appSignature())
    expect(text).not.toContain(client.token!)
    expect(text).not.toContain(sim.credentials.clientSecret)
    const counters = (await admin('GET', 'counters')).json.counters
    expect(counters[SAVE]).toMatchObject({ accepted: 1, rejected: { duplicate: 1 } })
    expect(counters['/jdy/v2/bd/store']).toMatchObject({ accepted: 0, rejected: { signature: 1 } })
  })

  it("lists stored bills and deletes one behind the client's back", async () => {
    ;({ sim, client } = await setup())
    const id = (await client.call('POST', SAVE, { body: bill() })).json.data.ids[0]
    expect((await admin('GET', 'bills')).json.bills.map((b: any) => b.bill_no)).toEqual(['PK-T-0001'])
    expect((await admin('DELETE', `bills/${id}`)).json).toEqual({ ok: true, deleted: id })
    expect((await client.call('GET', DETAIL, { query: { id } })).json.errcode).not.toBe(0)
    expect((await admin('DELETE', `bills/${id}`)).status).toBe(404)
  })

  it('creates a bill directly, which a later save with the same bill_no collides with', async () => {
    ;({ sim, client } = await setup())
    const created = await admin('POST', 'bills', {
      bill_no: 'PK-T-0001',
      bill_date: '2026-11-01',
      material_entity: [line({ qty: 5 })],
    })
    expect(created.json.bill).toMatchObject({ bill_no: 'PK-T-0001', bill_status: 'Z' })
    expect((await client.call('POST', SAVE, { body: bill() })).json.description).toContain('组合值与其他表单重复')
  })

  it('alters a line quantity and sets a status, both visible in the detail', async () => {
    ;({ sim, client } = await setup())
    const id = (await client.call('POST', SAVE, { body: bill() })).json.data.ids[0]
    await admin('POST', `bills/${id}/qty`, { seq: 1, qty: '2.5' })
    await admin('POST', `bills/${id}/status`, { bill_status: 'C' })
    const d = (await client.call('GET', DETAIL, { query: { id } })).json.data
    expect(d.material_entity[0].qty).toBe(2.5)
    expect(d.bill_status).toBe('C')
    expect((await admin('POST', `bills/${id}/qty`, { seq: 9, qty: 1 })).status).toBe(404)
    expect((await admin('POST', `bills/${id}/qty`, { qty: 1 })).status).toBe(400)
  })

  it('installs fault rules and reports them', async () => {
    ;({ sim, client } = await setup())
    const rules = [{ endpoint: `POST ${SAVE}`, when: { calls: [1] }, fault: { kind: 'http_error', status: 503 } }]
    expect((await admin('PUT', 'faults', { rules })).json.rules).toEqual(rules)
    expect((await client.call('POST', SAVE, { body: bill() })).status).toBe(503)
    expect((await admin('PUT', 'faults', { rules: [{ endpoint: 'x' }] })).status).toBe(400)
  })

  it('advances the clock so tokens expire', async () => {
    ;({ sim, client } = await setup())
    await admin('POST', 'clock', { advanceMs: 25 * 3600_000 })
    expect((await client.call('GET', '/jdy/v2/bd/store')).json.errcode).toBe(1000202001)
  })

  it('revokes tokens and rotates the secret', async () => {
    ;({ sim, client } = await setup())
    expect((await admin('POST', 'tokens/revoke', {})).json.revoked).toBe(1)
    expect((await client.call('GET', '/jdy/v2/bd/store')).json.errcode).toBe(1000202001)
    const rotated = (await admin('POST', 'secret/rotate', {})).json.appSecret
    expect(rotated).not.toBe(client.creds.appSecret)
    sim.clock.advance(60_001)
    expect((await client.fetchToken()).json.errcode).toBe(1030002006)
  })

  it('disables and removes master data so saves fail the way the real book does', async () => {
    ;({ sim, client } = await setup())
    await admin('PATCH', 'master-data/material/M1', { enable: '0' })
    expect((await client.call('POST', SAVE, { body: bill() })).json.description).toContain('已禁用')
    await admin('DELETE', 'master-data/store/S1')
    expect(
      (await client.call('POST', SAVE, { body: bill({ material_entity: [line({ material_id: 'M2' })] }) })).json
        .description,
    ).toBe('参数id[S1]不存在')
    expect((await admin('DELETE', 'master-data/store/S1')).status).toBe(404)
  })

  it('resets bills, tokens, log and faults to the initial state', async () => {
    ;({ sim, client } = await setup())
    await client.call('POST', SAVE, { body: bill() })
    await admin('PUT', 'faults', {
      rules: [{ endpoint: '*', when: { always: true }, fault: { kind: 'http_error', status: 502 } }],
    })
    expect((await admin('POST', 'reset')).json.ok).toBe(true)
    expect(sim.bills.list()).toHaveLength(0)
    expect(sim.log.entries()).toHaveLength(0)
    expect((await admin('GET', 'faults')).json.rules).toEqual([])
    expect((await client.call('GET', '/jdy/v2/bd/store')).json.errcode).toBe(1000202001)
    const fresh = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    await fresh.login()
    expect((await fresh.call('GET', '/jdy/v2/bd/store')).json.errcode).toBe(0)
  })

  it('answers unknown admin routes with 404', async () => {
    ;({ sim, client } = await setup())
    expect((await admin('GET', 'nothing-here')).status).toBe(404)
  })
})
