import { describe, expect, it } from 'vitest'
import { COUNT, FULL_WEEK, harness, PARTNER } from './harness.js'
import { businessFields, initTokenFields, md5Sign, postForm, refreshFields } from './tiny-client.js'

describe('JST simulator token lifecycle (spec §4, §11.5 scenario 2)', () => {
  it('expires a token on the simulated clock, answers 100, and works again after the client refreshes', async () => {
    const { sim } = await harness({ tokenTtlSec: 3600 })
    const { appKey, appSecret } = sim.credentials
    const ts = () => Math.floor(sim.clock.now() / 1000)
    const init = await postForm(`${sim.url}/openWeb/auth/getInitToken`, initTokenFields(appKey, appSecret, ts()))
    expect(init.json?.code).toBe(0)
    let token = init.json?.data as { access_token: string; refresh_token: string; expires_in: number }
    expect(token.expires_in).toBe(3600)

    const query = () =>
      postForm(
        `${sim.url}${COUNT}`,
        businessFields({ appKey, appSecret, accessToken: token.access_token }, { ...FULL_WEEK, page_size: 50 }, ts()),
      )
    expect((await query()).json?.code).toBe(0)

    sim.clock.advance(3601_000)
    const expired = await query()
    expect(expired.json).toMatchObject({
      code: 100,
      msg: '验证失败！无效的access_token或access_token已过期',
      data: null,
    })

    // The client's reaction: refresh once, retry once.
    const refreshed = await postForm(
      `${sim.url}/openWeb/auth/refreshToken`,
      refreshFields(appKey, appSecret, token.refresh_token, ts()),
    )
    expect(refreshed.json?.code).toBe(0)
    const old = token
    token = refreshed.json?.data
    expect(token.access_token).not.toBe(old.access_token)
    expect((await query()).json?.code).toBe(0)

    // Rotation (default): the old refresh token is dead.
    const again = await postForm(
      `${sim.url}/openWeb/auth/refreshToken`,
      refreshFields(appKey, appSecret, old.refresh_token, ts()),
    )
    expect(again.json?.code).toBe(100)
  })

  it('answers 21024 to getInitToken and 150 to refresh for an ISV app', async () => {
    const { sim } = await harness()
    const isv = sim.credentials.isv
    const ts = Math.floor(sim.clock.now() / 1000)
    const init = await postForm(`${sim.url}/openWeb/auth/getInitToken`, initTokenFields(isv.appKey, isv.appSecret, ts))
    expect(init.json).toMatchObject({ code: 21024, msg: '仅支持自有应用' })

    // The ISV path: an OAuth code from the authorize page, exchanged at accessToken.
    const code = sim.issueAuthCode(isv.appKey)
    const exchanged = await postForm(
      `${sim.url}/openWeb/auth/accessToken`,
      initTokenFields(isv.appKey, isv.appSecret, ts, code),
    )
    expect(exchanged.json?.code).toBe(0)
    const refresh = await postForm(
      `${sim.url}/openWeb/auth/refreshToken`,
      refreshFields(isv.appKey, isv.appSecret, exchanged.json?.data.refresh_token, ts),
    )
    expect(refresh.json).toMatchObject({ code: 150, msg: '服务商应用禁止刷新access_token,需商户重新授权' })
  })

  it('accepts an OAuth code once and only within its lifetime', async () => {
    const { sim } = await harness({ oauthCodeTtlSec: 900 })
    const isv = sim.credentials.isv
    const ts = () => Math.floor(sim.clock.now() / 1000)
    const code = sim.issueAuthCode(isv.appKey)
    expect(
      (await postForm(`${sim.url}/openWeb/auth/accessToken`, initTokenFields(isv.appKey, isv.appSecret, ts(), code)))
        .json?.code,
    ).toBe(0)
    expect(
      (await postForm(`${sim.url}/openWeb/auth/accessToken`, initTokenFields(isv.appKey, isv.appSecret, ts(), code)))
        .json?.code,
    ).toBe(140)
    const late = sim.issueAuthCode(isv.appKey)
    sim.clock.advance(901_000)
    expect(
      (await postForm(`${sim.url}/openWeb/auth/accessToken`, initTokenFields(isv.appKey, isv.appSecret, ts(), late)))
        .json?.code,
    ).toBe(140)
  })

  it('refuses an early refresh when refreshWindowSeconds is set, and the current token keeps working', async () => {
    const { sim, call } = await harness({ tokenTtlSec: 86_400, refreshWindowSeconds: 3600 })
    const { appKey, appSecret, refreshToken } = sim.credentials
    const early = await postForm(
      `${sim.url}/openWeb/auth/refreshToken`,
      refreshFields(appKey, appSecret, refreshToken, Math.floor(sim.clock.now() / 1000)),
    )
    expect(early.json?.code).toBe(100)
    expect((await call(PARTNER, {})).json?.code).toBe(0)
    sim.clock.advance(86_400_000 - 1800_000)
    const inWindow = await postForm(
      `${sim.url}/openWeb/auth/refreshToken`,
      refreshFields(appKey, appSecret, refreshToken, Math.floor(sim.clock.now() / 1000)),
    )
    expect(inWindow.json?.code).toBe(0)
  })

  it('keeps the old token valid during graceSeconds after a rotation', async () => {
    const { sim, call } = await harness({ graceSeconds: 60 })
    const { appKey, appSecret, refreshToken, accessToken } = sim.credentials
    const r = await postForm(
      `${sim.url}/openWeb/auth/refreshToken`,
      refreshFields(appKey, appSecret, refreshToken, Math.floor(sim.clock.now() / 1000)),
    )
    expect(r.json?.code).toBe(0)
    expect((await call(PARTNER, {}, accessToken)).json?.code).toBe(0)
    sim.clock.advance(61_000)
    expect((await call(PARTNER, {}, accessToken)).json?.code).toBe(100)
    expect((await call(PARTNER, {}, r.json?.data.access_token)).json?.code).toBe(0)
  })

  it('answers 100 for a revoked token', async () => {
    const { sim, call } = await harness()
    expect((await call(PARTNER, {})).json?.code).toBe(0)
    sim.revokeTokens()
    expect((await call(PARTNER, {})).json?.code).toBe(100)
  })

  it('rejects a token of another app with 100', async () => {
    const { sim } = await harness()
    const isv = sim.credentials.isv
    const f = businessFields(
      { appKey: isv.appKey, appSecret: isv.appSecret, accessToken: sim.credentials.accessToken },
      {},
      Math.floor(sim.clock.now() / 1000),
    )
    expect((await postForm(`${sim.url}${PARTNER}`, f)).json?.code).toBe(100)
  })

  it('answers 140 for a wrong grant_type', async () => {
    const { sim } = await harness()
    const { appKey, appSecret } = sim.credentials
    const f: Record<string, string> = {
      app_key: appKey,
      timestamp: String(Math.floor(sim.clock.now() / 1000)),
      grant_type: 'password',
      charset: 'utf-8',
      code: 'abcdef',
    }
    f.sign = md5Sign(appSecret, f)
    expect((await postForm(`${sim.url}/openWeb/auth/getInitToken`, f)).json?.code).toBe(140)
  })
})
