import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import { STALE_SECRET_TEXT } from '../../../simulators/kingdee-jdy/index.js'
import { billPayload, calls, startHarness, type Harness } from './harness.js'

const BILL = '/jdy/v2/scm/inv_check_loss_bill'
const SAVE = `POST ${BILL}`
const AUTHORIZE = 'POST /jdyconnector/app_management/push_app_authorize'
const TOKEN = 'GET /jdyconnector/app_management/kingdee_auth_token'
const HOUR = 3_600_000
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 10))
}

function count(list: string[], item: string): number {
  return list.filter((c) => c === item).length
}

async function storedToken(x: Harness): Promise<{ token: string; expiresAt: number; domain: string }> {
  const raw = await x.credentials.get(x.connectionId, 'app-token')
  expect(raw).toBeDefined()
  return JSON.parse(raw!) as { token: string; expiresAt: number; domain: string }
}

describe('JDY tokens and authorisation (spec §1, §3.2, §6)', () => {
  it('reuses one cached token across many calls', async () => {
    h = await startHarness()
    for (let i = 1; i <= 4; i++) await h.target.write({ api: BILL, key: `PK-T${i}`, payload: billPayload(`PK-T${i}`) })
    expect(count(calls(h.sim), TOKEN)).toBe(1)
    expect(count(calls(h.sim), AUTHORIZE)).toBe(1)
  })

  it('fetches the token once for concurrent first calls (single-flight)', async () => {
    h = await startHarness()
    const outs = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => h!.target.write({ api: BILL, key: `PK-C${i}`, payload: billPayload(`PK-C${i}`) })),
    )
    expect(outs.map((o) => o.kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
    expect(count(calls(h.sim), TOKEN)).toBe(1)
  })

  it('persists the token (never the appSecret) so a restarted runtime makes no auth call', async () => {
    h = await startHarness()
    await h.target.write({ api: BILL, key: 'PK-P1', payload: billPayload('PK-P1') })
    expect(h.credentials.names(h.connectionId)).toEqual(['app-token'])
    const raw = (await h.credentials.get(h.connectionId, 'app-token'))!
    expect(raw).not.toContain(h.sim.credentials.appSecret)
    expect(raw).not.toContain(h.sim.credentials.clientSecret)
    const again = await h.reopen()
    const before = calls(h.sim).length
    expect((await again.target!.write({ api: BILL, key: 'PK-P2', payload: billPayload('PK-P2') })).kind).toBe('ok')
    expect(calls(h.sim).slice(before)).toEqual([SAVE])
  })

  it('takes the expiry from the JWT exp claim, or from `expires` when the answer has it', async () => {
    const clock = createClock({ frozen: true, start: Date.UTC(2026, 10, 20, 2, 0, 0) })
    h = await startHarness({ clock, auth: { tokenTtlMs: 3 * HOUR } })
    await h.target.probe(BILL, 'X')
    expect((await storedToken(h)).expiresAt).toBe(clock.now() + 3 * HOUR)
    expect((await storedToken(h)).domain).toBe(h.sim.credentials.domain)
    await h.close()
    const clock2 = createClock({ frozen: true, start: Date.UTC(2026, 10, 20, 2, 0, 0) })
    h = await startHarness({ clock: clock2, auth: { tokenTtlMs: 5 * HOUR + 123, tokenResponseExpires: true } })
    await h.target.probe(BILL, 'X')
    expect((await storedToken(h)).expiresAt).toBe(clock2.now() + 5 * HOUR + 123)
  })

  it('renews the token shortly before it expires, without ever being refused', async () => {
    const clock = createClock({ frozen: true, start: Date.UTC(2026, 10, 20, 2, 0, 0) })
    h = await startHarness({ clock, auth: { tokenTtlMs: 2 * HOUR } })
    await h.target.write({ api: BILL, key: 'PK-E1', payload: billPayload('PK-E1') })
    clock.advance(2 * HOUR - 5 * 60_000)
    await h.target.write({ api: BILL, key: 'PK-E2', payload: billPayload('PK-E2') })
    expect(count(calls(h.sim), TOKEN)).toBe(2)
    expect(h.sim.log.entries().filter((e) => e.code === 1000202001)).toHaveLength(0)
  })

  it('on 1000202001 mid-run renews the token and retries the call once', async () => {
    h = await startHarness()
    await h.target.write({ api: BILL, key: 'PK-R1', payload: billPayload('PK-R1') })
    const oldToken = (await storedToken(h)).token
    h.sim.revokeTokens()
    const out = await h.target.write({ api: BILL, key: 'PK-R2', payload: billPayload('PK-R2') })
    expect(out.kind).toBe('ok')
    expect(h.sim.log.entries().filter((e) => e.code === 1000202001)).toHaveLength(1)
    expect(count(calls(h.sim), TOKEN)).toBe(2)
    expect((await storedToken(h)).token).not.toBe(oldToken)
    expect(h.sim.bills.list(h.sim.credentials.outerInstanceId)).toHaveLength(2)
  })

  it('gives up after one renewal when the token keeps being refused, with a transient outcome and no duplicate', async () => {
    h = await startHarness(
      {
        faults: [
          {
            endpoint: SAVE,
            when: { always: true },
            fault: { kind: 'vendor', body: { errcode: 1000202001, description: 'JWT token has expired' } },
          },
        ],
      },
      { precheck: false },
    )
    const out = await h.target.write({ api: BILL, key: 'PK-R3', payload: billPayload('PK-R3') })
    expect(out).toMatchObject({ kind: 'transient', code: 'ERR_JDY_TOKEN_REJECTED' })
    expect(count(calls(h.sim), SAVE)).toBe(2)
    expect(count(calls(h.sim), TOKEN)).toBe(2)
  })

  it('survives appSecret rotation: the next renewal pulls the new secret from push_app_authorize', async () => {
    h = await startHarness()
    await h.target.write({ api: BILL, key: 'PK-S1', payload: billPayload('PK-S1') })
    const oldSecret = h.sim.credentials.appSecret
    expect(h.sim.rotateSecret()).not.toBe(oldSecret)
    h.sim.revokeTokens()
    const out = await h.target.write({ api: BILL, key: 'PK-S2', payload: billPayload('PK-S2') })
    expect(out.kind).toBe('ok')
    expect(count(calls(h.sim), AUTHORIZE)).toBe(2)
    expect(h.sim.log.entries().filter((e) => e.code === 1030002006)).toHaveLength(0)
  })

  it('on 1030002006 with a stale static appSecret re-authorises once and carries on', async () => {
    h = await startHarness()
    const c = h.sim.credentials
    const rt = await h.reopen({ appKey: c.appKey, appSecret: 'f'.repeat(40), domain: c.domain })
    const before = calls(h.sim).length
    expect((await rt.target!.write({ api: BILL, key: 'PK-S3', payload: billPayload('PK-S3') })).kind).toBe('ok')
    expect(calls(h.sim).slice(before)).toEqual([TOKEN, AUTHORIZE, TOKEN, SAVE])
    expect(h.sim.log.entries().filter((e) => e.code === 1030002006)).toHaveLength(1)
  })

  it('on 1030002006 from a business call re-authorises, renews and retries the call once', async () => {
    h = await startHarness({
      faults: [
        {
          endpoint: SAVE,
          when: { calls: [1] },
          fault: { kind: 'vendor', body: { errcode: 1030002006, description: STALE_SECRET_TEXT } },
        },
      ],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-S4', payload: billPayload('PK-S4') })
    expect(out.kind).toBe('ok')
    expect(calls(h.sim)).toEqual([AUTHORIZE, TOKEN, SAVE, AUTHORIZE, TOKEN, SAVE])
    expect(h.sim.bills.list(h.sim.credentials.outerInstanceId)).toHaveLength(1)
  })

  it('accepts the errcode envelope variant of push_app_authorize', async () => {
    h = await startHarness({ auth: { authorizeEnvelope: 'errcode' } })
    expect((await h.target.write({ api: BILL, key: 'PK-V1', payload: billPayload('PK-V1') })).kind).toBe('ok')
  })

  it('refuses to guess between two active authorisations of one outerInstanceId, and picks the one named by accountId', async () => {
    const client = { clientId: '205022', clientSecret: 'c'.repeat(32) }
    const row = {
      clientId: client.clientId,
      outerInstanceId: '100',
      accountName: '账套',
      domain: 'https://tf.jdy.com',
      serviceId: '1',
      groupName: 'g',
    }
    h = await startHarness({
      clients: [client],
      books: [
        { ...row, accountId: 'A1', appKey: 'keyA1', appSecret: 'a'.repeat(40), status: 1 },
        { ...row, accountId: 'B2', appKey: 'keyB2', appSecret: 'b'.repeat(40), status: 1 },
        { ...row, accountId: 'C3', appKey: 'keyC3', appSecret: 'c'.repeat(40), status: 0 },
      ],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-M1', payload: billPayload('PK-M1') })
    expect(out).toMatchObject({ kind: 'config', code: 'ERR_JDY_AUTHORIZATION_AMBIGUOUS' })
    expect(out.message).toContain('A1, B2')
    const rt = await h.reopen({ accountId: 'B2' }, 'conn-b2')
    expect((await rt.target!.write({ api: BILL, key: 'PK-M2', payload: billPayload('PK-M2') })).kind).toBe('ok')
    const tokenCalls = h.sim.log.entries({ endpoint: '/jdyconnector/app_management/kingdee_auth_token' })
    expect(tokenCalls.map((e) => (e.params as Record<string, unknown>).app_key)).toEqual(['keyB2'])
  })

  it('keeps tokens of two books apart: each connection writes into its own book', async () => {
    const client = { clientId: '205022', clientSecret: 'c'.repeat(32) }
    const row = { clientId: client.clientId, accountName: '账套', serviceId: '1', groupName: 'g', status: 1 }
    h = await startHarness({
      clients: [client],
      books: [
        {
          ...row,
          outerInstanceId: '100',
          accountId: 'A1',
          appKey: 'keyA1',
          appSecret: 'a'.repeat(40),
          domain: 'https://a.jdy.com',
        },
        {
          ...row,
          outerInstanceId: '200',
          accountId: 'B2',
          appKey: 'keyB2',
          appSecret: 'b'.repeat(40),
          domain: 'https://b.jdy.com',
        },
      ],
    })
    const b = await h.reopen({ outerInstanceId: '200' }, 'conn-book-b')
    expect((await h.target.write({ api: BILL, key: 'PK-BOOK-A', payload: billPayload('PK-BOOK-A') })).kind).toBe('ok')
    expect((await b.target!.write({ api: BILL, key: 'PK-BOOK-B', payload: billPayload('PK-BOOK-B') })).kind).toBe('ok')
    expect(h.sim.bills.list('100').map((x) => x.bill_no)).toEqual(['PK-BOOK-A'])
    expect(h.sim.bills.list('200').map((x) => x.bill_no)).toEqual(['PK-BOOK-B'])
    expect(h.credentials.names('conn-book-b')).toEqual(['app-token'])
  })

  it('reports a book without an active authorisation as a config error', async () => {
    h = await startHarness()
    const rt = await h.reopen({ outerInstanceId: '999' })
    const out = await rt.target!.write({ api: BILL, key: 'PK-V2', payload: billPayload('PK-V2') })
    expect(out.kind).toBe('config')
    expect(out.code).toMatch(/^ERR_JDY_(AUTHORIZATION_MISSING|AUTH_REJECTED)$/)
  })

  it('reports a wrong client secret as a config error whose message carries no secret', async () => {
    h = await startHarness()
    const rt = await h.reopen({ clientSecret: '0123456789abcdef0123456789abcdef' })
    const out = await rt.target!.write({ api: BILL, key: 'PK-V3', payload: billPayload('PK-V3') })
    expect(out).toMatchObject({ kind: 'config', code: 'ERR_JDY_GATEWAY_REJECTED', vendorCode: 4008 })
    expect(JSON.stringify(out)).not.toContain('0123456789abcdef')
  })

  it('reports clock skew beyond 5 minutes as a config error naming the clock', async () => {
    h = await startHarness()
    h.sim.clock.skewMs = 10 * 60_000
    const rt = await h.reopen()
    const out = await rt.target!.write({ api: BILL, key: 'PK-V4', payload: billPayload('PK-V4') })
    expect(out).toMatchObject({ kind: 'config', code: 'ERR_JDY_CLOCK_SKEW' })
  })

  it('holds a third token fetch inside one minute until the window frees, so the token endpoint never answers 429', async () => {
    h = await startHarness({ auth: { tokenCallsPerMinute: 2 } })
    await h.target.write({ api: BILL, key: 'PK-G1', payload: billPayload('PK-G1') })
    h.sim.revokeTokens()
    await h.target.write({ api: BILL, key: 'PK-G2', payload: billPayload('PK-G2') })
    h.sim.revokeTokens()
    const pending = h.target.write({ api: BILL, key: 'PK-G3', payload: billPayload('PK-G3') })
    await until(() => h!.lines.some((l) => l.msg === 'jdy token endpoint guard: waiting'))
    expect(count(calls(h.sim), TOKEN)).toBe(2)
    h.sim.clock.advance(61_000)
    expect((await pending).kind).toBe('ok')
    expect(count(calls(h.sim), TOKEN)).toBe(3)
    expect(
      h.sim.log
        .entries({ endpoint: '/jdyconnector/app_management/kingdee_auth_token' })
        .filter((e) => e.status === 429),
    ).toEqual([])
  })

  it('reports a throttled token endpoint as rate_limited, not as an auth failure', async () => {
    h = await startHarness({ auth: { tokenCallsPerMinute: 1 } }, { tokenCallsPerMinute: 5 })
    await h.target.write({ api: BILL, key: 'PK-G4', payload: billPayload('PK-G4') })
    h.sim.revokeTokens()
    const out = await h.target.write({ api: BILL, key: 'PK-G5', payload: billPayload('PK-G5') })
    expect(out.kind).toBe('rate_limited')
    expect(out.retryAfterMs).toBeGreaterThan(0)
  })

  it('keeps working when push_app_authorize hands out a new appSecret on every call', async () => {
    h = await startHarness({ auth: { rotateSecretEveryCalls: 1 } })
    for (let i = 1; i <= 2; i++) {
      expect((await h.target.write({ api: BILL, key: `PK-RS${i}`, payload: billPayload(`PK-RS${i}`) })).kind).toBe('ok')
      h.sim.revokeTokens()
    }
    expect(h.sim.log.entries().filter((e) => e.code === 1030002006)).toHaveLength(0)
  })

  it('passes a gateway that rejects reused nonces and wants the documented SignHeaders order', async () => {
    h = await startHarness({ gateway: { rejectNonceReuse: true, signHeadersOrder: 'doc', routerAddr: 'strict' } })
    for (let i = 1; i <= 10; i++) {
      expect((await h.target.write({ api: BILL, key: `PK-N${i}`, payload: billPayload(`PK-N${i}`) })).kind).toBe('ok')
    }
    expect(h.sim.log.entries().filter((e) => e.outcome !== 'accepted' && e.reason !== 'not_found')).toEqual([])
  })

  it('never writes a client secret, appSecret, app-token or signature into a log line', async () => {
    h = await startHarness()
    await h.target.write({ api: BILL, key: 'PK-L1', payload: billPayload('PK-L1') })
    h.sim.rotateSecret()
    h.sim.revokeTokens()
    await h.target.write({ api: BILL, key: 'PK-L2', payload: billPayload('PK-L2') })
    const logged = JSON.stringify(h.lines)
    const token = (await storedToken(h)).token
    for (const secret of [h.sim.credentials.clientSecret, h.sim.credentials.appSecret, token, token.split('.')[2]!]) {
      expect(logged).not.toContain(secret)
    }
    expect(logged).not.toMatch(/app_signature=[^[]/)
    expect(h.lines.some((l) => l.msg === 'jdy app-token renewed')).toBe(true)
  })
})
