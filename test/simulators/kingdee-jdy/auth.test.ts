/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- these tests read arbitrary vendor JSON */
/** Spec §1, §7 "Auth": authorisation rows, secret rotation, tokens, their limit and expiry, router address. */
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import { startJdySimulator, type JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import { JdyTestClient } from './jdy-client.js'
import { MASTER, setup } from './fixtures.js'

const AUTHORIZE = '/jdyconnector/app_management/push_app_authorize'
const TOKEN = '/jdyconnector/app_management/kingdee_auth_token'
const MATERIALS = '/jdy/v2/bd/material'

let sim: JdySimulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe('push_app_authorize', () => {
  it('returns the book row in the {code:200,msg,data:[…]} envelope', async () => {
    sim = await startJdySimulator({ masterData: MASTER })
    const c = new JdyTestClient(sim.url, { ...sim.credentials, appSecret: '' }, () => sim!.clock.now())
    const r = await c.call('POST', AUTHORIZE, { query: { outerInstanceId: sim.credentials.outerInstanceId }, body: {} })
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ code: 200, msg: 'success' })
    expect(r.json.data).toEqual([
      expect.objectContaining({
        appKey: sim.credentials.appKey,
        appSecret: sim.credentials.appSecret,
        domain: sim.credentials.domain,
        outerInstanceId: sim.credentials.outerInstanceId,
        status: 1,
        accountId: sim.credentials.accountId,
      }),
    ])
  })

  it('answers with the errcode envelope when authorizeEnvelope is "errcode"', async () => {
    sim = await startJdySimulator({ masterData: MASTER, auth: { authorizeEnvelope: 'errcode' } })
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    const r = await c.call('POST', AUTHORIZE, { query: { outerInstanceId: sim.credentials.outerInstanceId } })
    expect(r.json).toMatchObject({ errcode: 0, data: [expect.objectContaining({ appKey: sim.credentials.appKey })] })
  })

  it('lists every book of the client when outerInstanceId is left out, so callers must pick a row', async () => {
    const base = {
      clientId: '300001',
      accountName: '账套',
      domain: 'https://tf.jdy.com',
      status: 1,
      serviceId: '1',
      groupName: 'g',
    }
    sim = await startJdySimulator({
      masterData: MASTER,
      clients: [{ clientId: '300001', clientSecret: 'c'.repeat(32) }],
      books: [
        { ...base, outerInstanceId: 'OI-A', accountId: 'A', appKey: 'keyA0001' },
        { ...base, outerInstanceId: 'OI-B', accountId: 'B', appKey: 'keyB0001' },
      ],
    })
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    const all = await c.call('POST', AUTHORIZE)
    expect(all.json.data.map((r: any) => r.accountId)).toEqual(['A', 'B'])
    const one = await c.call('POST', AUTHORIZE, { query: { outerInstanceId: 'OI-B' } })
    expect(one.json.data.map((r: any) => r.accountId)).toEqual(['B'])
  })
})

