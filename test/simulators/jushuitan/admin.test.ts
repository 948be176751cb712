import { describe, expect, it } from 'vitest'
import { COUNT, FULL_WEEK, harness, PARTNER } from './harness.js'
import type { Json } from './tiny-client.js'

async function admin(sim: { url: string; adminToken: string }, path: string, method = 'GET', body?: unknown) {
  const { url, adminToken } = sim
  const res = await fetch(`${url}/__admin/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: (await res.json()) as Json }
}

describe('JST simulator admin API', () => {
  it('returns the credentials that work, and the log and counters without secrets', async () => {
    const { sim, call } = await harness()
    const creds = (await admin(sim, 'credentials')).json.credentials
    expect(creds).toMatchObject({
      appKey: sim.credentials.appKey,
      accessToken: sim.credentials.accessToken,
      tokenUrl: `${sim.url}/openWeb/auth/getInitToken`,
    })
    await call(PARTNER, {})
    await call(COUNT, {})
    const log = (await admin(sim, 'log?endpoint=/open/wms/partner/query')).json.entries
    expect(log).toHaveLength(1)
    expect(log[0].params.access_token).toBe('[redacted]')
    expect(JSON.stringify(log)).not.toContain(sim.credentials.accessToken)
    const counters = (await admin(sim, 'counters')).json.counters
    expect(counters[PARTNER]).toMatchObject({ accepted: 1 })
    expect(counters[COUNT].rejected['biz:selector']).toBe(1)
  })

  it('sets faults by rules or profile name and clears them', async () => {
    const { sim, call } = await harness()
    await admin(sim, 'faults', 'PUT', {
      rules: [{ endpoint: PARTNER, when: { calls: [1] }, fault: { kind: 'http_error', status: 502 } }],
    })
    expect((await call(PARTNER, {})).status).toBe(502)
    expect((await call(PARTNER, {})).status).toBe(200)
    const hostile = await admin(sim, 'faults', 'PUT', { profile: 'hostile' })
    expect(hostile.json.rules.length).toBeGreaterThan(3)
    expect((await admin(sim, 'faults', 'PUT', { profile: 'nope' })).status).toBe(400)
    expect(
      (await admin(sim, 'faults', 'PUT', { rules: [{ endpoint: '*', when: {}, fault: { kind: 'reset' } }] })).status,
    ).toBe(400)
    await admin(sim, 'faults', 'DELETE')
    expect(sim.faults.list()).toEqual([])
  })

  it('advances the clock and sets skew', async () => {
    const { sim, call } = await harness()
    const before = sim.clock.now()
    const r = await admin(sim, 'clock', 'POST', { advanceMs: 3_600_000, skewMs: 700_000 })
    expect(r.json.now).toBe(before + 3_600_000)
    expect((await call(PARTNER, {})).json?.code).toBe(180)
  })

  it('runs mutations now and as betweenPages hooks, and changes options', async () => {
    const { sim, call } = await harness({ generate: { orders: 80, days: 7 } })
    const first = sim.orders.latest()[0]!
    const m = await admin(sim, 'mutate', 'POST', {
      op: 'setStatus',
      io_id: first.io_id,
      status: 'Delete',
      modified: '2026-11-07 12:00:00',
    })
    expect(m.json.result).toMatchObject({ status: 'Delete', modified: '2026-11-07 12:00:00' })
    expect((await admin(sim, `data/orders?io_id=${first.io_id}`)).json.order.status).toBe('Delete')
    await admin(sim, 'hooks', 'POST', {
      type: 'betweenPages',
      pageIndex: 1,
      action: { op: 'hardDelete', io_id: first.io_id },
    })
    await call(COUNT, { ...FULL_WEEK, page_size: 50 })
    expect((await admin(sim, `data/orders?io_id=${first.io_id}`)).status).toBe(404)
    await admin(sim, 'options', 'PUT', { defaultStatuses: ['Confirmed'] })
    const r = await call(COUNT, { ...FULL_WEEK, page_size: 50 })
    expect(new Set(r.json?.data.datas.map((o: { status: string }) => o.status))).toEqual(new Set(['Confirmed']))
  })

  it('revokes tokens and issues OAuth codes', async () => {
    const { sim, call } = await harness()
    await admin(sim, 'tokens/revoke', 'POST', {})
    expect((await call(PARTNER, {})).json?.code).toBe(100)
    const code = await admin(sim, 'oauth-code', 'POST', { app_key: sim.credentials.isv.appKey })
    expect(code.json.code).toMatch(/^[0-9a-f]{6}$/)
  })

  it('resets data, tokens, log and options to the initial state with the same advertised token', async () => {
    const { sim, call } = await harness()
    const token = sim.credentials.accessToken
    const first = sim.orders.latest()[0]!
    sim.orders.hardDelete(first.io_id)
    sim.revokeTokens()
    sim.configure({ defaultStatuses: ['Archive'] })
    await admin(sim, 'reset', 'POST')
    expect(sim.credentials.accessToken).toBe(token)
    expect(sim.orders.get(first.io_id)).toBeDefined()
    expect(sim.behaviour.defaultStatuses).toHaveLength(5)
    expect(sim.log.entries()).toEqual([])
    expect((await call(PARTNER, {})).json?.code).toBe(0)
  })

  it('answers 404 JSON to an unknown admin route and 400 to a non-JSON admin body', async () => {
    const { sim } = await harness()
    expect((await admin(sim, 'nope')).status).toBe(404)
    const res = await fetch(`${sim.url}/__admin/mutate`, {
      method: 'POST',
      body: '{oops',
      headers: { authorization: `Bearer ${sim.adminToken}`, 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
  })

  it('refuses admin calls without the token, with a wrong one, and bodies that are not declared JSON', async () => {
    const { sim } = await harness()
    expect((await fetch(`${sim.url}/__admin/credentials`)).status).toBe(401)
    expect(
      (await fetch(`${sim.url}/__admin/credentials`, { headers: { authorization: `Bearer ${'0'.repeat(32)}` } }))
        .status,
    ).toBe(401)
    expect(
      (await fetch(`${sim.url}/__admin/credentials`, { headers: { 'x-admin-token': sim.adminToken } })).status,
    ).toBe(200)
    // A cross-site form post: text/plain carrying JSON. Refused before it is read, even with the token.
    const csrf = await fetch(`${sim.url}/__admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ profile: 'hostile' }),
      headers: { authorization: `Bearer ${sim.adminToken}`, 'content-type': 'text/plain' },
    })
    expect(csrf.status).toBe(415)
    expect(sim.faults.list()).toEqual([])
  })
})
