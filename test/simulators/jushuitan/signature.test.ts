import { describe, expect, it } from 'vitest'
import { jstSign } from '../../../simulators/jushuitan/index.js'
import { harness, PARTNER } from './harness.js'
import { md5Sign, postForm, type Json } from './tiny-client.js'

const SECRET = 'e9c5ca33fecb404b8e6cdbd0ef4a6d25'
const APP_KEY = '5b53060f23d84ddf9703056e84fa5a2d'
const TOKEN = 'd7b01bf0842a4742a9450e21ffd95f60'
const VECTOR_A = {
  app_key: APP_KEY,
  timestamp: '1639128407',
  grant_type: 'authorization_code',
  charset: 'utf-8',
  code: '123456',
}
const VECTOR_B = {
  app_key: APP_KEY,
  access_token: TOKEN,
  timestamp: '1639128407',
  charset: 'utf-8',
  version: '2',
  biz: '{"page_index":"1","page_size":"100","nicks":["老板"]}',
}

async function officialApp(at: number, extra: Parameters<typeof harness>[0] = {}) {
  return harness({
    clock: { start: at * 1000, frozen: true },
    apps: [{ appKey: APP_KEY, appSecret: SECRET, type: 'self' }],
    presetTokens: [{ appKey: APP_KEY, accessToken: TOKEN, refreshToken: 'abc123' }],
    ...extra,
  })
}

describe('JST simulator signature (spec §3)', () => {
  it('computes the official and derived vectors', () => {
    expect(jstSign(SECRET, VECTOR_A)).toBe('05e3a51e19e0883afd1882ccd309e0b9')
    expect(jstSign(SECRET, VECTOR_B)).toBe('395f5a78b446be465ac03a02491296c7')
    expect(
      jstSign(SECRET, {
        app_key: APP_KEY,
        timestamp: '1639128407',
        grant_type: 'refresh_token',
        charset: 'utf-8',
        refresh_token: 'abc123',
        scope: 'all',
      }),
    ).toBe('5d8e927f1164364db52385c795defe4c')
    expect(md5Sign(SECRET, VECTOR_B)).toBe('395f5a78b446be465ac03a02491296c7')
  })

  it('accepts official vector A on getInitToken', async () => {
    const { sim } = await officialApp(1639128407)
    const r = await postForm(`${sim.url}/openWeb/auth/getInitToken`, {
      ...VECTOR_A,
      sign: '05e3a51e19e0883afd1882ccd309e0b9',
    })
    expect(r.json?.code).toBe(0)
    expect(r.json?.data.access_token).toMatch(/^[0-9a-f]{32}$/)
    expect(r.json?.data.expires_in).toBe(2_592_000)
  })

  it('accepts official vector B on a business call', async () => {
    const { sim } = await officialApp(1639128407)
    const r = await postForm(`${sim.url}${PARTNER}`, { ...VECTOR_B, sign: '395f5a78b446be465ac03a02491296c7' })
    expect(r.json?.code).toBe(0)
    expect(r.json?.data.datas.length).toBeGreaterThan(0)
  })

  it('accepts derived vector C sent as its literal form body', async () => {
    const { sim } = await officialApp(1714492800)
    const body =
      'app_key=5b53060f23d84ddf9703056e84fa5a2d&access_token=d7b01bf0842a4742a9450e21ffd95f60&timestamp=1714492800&charset=utf-8&version=2&biz=%7B%22page_index%22%3A1%2C%22page_size%22%3A50%2C%22modified_begin%22%3A%222024-05-01+00%3A00%3A00%22%2C%22modified_end%22%3A%222024-05-01+01%3A00%3A00%22%7D&sign=5102b5571a4de2e0316e7970a45c6c76'
    const res = await fetch(`${sim.url}/open/inventory/count/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    const json = (await res.json()) as Json
    expect(json.code).toBe(0)
    expect(json.data.datas).toEqual([])
  })

  it('answers code 10 when one byte of biz changes after signing', async () => {
    const { sim } = await officialApp(1639128407)
    const tampered = { ...VECTOR_B, biz: VECTOR_B.biz.replace('"1"', '"2"'), sign: '395f5a78b446be465ac03a02491296c7' }
    const r = await postForm(`${sim.url}${PARTNER}`, tampered)
    expect(r.json).toEqual({ code: 10, msg: '验证失败！无效签名', data: null })
    expect(sim.log.counters()[PARTNER]?.rejected.sign).toBe(1)
  })

  it('answers code 10 for an unknown app_key', async () => {
    const { sim } = await officialApp(1639128407)
    const r = await postForm(`${sim.url}${PARTNER}`, {
      ...VECTOR_B,
      app_key: 'ffffffffffffffffffffffffffffffff',
      sign: '395f5a78b446be465ac03a02491296c7',
    })
    expect(r.json?.code).toBe(10)
  })

  it('rejects an uppercase sign unless acceptUppercaseSign is on', async () => {
    const upper = { ...VECTOR_B, sign: '395F5A78B446BE465AC03A02491296C7' }
    const strict = await officialApp(1639128407)
    expect((await postForm(`${strict.sim.url}${PARTNER}`, upper)).json?.code).toBe(10)
    const lenient = await officialApp(1639128407, { acceptUppercaseSign: true })
    expect((await postForm(`${lenient.sim.url}${PARTNER}`, upper)).json?.code).toBe(0)
  })

  it('verifies a PHP-style escaped biz as sent, without re-serialising it', async () => {
    const { sim } = await officialApp(1639128407)
    const fields: Record<string, string> = {
      ...VECTOR_B,
      biz: '{"page_index":"1","page_size":"100","nicks":["\\u8001\\u677f"]}',
    }
    fields.sign = md5Sign(SECRET, fields)
    expect((await postForm(`${sim.url}${PARTNER}`, fields)).json?.code).toBe(0)
  })

  it('never logs the token or the sign', async () => {
    const { sim } = await officialApp(1639128407)
    await postForm(`${sim.url}${PARTNER}`, { ...VECTOR_B, sign: '395f5a78b446be465ac03a02491296c7' })
    const logged = JSON.stringify(sim.log.entries())
    expect(logged).not.toContain(TOKEN)
    expect(logged).not.toContain('395f5a78b446be465ac03a02491296c7')
    expect(logged).not.toContain(SECRET)
  })
})