describe('kingdee_auth_token', () => {
  it('issues a JWT-shaped app-token whose exp matches the configured lifetime', async () => {
    const clock = createClock({ start: Date.UTC(2026, 10, 20), frozen: true })
    sim = await startJdySimulator({
      masterData: MASTER,
      clock,
      auth: { tokenTtlMs: 3_600_000, tokenResponseExpires: true },
    })
    const c = new JdyTestClient(sim.url, sim.credentials, () => clock.now())
    const r = await c.fetchToken()
    expect(r.json).toMatchObject({
      errcode: 0,
      description: '成功',
      data: { uid: expect.any(Number), expires: clock.now() + 3_600_000 },
    })
    const token: string = r.json.data['app-token']
    expect(token.startsWith('eyJhbGciOiJSUzI1NiIs')).toBe(true)
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
    expect(claims.exp * 1000).toBe(clock.now() + 3_600_000)
  })

  it('answers 1030002006 to an app_signature made with a rotated-away appSecret, and works after re-pulling', async () => {
    ;({ sim } = await setup())
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    sim.rotateSecret()
    const stale = await c.fetchToken()
    expect(stale.json).toEqual({
      errcode: 1030002006,
      description: '授权密钥校验失败，请获取最新密钥加密',
      description_cn: expect.any(String),
    })
    await c.authorize()
    sim.clock.advance(60_001) // the token endpoint allows two calls a minute
    expect((await c.fetchToken()).json.errcode).toBe(0)
  })

  it('rotates the appSecret on every Nth authorisation call when rotateSecretEveryCalls is set', async () => {
    sim = await startJdySimulator({ masterData: MASTER, auth: { rotateSecretEveryCalls: 2 } })
    const initial = sim.credentials.appSecret
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    const first = (await c.authorize()).json.data[0].appSecret
    const second = (await c.authorize()).json.data[0].appSecret
    const third = (await c.authorize()).json.data[0].appSecret
    expect(first).toBe(initial)
    expect(second).not.toBe(first)
    expect(third).toBe(second)
  })

  it('rotates the appSecret once it is older than rotateSecretEveryMs on the simulated clock', async () => {
    const clock = createClock({ frozen: true })
    sim = await startJdySimulator({
      masterData: MASTER,
      clock,
      auth: { rotateSecretEveryMs: 24 * 3600_000, tokenCallsPerMinute: 100 },
    })
    const c = new JdyTestClient(sim.url, sim.credentials, () => clock.now())
    expect((await c.fetchToken()).json.errcode).toBe(0)
    clock.advance(24 * 3600_000)
    expect((await c.fetchToken()).json.errcode).toBe(1030002006)
    await c.authorize()
    expect((await c.fetchToken()).json.errcode).toBe(0)
  })

  it('allows two token calls per minute per client and throttles the third with 429', async () => {
    const clock = createClock({ frozen: true })
    sim = await startJdySimulator({ masterData: MASTER, clock })
    const c = new JdyTestClient(sim.url, sim.credentials, () => clock.now())
    expect((await c.fetchToken()).status).toBe(200)
    expect((await c.fetchToken()).status).toBe(200)
    const third = await c.fetchToken()
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    clock.advance(60_001)
    expect((await c.fetchToken()).json.errcode).toBe(0)
    expect(sim.log.counters()[TOKEN]).toMatchObject({ accepted: 3, throttled: 1 })
  })
})

describe('business calls', () => {
  it('serves a call with a valid app-token and router address', async () => {
    ;({ sim } = await setup())
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    await c.login()
    expect((await c.call('GET', MATERIALS)).json.errcode).toBe(0)
  })

  it('rejects a call without app-token with gateway error 4009', async () => {
    ;({ sim } = await setup())
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    const r = await c.call('GET', MATERIALS)
    expect(r.status).toBe(519)
    expect(r.json.errcode).toBe(4009)
  })

  it('answers 1000202001 "JWT token has expired" once the token outlives its TTL on the simulated clock', async () => {
    const clock = createClock({ frozen: true })
    let client: JdyTestClient
    ;({ sim, client } = await setup({ clock, auth: { tokenTtlMs: 3_600_000 } }))
    expect((await client.call('GET', MATERIALS)).json.errcode).toBe(0)
    clock.advance(3_600_000)
    const r = await client.call('GET', MATERIALS)
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ errcode: 1000202001, description: 'JWT token has expired' })
    await client.fetchToken()
    expect((await client.call('GET', MATERIALS)).json.errcode).toBe(0)
  })

  it('answers 1000202001 to an unknown or revoked token', async () => {
    let client: JdyTestClient
    ;({ sim, client } = await setup())
    expect(
      (await client.call('GET', MATERIALS, { headers: { 'app-token': 'eyJhbGciOiJSUzI1NiIs.bogus.x' } })).json.errcode,
    ).toBe(1000202001)
    expect(sim.revokeTokens()).toBe(1)
    expect((await client.call('GET', MATERIALS)).json.errcode).toBe(1000202001)
  })

  it('requires X-GW-Router-Addr equal to the book domain in strict mode', async () => {
    let client: JdyTestClient
    ;({ sim, client } = await setup())
    const missing = await client.call('GET', MATERIALS, { headers: { 'X-GW-Router-Addr': null } })
    expect(missing.status).toBe(519)
    expect(missing.json.errcode).toBe(5001)
    const wrong = await client.call('GET', MATERIALS, { headers: { 'X-GW-Router-Addr': 'https://api.kingdee.com' } })
    expect(wrong.json.errcode).toBe(5001)
  })

  it('accepts a missing X-GW-Router-Addr in lenient mode', async () => {
    let client: JdyTestClient
    ;({ sim, client } = await setup({ gateway: { routerAddr: 'lenient' } }))
    expect((await client.call('GET', MATERIALS, { headers: { 'X-GW-Router-Addr': null } })).json.errcode).toBe(0)
  })
})

