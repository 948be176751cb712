import { afterEach, describe, expect, it } from 'vitest'
import { TOKEN_NAMES } from '../../../src/connectors/jushuitan/tokens.js'
import { toJstTime } from '../../../src/connectors/jushuitan/time.js'
import { DEFAULT_START_MS } from '../../../simulators/data/generate.js'
import { COUNT, DAY, HOUR, harness, ids, rowsOf, type Harness } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const PARTNERS = '/open/wms/partner/query'
const window = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + DAY) }
const endpoints = (hh: Harness) => hh.sim.log.entries().map((e) => `${e.endpoint} ${String(e.code ?? e.status)}`)

describe('聚水潭 tokens against the simulator', () => {
  it('gets a token with getInitToken when none is known and stores it with its refresh token and expiry', async () => {
    h = await harness({ withToken: false })
    const rows = await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    expect(rows.map((r) => r.wms_co_id).sort()).toEqual(h.sim.dataset.jst.partners.map((p) => p.wms_co_id).sort())
    expect(endpoints(h)).toEqual(['/openWeb/auth/getInitToken 0', `${PARTNERS} 0`])
    expect(h.store.names('jst-test')).toEqual([TOKEN_NAMES.expiresAt, TOKEN_NAMES.access, TOKEN_NAMES.refresh].sort())
  })

  it('does not quote any part of a fresh token when the token answer is cut short', async () => {
    h = await harness({ withToken: false })
    h.sim.faults.set([{ endpoint: '/openWeb/auth/getInitToken', when: { always: true }, fault: { kind: 'truncated' } }])
    const err = await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} })).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_HTTP_BAD_BODY' })
    const text = JSON.stringify({ message: (err as Error).message, ...(err as object) })
    expect(text).toContain('not valid JSON')
    // Tokens are 32 hex digits; the quoted start of the answer reached into the access_token.
    expect(text).not.toMatch(/[0-9a-f]{8,}/)
    expect(text).toContain('[redacted]')
  })

  it('reuses the stored token after a restart instead of asking for a new one', async () => {
    h = await harness({ withToken: false })
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    const again = await h.reopen()
    await rowsOf(again.source.read({ api: PARTNERS, params: {} }))
    expect(endpoints(h).filter((e) => e.includes('getInitToken'))).toHaveLength(1)
  })

  it('renews the token once and retries when a call answers 100 mid-run (token revoked between pages)', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } }, config: { maxPagesPerWindow: 10 } })
    h.sim.hooks.betweenPages({ modified_begin: toJstTime(window.start), modified_end: toJstTime(window.end) }, 1, () =>
      h!.sim.revokeTokens(),
    )
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(new Set(ids(rows)).size).toBe(120)
    expect(endpoints(h).slice(0, 4)).toEqual([
      `${COUNT} 0`,
      `${COUNT} 100`,
      '/openWeb/auth/refreshToken 0',
      `${COUNT} 0`,
    ])
    expect(h.rt.internals.caller.stats.tokenRenewals).toBe(1)
  })

  it('renews an expired token before calling once the simulated clock passes its expiry', async () => {
    h = await harness({ withToken: false, sim: { tokenTtlSec: 2 * 86_400 } })
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    h.sim.clock.advance(3 * DAY)
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    expect(endpoints(h)).toEqual([
      '/openWeb/auth/getInitToken 0',
      `${PARTNERS} 0`,
      '/openWeb/auth/refreshToken 0',
      `${PARTNERS} 0`,
    ])
  })

  it('refreshes ahead of expiry, without a 100, inside the configured margin', async () => {
    h = await harness({ withToken: false, sim: { tokenTtlSec: 2 * 86_400 } })
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    h.sim.clock.advance(2 * DAY - 20 * HOUR)
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    expect(endpoints(h)).toEqual([
      '/openWeb/auth/getInitToken 0',
      `${PARTNERS} 0`,
      '/openWeb/auth/refreshToken 0',
      `${PARTNERS} 0`,
    ])
  })

  it('keeps using the current token when the vendor refuses an early refresh', async () => {
    h = await harness({ withToken: false, sim: { tokenTtlSec: 2 * 86_400, refreshWindowSeconds: 3_600 } })
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    h.sim.clock.advance(2 * DAY - 20 * HOUR)
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    expect(endpoints(h)).toEqual([
      '/openWeb/auth/getInitToken 0',
      `${PARTNERS} 0`,
      '/openWeb/auth/refreshToken 100',
      `${PARTNERS} 0`,
    ])
  })

  it('fails with ERR_JST_TOKEN when a renewed token is refused again, after exactly one renewal', async () => {
    h = await harness()
    h.sim.faults.set([
      {
        endpoint: PARTNERS,
        when: { always: true },
        fault: {
          kind: 'vendor',
          body: { code: 100, msg: '验证失败！无效的access_token或access_token已过期', data: null },
        },
      },
    ])
    await expect(rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_TOKEN',
      kind: 'config',
    })
    expect(endpoints(h).filter((e) => e.includes('refreshToken'))).toHaveLength(1)
  })

  it('asks for re-authorisation when getInitToken answers 21024 (an ISV app configured as self-built)', async () => {
    h = await harness({ withToken: false })
    const isv = h.sim.credentials.isv
    const rt = await h.reopen({ appKey: isv.appKey, appSecret: isv.appSecret })
    await h.store.delete('jst-test', TOKEN_NAMES.access)
    rt.internals.tokens.forget()
    await expect(rowsOf(rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_REAUTHORIZE',
      kind: 'config',
    })
    expect(h.sim.log.entries().at(-1)?.code).toBe(21024)
  })

  it('asks for re-authorisation when an ISV token expires, because ISV apps may not refresh (150)', async () => {
    h = await harness()
    const isv = h.sim.credentials.isv
    const pair = h.sim.issueToken(isv.appKey)
    const rt = await h.reopen({
      appKey: isv.appKey,
      appSecret: isv.appSecret,
      appType: 'isv',
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
    })
    await rowsOf(rt.source.read({ api: PARTNERS, params: {} }))
    h.sim.revokeTokens(pair.access_token)
    await expect(rowsOf(rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_REAUTHORIZE',
    })
    expect(endpoints(h)).toContain('/openWeb/auth/refreshToken 150')
    expect(endpoints(h).filter((e) => e.includes('getInitToken'))).toHaveLength(0)
  })

  it('never writes the app secret or a token into a log line or an error', async () => {
    h = await harness({ withToken: false })
    h.sim.faults.set([{ endpoint: PARTNERS, when: { calls: [1] }, fault: { kind: 'reset' } }])
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    h.sim.revokeTokens()
    await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    const err = await rowsOf(h.rt.source.read({ api: COUNT, params: { modified_begin: '2026-11-01 00:00:00' } })).catch(
      (e: unknown) => e,
    )
    const text = JSON.stringify(h.logs) + JSON.stringify(err) + String((err as Error).message)
    const secrets = [
      h.sim.credentials.appSecret,
      h.rt.internals.tokens.heldToken()!,
      (await h.store.get('jst-test', TOKEN_NAMES.refresh))!,
    ]
    for (const s of secrets) expect(text).not.toContain(s)
  })
})
