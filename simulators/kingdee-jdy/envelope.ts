/**
 * Reply shapes of the JDY gateway and business APIs (spec §3). Handlers return a {@link Reply};
 * only the HTTP layer writes bytes.
 */
import type { GatewayCode } from './types.js'

export interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Why a call was refused, for the per-endpoint counters (`signature`, `token`, `validation`, …). */
  readonly rejected?: string
  /** Set when the call was throttled (rate limit), counted apart from rejections. */
  readonly throttled?: boolean
}

/** English text (as seen in production: "X-Api-Signature is invalid") and Chinese text per gateway code. */
const GATEWAY_TEXT: Record<GatewayCode, readonly [string, string]> = {
  4001: ['X-Api-Auth-Version is not supported', '不支持的认证类型'],
  4002: ['X-Api-ClientID is empty', 'clientId为空'],
  4003: ['X-Api-ClientID is invalid', 'clientId无效'],
  4006: ['X-Api-TimeStamp is invalid', '时间戳无效'],
  4007: ['X-Api-SignHeaders is invalid', '签名头无效'],
  4008: ['X-Api-Signature is invalid', '签名无效'],
  4009: ['app-token is empty', 'access token为空'],
  5000: ['internal failure', '网关内部错误'],
  5001: ['API not found', 'API不存在'],
  5002: ['method not allowed', '请求方法不允许'],
}

/** Gateway rejection: `{errcode, description, description_cn}` with the configured status (519). */
export function gatewayError(status: number, code: GatewayCode, reason: string, detail?: string): Reply {
  const [en, cn] = GATEWAY_TEXT[code]
  return {
    status,
    body: { errcode: code, description: detail === undefined ? en : `${en}: ${detail}`, description_cn: cn },
    rejected: reason,
  }
}

/** Business success `{errcode:0, description:"success", data}` (spec §3.1). */
export function ok(data: unknown, description = 'success'): Reply {
  return { status: 200, body: { errcode: 0, description, data } }
}

/** Business failure: HTTP 200, `errcode ≠ 0`, Chinese `description` (spec §3.1). */
export function businessError(errcode: number, description: string, reason: string, status = 200): Reply {
  return { status, body: { errcode, description, description_cn: description }, rejected: reason }
}

export const SYSTEM_ERROR_TEXT = '系统错误,请到开发者社区提单反馈'

/**
 * Throttled reply (spec §3.2: HTTP 429 expected, body never captured, so this body is invented):
 * the status is configurable and `Retry-After` says when the window reopens.
 */
export function throttled(status: number, retryAfterMs: number): Reply {
  return {
    status,
    body: { errcode: 429, description: 'API rate limit exceeded', description_cn: '接口调用超过频率限制' },
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    throttled: true,
  }
}

/** Canned vendor replies for fault rules (`{kind:'vendor', …}`), so profiles need not spell bodies out. */
export const VENDOR_FAULT_BODIES = {
  5006: { status: 519, body: { errcode: 5006, description: 'API circuit broken', description_cn: '接口已熔断' } },
  5007: { status: 519, body: { errcode: 5007, description: 'API overloaded', description_cn: '接口过载' } },
  2000002000: {
    status: 200,
    body: { errcode: 2000002000, description: SYSTEM_ERROR_TEXT, description_cn: SYSTEM_ERROR_TEXT },
  },
  1000202001: {
    status: 200,
    body: { errcode: 1000202001, description: 'JWT token has expired', description_cn: 'JWT token has expired' },
  },
  429: {
    status: 429,
    body: { errcode: 429, description: 'API rate limit exceeded', description_cn: '接口调用超过频率限制' },
  },
} as const
