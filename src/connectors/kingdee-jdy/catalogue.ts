/**
 * The JDY error catalogue (spec §3.2) as data, and the one function that classifies an answer.
 *
 * A vendor signal is the envelope `errcode` (business or gateway code) or, when the body carries
 * none, the HTTP status written as `http:<status>`. Entries with keywords are tried before
 * entries without, so "组合值与其他表单重复" under any errcode becomes `already_exists`.
 */
import type { FerryError } from '../../core/errors.js'
import type { ErrorCatalogueEntry, OutcomeKind } from '../contract.js'
import {
  JdyAuthRejected,
  JdyBillRejected,
  JdyClockSkew,
  JdyGatewayRejected,
  JdyMasterDataMissing,
  JdyRateLimited,
  JdyTokenRejected,
  JdyTransient,
  JdyVendorError,
} from './errors.js'

/** A catalogue row plus the Ferry code it produces and the connector-side action. */
export interface JdyCatalogueEntry extends ErrorCatalogueEntry {
  readonly code: string
  /** How the connector heals this itself (once) before giving up: new token, or new appSecret + token. */
  readonly selfHeal?: 'renew_token' | 'reauthorize'
}

/** `*` matches any non-zero errcode; only used together with keywords or as the fallback. */
export const ANY_CODE = '*'

const RATE_WAIT_MS = 2_000
const OVERLOAD_WAIT_MS = 5_000

const duplicateKeywords = ['组合值与其他表单重复', '单据编号重复', '编号已存在', '编码已存在', '已存在']
const masterDataKeywords = ['不存在', '基础资料', '已禁用', '未启用', '禁用状态', '关联的单位']

export const JDY_CATALOGUE: readonly JdyCatalogueEntry[] = [
  {
    vendorCode: ANY_CODE,
    keywords: duplicateKeywords,
    outcome: 'already_exists',
    ferryKind: 'data',
    code: 'ERR_JDY_BILL_NO_TAKEN',
    meaning: 'Duplicate bill number: the bill exists; resolved through the probe to its id.',
  },
  {
    vendorCode: ANY_CODE,
    keywords: masterDataKeywords,
    outcome: 'data',
    ferryKind: 'data',
    code: JdyMasterDataMissing.code,
    meaning:
      'A referenced material, unit or warehouse is missing or disabled (参数number[x]不存在, 第N行基础资料…不能为空).',
  },
  {
    vendorCode: 1000202001,
    outcome: 'transient',
    ferryKind: 'transient',
    code: JdyTokenRejected.code,
    action: 'refresh_token',
    selfHeal: 'renew_token',
    meaning: 'app-token expired: renewed once and the call retried.',
  },
  {
    vendorCode: 1030002006,
    outcome: 'config',
    ferryKind: 'config',
    code: JdyAuthRejected.code,
    action: 'refresh_token',
    selfHeal: 'reauthorize',
    meaning: 'appSecret rotated: push_app_authorize pulled again, token renewed and the call retried once.',
  },
  {
    vendorCode: 2000002000,
    outcome: 'rate_limited',
    ferryKind: 'rate_limited',
    code: JdyRateLimited.code,
    waitMs: RATE_WAIT_MS,
    meaning: 'Generic JDY system error; backed off and retried.',
  },
  {
    vendorCode: 'http:429',
    outcome: 'rate_limited',
    ferryKind: 'rate_limited',
    code: JdyRateLimited.code,
    waitMs: RATE_WAIT_MS,
    meaning: 'Book rate limit (500/min) exceeded.',
  },
  ...[4001, 4002, 4003, 4004, 4005, 4007, 4008, 4012].map((c): JdyCatalogueEntry => ({
    vendorCode: c,
    outcome: 'config',
    ferryKind: 'config',
    code: JdyGatewayRejected.code,
    meaning: 'Gateway refused client id, secret, SignHeaders, signature or API permission.',
  })),
  {
    vendorCode: 4006,
    outcome: 'config',
    ferryKind: 'config',
    code: JdyClockSkew.code,
    meaning: 'X-Api-TimeStamp outside ±5 min.',
  },
  ...[4009, 4010, 4011].map((c): JdyCatalogueEntry => ({
    vendorCode: c,
    outcome: 'transient',
    ferryKind: 'transient',
    code: JdyTokenRejected.code,
    action: 'refresh_token',
    selfHeal: 'renew_token',
    meaning: 'Gateway says the access token is empty, invalid or expired: renewed once and retried.',
  })),
  ...[5000, 5003, 5004, 5005].map((c): JdyCatalogueEntry => ({
    vendorCode: c,
    outcome: 'transient',
    ferryKind: 'transient',
    code: JdyTransient.code,
    meaning: 'Gateway internal failure, API unavailable, timeout or cancelled.',
  })),
  ...[5001, 5002].map((c): JdyCatalogueEntry => ({
    vendorCode: c,
    outcome: 'config',
    ferryKind: 'config',
    code: JdyGatewayRejected.code,
    meaning: 'Gateway does not know the API or the method.',
  })),
  ...[5006, 5007].map((c): JdyCatalogueEntry => ({
    vendorCode: c,
    outcome: 'rate_limited',
    ferryKind: 'rate_limited',
    code: JdyRateLimited.code,
    waitMs: OVERLOAD_WAIT_MS,
    meaning: 'Gateway circuit breaker open or overloaded.',
  })),
  {
    vendorCode: 'http:5xx',
    outcome: 'transient',
    ferryKind: 'transient',
    code: JdyTransient.code,
    meaning: 'HTTP 5xx without a JDY envelope (for a save: unknown outcome, probed before any retry).',
  },
  {
    vendorCode: ANY_CODE,
    outcome: 'data',
    ferryKind: 'data',
    code: JdyBillRejected.code,
    meaning: 'Any other non-zero errcode on a save: the bill is rejected.',
  },
]

