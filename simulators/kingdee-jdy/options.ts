/**
 * Defaults of every simulator option. docs/sandbox.md (JDY section) lists the same values with the
 * spec section each comes from; keep the two in step.
 */
import type {
  AuthOptions,
  BillOptions,
  GatewayOptions,
  JdySimulatorOptions,
  ListOptions,
  RateLimitOptions,
} from './types.js'

export const DEFAULT_GATEWAY: GatewayOptions = {
  httpStatus: 519,
  timestampToleranceMs: 300_000,
  rejectNonceReuse: false,
  signHeadersOrder: 'any',
  acceptNaiveQueryEncoding: false,
  routerAddr: 'strict',
}

export const DEFAULT_AUTH: AuthOptions = {
  authorizeEnvelope: 'code',
  rotateSecretEveryCalls: 0,
  rotateSecretEveryMs: 0,
  tokenTtlMs: 24 * 3600_000,
  tokenResponseExpires: false,
  tokenCallsPerMinute: 2,
  tokenRateLimitStatus: 429,
  expiredTokenHttpStatus: 200,
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perMinute: 500, httpStatus: 429, countRejected: false }

export const DEFAULT_LISTS: ListOptions = {
  maxPageSize: 100,
  totalPageFrom: 'requested',
  duplicateRowEveryNthPage: 0,
  defaultPageSize: 10,
}

export const DEFAULT_BILLS: BillOptions = {
  ignoreBillNo: false,
  billNoMaxLength: 30,
  operationKeyAudit: 'save_and_audit',
  unknownOperationKey: 'reject',
  detailNotFound: 'error',
  validationErrcode: 1010001001,
  duplicateErrcode: 1010001001,
  stock: undefined,
  searchFields: ['bill_no', 'remark'],
}

export interface ResolvedOptions {
  readonly gateway: GatewayOptions
  readonly auth: AuthOptions
  readonly rateLimit: RateLimitOptions
  readonly lists: ListOptions
  readonly bills: BillOptions
  readonly maxBodyBytes: number
  readonly logLimit: number
  readonly seed: number | string
}

export function resolveOptions(o: JdySimulatorOptions): ResolvedOptions {
  return {
    gateway: { ...DEFAULT_GATEWAY, ...o.gateway },
    auth: { ...DEFAULT_AUTH, ...o.auth },
    rateLimit: { ...DEFAULT_RATE_LIMIT, ...o.rateLimit },
    lists: { ...DEFAULT_LISTS, ...o.lists },
    bills: { ...DEFAULT_BILLS, ...o.bills },
    maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024,
    logLimit: o.logLimit ?? 10_000,
    seed: o.seed ?? 1,
  }
}
