/**
 * The 聚水潭 error catalogue (spec §8.1): vendor code, plus message keywords where one code means
 * several things, mapped to an outcome and a Ferry error. Classification goes by code first and
 * then by keywords, because codes 140, 150 and 200 are each used for unrelated errors.
 */
import type { FerryError } from '../../core/errors.js'
import type { ErrorCatalogueEntry } from '../contract.js'
import {
  JstBadResponse,
  JstClockSkew,
  JstInternal,
  JstIpNotAllowed,
  JstNoPermission,
  JstParams,
  JstRateLimited,
  JstReauthorize,
  JstSignature,
  JstTokenRejected,
  JstVendorError,
} from './errors.js'

export type JstAction = 'refresh_token' | 'fresh_timestamp' | 'backoff'

export interface JstCatalogueEntry extends ErrorCatalogueEntry {
  readonly vendorCode: number
  readonly action?: JstAction
  /** Builds the error raised when the action did not help (or there is none). */
  readonly error: (api: string, code: number, msg: string) => FerryError
}

const RATE_WORDS = ['频', '限制', '稍后']
const TIMESTAMP_WORDS = ['timestamp', '时间误差']
const REAUTH_WORDS = ['服务商', '重新授权', '禁止刷新']

const rate = (api: string, code: number, msg: string) =>
  JstRateLimited([api, code, msg], { details: { vendorCode: code, outcome: 'rate_limited' } })
const params = (api: string, code: number, msg: string) =>
  JstParams([api, code, msg], { details: { vendorCode: code, outcome: 'config' } })
const internal = (api: string, code: number, msg: string) =>
  JstInternal([api, code, msg], { details: { vendorCode: code, outcome: 'transient' } })
const skew = (api: string, code: number, msg: string) =>
  JstClockSkew([api, msg], { details: { vendorCode: code, outcome: 'transient' } })
const reauth = (_api: string, code: number, msg: string) =>
  JstReauthorize([`code ${code}: ${msg}`], { details: { vendorCode: code, outcome: 'config' } })

/** Entries are tried in order; the first whose code matches and whose keywords (if any) appear wins. */
export const JST_CATALOGUE: readonly JstCatalogueEntry[] = [
  {
    vendorCode: 10,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_SIGNATURE',
    meaning: 'invalid signature',
    error: (api, c, m) => JstSignature([api, m], { details: { vendorCode: c, outcome: 'config' } }),
  },
  {
    vendorCode: 100,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_TOKEN',
    action: 'refresh_token',
    meaning: 'access_token invalid or expired: renew the token once and retry once',
    error: (api, c, m) => JstTokenRejected([api, m], { details: { vendorCode: c, outcome: 'config' } }),
  },
  {
    vendorCode: 110,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_IP_WHITELIST',
    meaning: 'caller IP not on the app whitelist',
    error: (_api, c, m) => JstIpNotAllowed([m], { details: { vendorCode: c, outcome: 'config' } }),
  },
  {
    vendorCode: 120,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_SIGNATURE',
    meaning: 'signature error (older table)',
    error: (api, c, m) => JstSignature([api, m], { details: { vendorCode: c, outcome: 'config' } }),
  },
  {
    vendorCode: 130,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'empty payload (client bug)',
    error: params,
  },
  {
    vendorCode: 140,
    keywords: TIMESTAMP_WORDS,
    outcome: 'transient',
    ferryKind: 'transient',
    code: 'ERR_JST_TIMESTAMP',
    action: 'fresh_timestamp',
    meaning: 'timestamp outside the tolerance: re-sign with a fresh timestamp once',
    error: skew,
  },
  {
    vendorCode: 140,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'parameters invalid',
    error: params,
  },
  {
    vendorCode: 150,
    keywords: REAUTH_WORDS,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_REAUTHORIZE',
    meaning: 'ISV apps may not refresh tokens: the merchant must authorise again',
    error: reauth,
  },
  {
    vendorCode: 150,
    outcome: 'transient',
    ferryKind: 'transient',
    code: 'ERR_JST_INTERNAL',
    action: 'backoff',
    meaning: 'internal error: retried with back-off',
    error: internal,
  },
  {
    vendorCode: 160,
    outcome: 'transient',
    ferryKind: 'transient',
    code: 'ERR_JST_INTERNAL',
    action: 'backoff',
    meaning: 'internal save failure (write apis)',
    error: internal,
  },
  {
    vendorCode: 170,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'data integrity failure (e.g. unknown shop)',
    error: params,
  },
  {
    vendorCode: 180,
    outcome: 'transient',
    ferryKind: 'transient',
    code: 'ERR_JST_TIMESTAMP',
    action: 'fresh_timestamp',
    meaning: 'timestamp invalid (10-minute tolerance): re-sign with a fresh timestamp once',
    error: skew,
  },
  {
    vendorCode: 190,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_NO_PERMISSION',
    meaning: 'no permission for this api',
    error: (api, c) => JstNoPermission([api], { details: { vendorCode: c, outcome: 'config' } }),
  },
  {
    vendorCode: 199,
    keywords: ['参数'],
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'code 199 carrying a parameter message is not a rate limit',
    error: params,
  },
  {
    vendorCode: 199,
    outcome: 'rate_limited',
    ferryKind: 'rate_limited',
    code: 'ERR_JST_RATE_LIMITED',
    waitMs: 1_000,
    meaning: 'too many calls per second or in flight: wait, slow the budget, retry',
    error: rate,
  },
  {
    vendorCode: 200,
    keywords: ['参数'],
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'code 200 carrying a parameter message is not a rate limit (spec S12)',
    error: params,
  },
  {
    vendorCode: 200,
    outcome: 'rate_limited',
    ferryKind: 'rate_limited',
    code: 'ERR_JST_RATE_LIMITED',
    waitMs: 60_000,
    meaning: 'per-minute quota exceeded: wait for the next minute, slow the budget, retry',
    error: rate,
  },
  {
    vendorCode: 21024,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_REAUTHORIZE',
    meaning: 'getInitToken is only for self-built apps',
    error: reauth,
  },
  {
    vendorCode: 10015,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'parameter missing',
    error: params,
  },
  {
    vendorCode: -4,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_PARAMS',
    meaning: 'parameter value wrong',
    error: params,
  },
]

