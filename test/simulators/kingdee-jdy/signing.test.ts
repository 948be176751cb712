/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read arbitrary vendor JSON */
/**
 * Spec §2.4: every official vector, computed by the simulator's signer and by this folder's
 * independent client, and the simulator's gateway accepting exactly those requests while the
 * usual encoding bugs get 4008.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import { startJdySimulator, type JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import { appSignature, canonicalQuery, hmacHexBase64, stringToSign } from '../../../simulators/kingdee-jdy/signing.js'
import { canonical, hmacSign, signingText } from './jdy-client.js'
import { MASTER, setup } from './fixtures.js'

const SECRET = 'f2adcfef73369bfc4e1384677d38a0ff'
const NONCE = '4427456950'
const TS = '1670305063559'
const V2_PARAMS = {
  app_key: 'bVZgAZOv1',
  app_signature: 'MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA==',
}
const V2 = 'OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIxY2Y5YTA3ZGY2OGI1MGQ1MQ=='
const V3 = 'NzY5MmEwMTQxN2Y0OWJlNDVmMDFhZTlhMmY3MWJmOGUzOGU1MDAwMmFhZTY4Nzc3ZDBiZThlNGY3MzYxMzQzNw=='
const V4 = 'YWNmNDkxOGYzYTk3NWVjZjgxMjA5NjU0ZGQ1NDE4NjM4NDZiMWMwNDdlZjc0YjY1YzZiMjIzNDQ4Y2Y0NDhiNQ=='
const V5_PARAMS = { page: '1', page_size: '100', search: "盘亏 A*B~C!(x)'y" }
const V5 = 'YzFkNzkzMWI3OGRmN2ViYzAzNzQwZjhmMjdiZGEzZTE5YmI4OWJiYWNjZWJjODhiMmIwM2VhNzNhOGY1MTRhZg=='
const V5_NAIVE = 'OWQ2MTg3YjlhOTFiMjRhNjVmNmE5MmJiYWZmMGI1NzRlY2EyNjYwOTdlNTY2Y2Q2N2ZhMmQwMjgyMDUzZDczNg=='
const V5_CANONICAL = 'page=1&page_size=100&search=%25E7%259B%2598%25E4%25BA%258F%2BA%2AB%257EC%2521%2528x%2529%2527y'

const vectors: Array<{ name: string; method: string; path: string; params: Record<string, string>; sig: string }> = [
  {
    name: 'V2 token GET',
    method: 'GET',
    path: '/jdyconnector/app_management/kingdee_auth_token',
    params: V2_PARAMS,
    sig: V2,
  },
  { name: 'V3 save POST, no query', method: 'POST', path: '/jdy/v2/scm/inv_check_loss_bill', params: {}, sig: V3 },
  {
    name: 'V4 detail by number',
    method: 'GET',
    path: '/jdy/v2/scm/inv_check_loss_bill_detail',
    params: { number: 'PK-2024-0001' },
    sig: V4,
  },
  { name: 'V5 tricky characters', method: 'GET', path: '/jdy/v2/scm/inv_check_loss_bill', params: V5_PARAMS, sig: V5 },
]
const headers = [
  ['x-api-nonce', NONCE],
  ['x-api-timestamp', TS],
] as const

describe('JDY signature vectors (spec §2.4)', () => {
  it('computes the official app_signature V1 in the simulator and in the test client', () => {
    const v1 = 'ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ=='
    expect(appSignature('abc123', 'abc')).toBe(v1)
    expect(hmacSign('abc123', 'abc')).toBe(v1)
  })

  it.each(vectors)(
    'computes $name in the simulator and in the independent test client',
    ({ method, path, params, sig }) => {
      const cq = canonicalQuery(Object.entries(params))
      expect(cq).toBe(canonical(params))
      expect(hmacHexBase64(SECRET, stringToSign({ method, path, canonicalQuery: cq, headers }))).toBe(sig)
      expect(
        hmacSign(SECRET, signingText({ method, path, query: canonical(params), nonce: NONCE, timestamp: TS })),
      ).toBe(sig)
    },
  )

  it('canonicalises V5 with FORM then GW, not with double encodeURIComponent', () => {
    expect(canonicalQuery(Object.entries(V5_PARAMS))).toBe(V5_CANONICAL)
  })

  it('reproduces the documented wrong outputs of the usual bugs, which differ from V2', () => {
    const text = signingText({
      method: 'GET',
      path: vectors[0]!.path,
      query: canonical(V2_PARAMS),
      nonce: NONCE,
      timestamp: TS,
    })
    expect(hmacSign(SECRET, text.slice(0, -1))).toBe(
      'N2NmYjIzMTgxZGY1MDk2ZmE5MTEyZWE1NjVhNDRkZGNlNWMzNzkzNDk0MzQ4NGJkYTE1ODE4NjViM2I2MTMyOA==',
    )
    expect(hmacSign(SECRET, text, 'raw_digest')).toBe('kb6bQbI9onxaeIAo3nH14J6VZeTFol8hz5oH32i1DVE=')
    expect(hmacSign(SECRET, text, 'upper_hex')).toBe(
      'OTFCRTlCNDFCMjNEQTI3QzVBNzg4MDI4REU3MUY1RTA5RTk1NjVFNEM1QTI1RjIxQ0Y5QTA3REY2OEI1MEQ1MQ==',
    )
  })
})

/** Send one vector request verbatim: the exact headers of spec §2.4 at the vector's instant. */
async function sendVector(
  sim: JdySimulator,
  v: (typeof vectors)[number],
  signature: string,
  query?: string,
  signHeaders = 'X-Api-TimeStamp,X-Api-Nonce',
): Promise<{ status: number; json: any }> {
  const qs =
    query ??
    Object.entries(v.params)
      .map(
        ([k, val]) =>
          `${encodeURIComponent(k)}=${encodeURIComponent(val)
            .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
            .replace(/%20/g, '+')}`,
      )
      .join('&')
  const res = await fetch(`${sim.url}${v.path}${qs === '' ? '' : `?${qs}`}`, {
    method: v.method,
    headers: {
      'X-Api-ClientID': '200421',
      'X-Api-Auth-Version': '2.0',
      'X-Api-TimeStamp': TS,
      'X-Api-Nonce': NONCE,
      'X-Api-SignHeaders': signHeaders,
      'X-Api-Signature': signature,
      'Content-Type': 'application/json',
    },
    ...(v.method === 'POST' ? { body: '{}' } : {}),
  })
  return { status: res.status, json: await res.json() }
}