describe('gateway header checks', () => {
  it.each([
    ['an unsupported X-Api-Auth-Version', { 'X-Api-Auth-Version': '1.0' }, 4001],
    ['a missing X-Api-ClientID', { 'X-Api-ClientID': null }, 4002],
    ['an unknown X-Api-ClientID', { 'X-Api-ClientID': '999999' }, 4003],
    ['a missing X-Api-TimeStamp', { 'X-Api-TimeStamp': null }, 4006],
    [
      'a timestamp in seconds instead of milliseconds',
      { 'X-Api-TimeStamp': String(Math.floor(Date.now() / 1000)) },
      4006,
    ],
    ['SignHeaders naming other headers', { 'X-Api-SignHeaders': 'Content-Type' }, 4007],
    ['a missing signature', { 'X-Api-Signature': null }, 4008],
  ] as const)('rejects %s with errcode %i', async (_name, headers, code) => {
    ;({ sim } = await setup())
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    const r = await c.call('GET', MATERIALS, { headers: { ...headers } })
    expect(r.status).toBe(519)
    expect(r.json).toMatchObject({ errcode: code, description: expect.any(String), description_cn: expect.any(String) })
  })

  it('rejects a timestamp more than five minutes away and accepts one just inside', async () => {
    const clock = createClock({ frozen: true })
    ;({ sim } = await setup({ clock }))
    const late = new JdyTestClient(sim.url, sim.credentials, () => clock.now() - 300_001)
    expect((await late.call('GET', MATERIALS)).json.errcode).toBe(4006)
    const fine = new JdyTestClient(sim.url, sim.credentials, () => clock.now() - 299_000)
    expect((await fine.call('GET', MATERIALS)).json.errcode).toBe(4009)
  })

  it('applies the clock skew to the timestamp check only', async () => {
    const clock = createClock({ frozen: true })
    ;({ sim } = await setup({ clock }))
    clock.skewMs = 600_000
    const c = new JdyTestClient(sim.url, sim.credentials, () => clock.now())
    expect((await c.call('GET', MATERIALS)).json.errcode).toBe(4006)
  })

  it('uses the configured HTTP status for gateway rejections', async () => {
    ;({ sim } = await setup({ gateway: { httpStatus: 401 } }))
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    expect((await c.call('GET', MATERIALS, { dropTrailingNewline: true })).status).toBe(401)
  })

  it('rejects a reused nonce when rejectNonceReuse is on', async () => {
    ;({ sim } = await setup({ gateway: { rejectNonceReuse: true } }))
    const c = new JdyTestClient(sim.url, sim.credentials, () => sim!.clock.now())
    await c.login()
    expect((await c.call('GET', MATERIALS, { nonce: '1234567890' })).json.errcode).toBe(0)
    const again = await c.call('GET', MATERIALS, { nonce: '1234567890' })
    expect(again.json.errcode).toBe(4008)
    expect(sim.log.counters()[MATERIALS]?.rejected).toEqual({ nonce_reused: 1 })
  })
})
