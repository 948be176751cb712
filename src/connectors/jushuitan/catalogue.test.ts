import { describe, expect, it } from 'vitest'
import { classifyJst, decodeEnvelope } from './catalogue.js'

describe('聚水潭 error catalogue', () => {
  it.each([
    [10, '验证失败！无效签名', 'config', 'ERR_JST_SIGNATURE', undefined],
    [100, '验证失败！无效的access_token或access_token已过期', 'config', 'ERR_JST_TOKEN', 'refresh_token'],
    [110, '验证失败！已设置IP白名单', 'config', 'ERR_JST_IP_WHITELIST', undefined],
    [130, '传输数据不能为空', 'config', 'ERR_JST_PARAMS', undefined],
    [140, '参数不符合规范,请检查传入参数!', 'config', 'ERR_JST_PARAMS', undefined],
    [140, '验证失败！无效的timestamp，请求最大时间误差15分钟', 'transient', 'ERR_JST_TIMESTAMP', 'fresh_timestamp'],
    [150, '内部处理异常！', 'transient', 'ERR_JST_INTERNAL', 'backoff'],
    [150, '服务商应用禁止刷新access_token,需商户重新授权', 'config', 'ERR_JST_REAUTHORIZE', undefined],
    [180, '执行失败!', 'transient', 'ERR_JST_TIMESTAMP', 'fresh_timestamp'],
    [190, '验证失败！无API权限，请申请API权限', 'config', 'ERR_JST_NO_PERMISSION', undefined],
    [199, '调用太频繁，请稍后再试!', 'rate_limited', 'ERR_JST_RATE_LIMITED', undefined],
    [200, '调用频次超过限制!', 'rate_limited', 'ERR_JST_RATE_LIMITED', undefined],
    [200, '参数错误', 'config', 'ERR_JST_PARAMS', undefined],
    [21024, '仅支持自有应用', 'config', 'ERR_JST_REAUTHORIZE', undefined],
    [777, '接口调用频率过高', 'rate_limited', 'ERR_JST_RATE_LIMITED', undefined],
    [777, '未知错误', 'config', 'ERR_JST_VENDOR', undefined],
  ])('classifies code %s "%s" as %s (%s)', (code, msg, outcome, ferryCode, action) => {
    const e = classifyJst(code, msg)
    expect(e.outcome === 'rate_limited' ? 'rate_limited' : e.ferryKind).toBe(outcome)
    expect(e.code).toBe(ferryCode)
    expect(e.action).toBe(action)
    expect(e.error('/open/x', code, msg).code).toBe(ferryCode)
  })

  it('waits a second after 199 and a minute after 200', () => {
    expect(classifyJst(199, '调用太频繁').waitMs).toBe(1_000)
    expect(classifyJst(200, '调用频次超过限制!').waitMs).toBe(60_000)
  })

  it('decodes string codes and a message field named "message"', () => {
    expect(decodeEnvelope('/x', { code: '0', message: 'ok', data: { a: 1 } })).toEqual({
      code: 0,
      msg: 'ok',
      data: { a: 1 },
    })
  })

  it.each([[[1, 2]], ['x'], [{ msg: 'no code' }], [{ code: 'abc' }]])('rejects %j as ERR_JST_BAD_RESPONSE', (body) => {
    expect(() => decodeEnvelope('/x', body)).toThrow(expect.objectContaining({ code: 'ERR_JST_BAD_RESPONSE' }))
  })
})
