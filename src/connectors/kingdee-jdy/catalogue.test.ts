import { describe, expect, it } from 'vitest'
import { validateDefinition } from '../registry.js'
import { classify, JDY_CATALOGUE, retryAfterMs } from './catalogue.js'
import { jwtExpiry } from './tokens.js'
import { readEnvelope } from './envelope.js'
import { kingdeeJdy } from './index.js'

describe('JDY error catalogue classification (spec §3.2)', () => {
  it.each([
    [
      {
        status: 200,
        errcode: 1010001001,
        description: '单据编号[PK-1]："单据编号"组合值与其他表单重复，请修改后再保存',
      },
      'already_exists',
      undefined,
    ],
    [{ status: 200, errcode: 77, description: '编号已存在' }, 'already_exists', undefined],
    [
      { status: 200, errcode: 1010001001, description: '参数number[SKU9]不存在' },
      'data',
      'ERR_JDY_MASTER_DATA_MISSING',
    ],
    [
      { status: 200, errcode: 1010001001, description: '第2行基础资料"unit"字段不能为空' },
      'data',
      'ERR_JDY_MASTER_DATA_MISSING',
    ],
    [
      { status: 200, errcode: 1010001001, description: '第1行商品[SKU1]已禁用，不能使用' },
      'data',
      'ERR_JDY_MASTER_DATA_MISSING',
    ],
    [{ status: 200, errcode: 1010001001, description: '第1行盘亏数量必须大于0' }, 'data', 'ERR_JDY_BILL_REJECTED'],
    [{ status: 200, errcode: 1000202001, description: 'JWT token has expired' }, 'transient', 'ERR_JDY_TOKEN_REJECTED'],
    [{ status: 200, errcode: 1030002006, description: '授权密钥校验失败' }, 'config', 'ERR_JDY_AUTH_REJECTED'],
    [
      { status: 200, errcode: 2000002000, description: '系统错误,请到开发者社区提单反馈' },
      'rate_limited',
      'ERR_JDY_RATE_LIMITED',
    ],
    [{ status: 429, errcode: undefined, description: '' }, 'rate_limited', 'ERR_JDY_RATE_LIMITED'],
    [{ status: 519, errcode: 4008, description: 'X-Api-Signature is invalid' }, 'config', 'ERR_JDY_GATEWAY_REJECTED'],
    [{ status: 519, errcode: 4003, description: 'clientId invalid' }, 'config', 'ERR_JDY_GATEWAY_REJECTED'],
    [{ status: 519, errcode: 4006, description: 'X-Api-TimeStamp invalid' }, 'config', 'ERR_JDY_CLOCK_SKEW'],
    [{ status: 519, errcode: 4011, description: 'token expired' }, 'transient', 'ERR_JDY_TOKEN_REJECTED'],
    [{ status: 519, errcode: 5003, description: 'API unavailable' }, 'transient', 'ERR_JDY_TRANSIENT'],
    [{ status: 519, errcode: 5006, description: '熔断' }, 'rate_limited', 'ERR_JDY_RATE_LIMITED'],
    [{ status: 519, errcode: 5007, description: 'overload' }, 'rate_limited', 'ERR_JDY_RATE_LIMITED'],
    [{ status: 519, errcode: 5001, description: 'API not found' }, 'config', 'ERR_JDY_GATEWAY_REJECTED'],
    [{ status: 503, errcode: undefined, description: '' }, 'transient', 'ERR_JDY_TRANSIENT'],
    [{ status: 200, errcode: 123456, description: 'something new' }, 'data', 'ERR_JDY_BILL_REJECTED'],
  ])('classifies %j as %s', (signal, outcome, code) => {
    const entry = classify(signal)
    expect(entry.outcome).toBe(outcome)
    if (code !== undefined) expect(entry.code).toBe(code)
  })

  it('prefers the duplicate keywords over the code, so a reused errcode still means already_exists', () => {
    expect(classify({ status: 200, errcode: 2000002000, description: '组合值与其他表单重复' }).outcome).toBe(
      'already_exists',
    )
  })

  it('gives every rate_limited entry a positive wait and every entry a Ferry code', () => {
    for (const e of JDY_CATALOGUE) {
      expect(e.code).toMatch(/^ERR_/)
      if (e.outcome === 'rate_limited') expect(e.waitMs).toBeGreaterThan(0)
    }
  })

  it('is a valid connector declaration', () => {
    expect(() => validateDefinition(kingdeeJdy)).not.toThrow()
    expect(kingdeeJdy.budget.perMinute).toBeLessThan(500)
    expect(kingdeeJdy.budgetKey?.({ clientId: '200421', outerInstanceId: '77', clientSecret: 's3cr3t-value' })).toBe(
      '200421/77',
    )
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-11-20T00:00:00Z')
    expect(retryAfterMs('3', now)).toBe(3000)
    expect(retryAfterMs('Fri, 20 Nov 2026 00:00:10 GMT', now)).toBe(10_000)
    expect(retryAfterMs(undefined, now)).toBeUndefined()
  })
})

describe('JDY envelopes and token expiry', () => {
  it.each([
    [{ errcode: 0, description: 'success', data: { a: 1 } }, 0, 'success'],
    [{ errcode: '0', description: 'ok' }, 0, 'ok'],
    [{ code: 200, msg: 'success', data: [] }, 0, 'success'],
    [
      { errcode: 1000202001, description: '', description_cn: 'JWT token has expired' },
      1000202001,
      'JWT token has expired',
    ],
    [{ code: 4008, msg: 'X-Api-Signature is invalid' }, 4008, 'X-Api-Signature is invalid'],
  ])('normalises %j', (body, errcode, description) => {
    expect(readEnvelope(200, body)).toMatchObject({ errcode, description })
  })

  it('refuses bodies that are not an envelope', () => {
    expect(readEnvelope(200, '<html>')).toBeUndefined()
    expect(readEnvelope(200, { data: 1 })).toBeUndefined()
    expect(readEnvelope(200, { errcode: 'x' })).toBeUndefined()
  })

  it('reads the JWT exp claim and ignores tokens that are not JWTs', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_800_000_000 })).toString('base64url')
    expect(jwtExpiry(`eyJhbGciOiJSUzI1NiJ9.${payload}.sig`)).toBe(1_800_000_000_000)
    expect(jwtExpiry('opaque-token')).toBeUndefined()
    expect(jwtExpiry('a.%%%.c')).toBeUndefined()
  })
})