/** What to do with a non-zero vendor code. Unknown codes are config errors unless the message reads as a throttle. */
export function classifyJst(code: number, msg: string): JstCatalogueEntry {
  const lower = msg.toLowerCase()
  const hit = JST_CATALOGUE.find(
    (e) =>
      e.vendorCode === code && (e.keywords === undefined || e.keywords.some((k) => lower.includes(k.toLowerCase()))),
  )
  if (hit !== undefined) return hit
  if (RATE_WORDS.some((w) => msg.includes(w)) && msg.includes('频')) {
    return {
      vendorCode: code,
      outcome: 'rate_limited',
      ferryKind: 'rate_limited',
      code: 'ERR_JST_RATE_LIMITED',
      waitMs: 1_000,
      meaning: 'unknown code with a throttling message',
      error: rate,
    }
  }
  return {
    vendorCode: code,
    outcome: 'config',
    ferryKind: 'config',
    code: 'ERR_JST_VENDOR',
    meaning: 'unknown vendor code',
    error: (api, c, m) => JstVendorError([api, c, m], { details: { vendorCode: c, outcome: 'config' } }),
  }
}

export interface JstEnvelope {
  readonly code: number
  readonly msg: string
  readonly data: unknown
}

/** Decode `{code, msg|message, data}` tolerantly (string codes, `message` instead of `msg`). */
export function decodeEnvelope(api: string, body: unknown): JstEnvelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw JstBadResponse([api, 'the answer is not a JSON object'], { details: { outcome: 'transient' } })
  }
  const b = body as Record<string, unknown>
  const code =
    typeof b.code === 'number' ? b.code : typeof b.code === 'string' && b.code.trim() !== '' ? Number(b.code) : NaN
  if (!Number.isFinite(code))
    throw JstBadResponse([api, 'the answer has no numeric "code"'], { details: { outcome: 'transient' } })
  const rawMsg = b.msg ?? b.message
  return { code, msg: typeof rawMsg === 'string' ? rawMsg.slice(0, 300) : '', data: b.data }
}