/** What came back, reduced to the fields classification needs. */
export interface VendorSignal {
  readonly status: number
  /** Envelope errcode (or `code` of the authorize variant); undefined when the body had none. */
  readonly errcode?: number
  readonly description: string
}

function keyOf(s: VendorSignal): string | number {
  if (s.errcode !== undefined && s.errcode !== 0) return s.errcode
  if (s.status >= 500) return s.status === 519 ? 'http:519' : 'http:5xx'
  return `http:${s.status}`
}

/** Classify a failed answer. Never returns undefined: unknown codes fall back to the `*` row. */
export function classify(s: VendorSignal): JdyCatalogueEntry {
  const key = keyOf(s)
  const text = s.description
  const hasCode = s.errcode !== undefined && s.errcode !== 0
  for (const e of JDY_CATALOGUE) {
    if (e.keywords === undefined) continue
    if ((e.vendorCode === ANY_CODE ? hasCode : e.vendorCode === key) && e.keywords.some((k) => text.includes(k)))
      return e
  }
  const exact = JDY_CATALOGUE.find((e) => e.keywords === undefined && e.vendorCode === key)
  if (exact) return exact
  if (typeof key === 'string' && key.startsWith('http:5'))
    return JDY_CATALOGUE.find((e) => e.vendorCode === 'http:5xx')!
  return JDY_CATALOGUE[JDY_CATALOGUE.length - 1]!
}

/** Retry-After header (seconds or HTTP date) in ms, if any. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (header === undefined || header === '') return undefined
  const secs = Number(header)
  if (Number.isFinite(secs)) return Math.max(0, Math.round(secs * 1000))
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}

/** The FerryError for a classified failure of a read (or of any non-save call). */
export function errorFor(entry: JdyCatalogueEntry, s: VendorSignal, path: string, waitMs?: number): FerryError {
  const vendor = s.errcode !== undefined && s.errcode !== 0 ? s.errcode : `HTTP ${s.status}`
  const details = {
    vendorCode: vendor,
    status: s.status,
    path,
    ...(waitMs === undefined ? {} : { retryAfterMs: waitMs }),
  }
  switch (entry.code) {
    case JdyRateLimited.code:
      return JdyRateLimited([vendor, s.description], { details })
    case JdyTransient.code:
      return JdyTransient([`${path} answered ${vendor}: ${s.description}`], { details })
    case JdyTokenRejected.code:
      return JdyTokenRejected([vendor, s.description], { details })
    case JdyAuthRejected.code:
      return JdyAuthRejected([vendor, s.description], { details })
    case JdyClockSkew.code:
      return JdyClockSkew([s.description], { details })
    case JdyGatewayRejected.code:
      return JdyGatewayRejected([vendor, s.description], { details })
    case JdyMasterDataMissing.code:
      return JdyMasterDataMissing([vendor, s.description], { details })
    case JdyBillRejected.code:
      return JdyBillRejected([vendor, s.description], { details })
    default:
      return JdyVendorError([path, vendor, s.description], { details })
  }
}

/** Outcome kinds the engine retries without a probe. */
export function isRetryable(outcome: OutcomeKind): boolean {
  return outcome === 'transient' || outcome === 'rate_limited'
}