describe('JDY gateway signature check', () => {
  let sim: JdySimulator
  afterEach(async () => sim.close())

  const start = (acceptNaiveQueryEncoding = false): Promise<JdySimulator> =>
    startJdySimulator({
      clients: [{ clientId: '200421', clientSecret: SECRET }],
      clock: createClock({ start: Number(TS), frozen: true }),
      masterData: MASTER,
      gateway: { acceptNaiveQueryEncoding },
    })

  it.each(vectors)('lets the official $name request through the gateway', async (v) => {
    sim = await start()
    const r = await sendVector(sim, v, v.sig)
    // Past the gateway: the token call fails on its (unknown) app_key, business calls on the missing app-token.
    expect([4001, 4002, 4003, 4006, 4007, 4008]).not.toContain(r.json.errcode)
    expect(r.json.errcode).toBe(v.path.includes('kingdee_auth_token') ? 1030002006 : 4009)
  })

  it.each([
    ['no trailing newline', 'N2NmYjIzMTgxZGY1MDk2ZmE5MTEyZWE1NjVhNDRkZGNlNWMzNzkzNDk0MzQ4NGJkYTE1ODE4NjViM2I2MTMyOA=='],
    ['Base64 of the raw digest', 'kb6bQbI9onxaeIAo3nH14J6VZeTFol8hz5oH32i1DVE='],
    ['uppercase hex', 'OTFCRTlCNDFCMjNEQTI3QzVBNzg4MDI4REU3MUY1RTA5RTk1NjVFNEM1QTI1RjIxQ0Y5QTA3REY2OEI1MEQ1MQ=='],
  ])('rejects the %s bug with HTTP 519 and errcode 4008', async (_name, sig) => {
    sim = await start()
    const r = await sendVector(sim, vectors[0]!, sig)
    expect(r.status).toBe(519)
    expect(r.json).toEqual({
      errcode: 4008,
      description: 'X-Api-Signature is invalid',
      description_cn: expect.any(String),
    })
  })

  it('rejects the naive double-encodeURIComponent signature of V5 by default', async () => {
    sim = await start()
    const naiveQuery = Object.entries(V5_PARAMS)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&')
    const r = await sendVector(sim, vectors[3]!, V5_NAIVE, naiveQuery)
    expect(r.json.errcode).toBe(4008)
  })

  it('accepts the naive V5 signature only when acceptNaiveQueryEncoding is on', async () => {
    sim = await start(true)
    const naiveQuery = Object.entries(V5_PARAMS)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&')
    const r = await sendVector(sim, vectors[3]!, V5_NAIVE, naiveQuery)
    expect(r.json.errcode).toBe(4009)
  })

  it('rejects a request whose query differs by one byte from the signed one', async () => {
    sim = await start()
    const r = await sendVector(sim, vectors[2]!, V4, 'number=PK-2024-0002')
    expect(r.json.errcode).toBe(4008)
  })

  it('accepts X-Api-SignHeaders in either order, as the official Java client sorts them', async () => {
    sim = await start()
    const r = await sendVector(sim, vectors[2]!, V4, undefined, 'X-Api-Nonce,X-Api-TimeStamp')
    expect(r.json.errcode).toBe(4009)
  })

  it('rejects SignHeaders that leave out the nonce with 4007', async () => {
    sim = await start()
    const r = await sendVector(sim, vectors[2]!, V4, undefined, 'X-Api-TimeStamp')
    expect(r.json.errcode).toBe(4007)
  })

  it('does not sign the body: the same V3 signature passes with any save body', async () => {
    sim = await start()
    const res = await fetch(`${sim.url}/jdy/v2/scm/inv_check_loss_bill`, {
      method: 'POST',
      headers: {
        'X-Api-ClientID': '200421',
        'X-Api-Auth-Version': '2.0',
        'X-Api-TimeStamp': TS,
        'X-Api-Nonce': NONCE,
        'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
        'X-Api-Signature': V3,
      },
      body: JSON.stringify({ bill_date: '2026-01-01', material_entity: [] }),
    })
    expect(((await res.json()) as { errcode: number }).errcode).toBe(4009)
  })
})

describe('JDY signature with a live client', () => {
  it("accepts a list query with Chinese, a space and !'()*~ signed with FORM/GW, and rejects the naive encoding of it", async () => {
    const { sim, client } = await setup()
    try {
      const query = { page: '1', page_size: '100', search: "盘亏 A*B~C!(x)'y" }
      expect((await client.call('GET', '/jdy/v2/scm/inv_check_loss_bill', { query })).json.errcode).toBe(0)
      const naive = await client.call('GET', '/jdy/v2/scm/inv_check_loss_bill', { query, queryEncoding: 'naive' })
      expect(naive.json.errcode).toBe(4008)
    } finally {
      await sim.close()
    }
  })
})
