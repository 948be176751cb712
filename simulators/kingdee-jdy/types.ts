/**
 * Options and record shapes of the JDY simulator. Every option has the default named in
 * docs/sandbox.md (JDY section) together with the spec section it comes from.
 */
import type { WindowMode } from '../common/rate-limit.js'
import type { SimClock } from '../common/clock.js'
import type { FaultRule } from '../common/faults.js'

/** A developer app (spec §7 `clients`). */
export interface JdyClient {
  readonly clientId: string
  readonly clientSecret: string
}

/** One authorised book (账套), spec §1.1 / §7 `books`. */
export interface JdyBook {
  readonly clientId: string
  readonly outerInstanceId: string
  readonly accountId: string
  readonly accountName: string
  readonly appKey: string
  appSecret: string
  readonly domain: string
  /** 1 = authorisation active. */
  readonly status: number
  readonly serviceId: string
  readonly groupName: string
}

/** 商品 (spec §5.3). Fields not listed are filled with neutral defaults. */
export interface JdyMaterial {
  readonly id: string
  readonly number: string
  readonly name: string
  readonly base_unit_id: string
  readonly enable?: boolean | string | number
  readonly is_batch?: boolean | string
  readonly is_kf_period?: boolean | string
  readonly is_serial?: boolean | string
  readonly is_asst_attr?: boolean | string
  readonly is_multi_unit?: boolean | string
  readonly model?: string
  readonly check_type?: number
  readonly barcode?: string
  readonly remark?: string
}

/** 计量单位 (spec §5.3). */
export interface JdyMeasureUnit {
  readonly id: string
  readonly number: string
  readonly name: string
  readonly precision?: number
  readonly enable?: boolean | string | number
}

/** 商品单位: one unit attached to one material (spec §5.3). */
export interface JdyMaterialUnit {
  readonly id: string
  readonly material_id: string
  readonly unit_id: string
  readonly index?: number
  readonly is_default?: boolean
  readonly coefficient?: number | string
}

/** 仓库 (spec §5.3). */
export interface JdyStore {
  readonly id: string
  readonly number: string
  readonly name: string
  readonly enable?: boolean | string | number
  /** Bin management on: lines need `sp_id` (bool, or "true"/"false" as the API sends it). */
  readonly is_allow_freight?: boolean | string
  /** Audit may take stock below zero (the detail sends "true"/"false"). */
  readonly allow_negative?: boolean | string
}

export interface JdyMasterData {
  readonly materials: readonly JdyMaterial[]
  readonly measureUnits: readonly JdyMeasureUnit[]
  readonly materialUnits: readonly JdyMaterialUnit[]
  readonly stores: readonly JdyStore[]
}

/** A stored line of a check-loss bill, resolved against master data (spec §4.4 entry fields). */
export interface StoredBillLine {
  readonly seq: number
  readonly id: string
  readonly material_id: string
  readonly stock_id: string
  readonly unit_id: string
  /** Decimal text; quantities never go through binary floating point in the store. */
  qty: string
  readonly batch_no?: string
  readonly sp_id?: string
  readonly comment?: string
  readonly cost?: string | number
  readonly unit_cost?: string | number
  /** Other line fields sent on save (kf_date, aux_prop_id, …), kept as given. */
  readonly [extra: string]: unknown
}

/** A stored check-loss bill (spec §4.4 header fields). */
export interface StoredBill {
  readonly id: string
  bill_no: string
  bill_date: string
  bill_status: 'Z' | 'C'
  remark: string
  readonly create_time: number
  modify_time: number
  audit_time: number | null
  custom_field: Record<string, string>
  material_entity: StoredBillLine[]
  /** Which book the bill belongs to (outerInstanceId). */
  readonly book: string
}

export type GatewayCode = 4001 | 4002 | 4003 | 4006 | 4007 | 4008 | 4009 | 5000 | 5001 | 5002

/** Options of {@link startJdySimulator}; all optional. */
export interface JdySimulatorOptions {
  /** Listen port; 0 (default) picks a free one. */
  readonly port?: number
  readonly host?: string
  /** Token every `/__admin/` call must present; default a random one (see `adminToken` on the simulator). */
  readonly adminToken?: string
  /** Seed for generated ids, secrets and default master data. Default 1. */
  readonly seed?: number | string
  readonly clients?: readonly JdyClient[]
  readonly books?: readonly Omit<JdyBook, 'appSecret'>[] | readonly JdyBook[]
  /** Master data for every book; the sandbox passes the generator's `jdy` part. */
  readonly masterData?: JdyMasterData
  readonly clock?: SimClock
  readonly gateway?: Partial<GatewayOptions>
  readonly auth?: Partial<AuthOptions>
  readonly rateLimit?: Partial<RateLimitOptions>
  readonly lists?: Partial<ListOptions>
  readonly bills?: Partial<BillOptions>
  readonly faults?: readonly FaultRule[]
  /** Largest accepted request body in bytes; bigger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number
  /** Keep at most this many request-log entries (oldest dropped). Default 10 000. */
  readonly logLimit?: number
}

export interface GatewayOptions {
  /** HTTP status of gateway rejections (spec §3.2: 519, an [I] mapping). */
  readonly httpStatus: number
  /** Allowed skew of X-Api-TimeStamp in ms (spec §2.1 "有效期为5min"). */
  readonly timestampToleranceMs: number
  /** Reject a nonce seen again within the tolerance window (spec §7 "optional"). Default false. */
  readonly rejectNonceReuse: boolean
  /** `any` accepts both orders of X-Api-SignHeaders (spec §7); `doc` wants `X-Api-TimeStamp,X-Api-Nonce` (spec §2.1 [?]). */
  readonly signHeadersOrder: 'any' | 'doc'
  /** Also accept the double-encodeURIComponent canonical query (spec §2.4 V5 [?]). Default false. */
  readonly acceptNaiveQueryEncoding: boolean
  /** `strict`: business calls need X-GW-Router-Addr equal to the book's domain (spec §2.1); `lenient`: missing is fine. */
  readonly routerAddr: 'strict' | 'lenient'
}

export interface AuthOptions {
  /** push_app_authorize envelope: `code` = `{code:200,msg}` (spec §1.1 observed), `errcode` = business envelope. */
  readonly authorizeEnvelope: 'code' | 'errcode'
  /** Rotate a book's appSecret on every Nth push_app_authorize call; 0 = never (spec §7). */
  readonly rotateSecretEveryCalls: number
  /** Rotate a book's appSecret when it is older than this many ms; 0 = never (spec §1.1: ≈24 h reported). */
  readonly rotateSecretEveryMs: number
  /** app-token lifetime in ms (spec §1.2: 24 h observed). */
  readonly tokenTtlMs: number
  /** Add `expires` (epoch ms) to the token response (spec §1.2: seen in S13). Default false. */
  readonly tokenResponseExpires: boolean
  /** Calls to kingdee_auth_token allowed per client per minute (spec §1.2 / §7). */
  readonly tokenCallsPerMinute: number
  /** HTTP status when the token endpoint is over its limit. */
  readonly tokenRateLimitStatus: number
  /** HTTP status of the 1000202001 reply (spec §3.2; body is the business envelope). */
  readonly expiredTokenHttpStatus: number
}

export interface RateLimitOptions {
  /** Business calls per book per clock minute (spec §3.3: 500/min observed). 0 = unlimited. */
  readonly perMinute: number
  /** HTTP status of a throttled reply (spec §3.2: 429 expected, never captured). */
  readonly httpStatus: number
  /** Count throttled calls against the window too. Default false. */
  readonly countRejected: boolean
  /**
   * How the minute is counted: `fixed` (clock-aligned minutes, the default) or `sliding` (the last
   * 60 s before each arrival, as many gateways count; a client pacing exactly at the limit with no
   * margin is throttled here, see docs/sandbox.md).
   */
  readonly window?: WindowMode
}

export interface ListOptions {
  /** Largest page size actually served (spec §5.4: 100). */
  readonly maxPageSize: number
  /** `requested`: total_page from the requested size, the truncation quirk (spec §5.4, S6); `served`: from the size actually served. */
  readonly totalPageFrom: 'requested' | 'served'
  /** Every Nth page (N ≥ 2) repeats the previous page's last row first (spec §5.4); 0 = off. */
  readonly duplicateRowEveryNthPage: number
  /** Default page size when `page_size` is absent (spec §5.4: 10). */
  readonly defaultPageSize: number
}

export interface BillOptions {
  /** Always auto-number, ignoring a supplied `bill_no` (spec §4.1 / §9 q1 unknown). Default false. */
  readonly ignoreBillNo: boolean
  /** Longest accepted `bill_no` (spec §4.6: S1 notes max 30). */
  readonly billNoMaxLength: number
  /** What `operation_key: "audit"` does on save (spec §4.1): save then audit (status C), or nothing. */
  readonly operationKeyAudit: 'save_and_audit' | 'ignore'
  /** Unknown `operation_key` values: `reject` (spec §4.1 default) or `ignore`. */
  readonly unknownOperationKey: 'reject' | 'ignore'
  /** Detail of a missing bill: `error` (errcode ≠ 0) or `null` (`data: null`), spec §4.4 [?]. */
  readonly detailNotFound: 'error' | 'null'
  /** errcode of business validation errors (not in any source; invented). */
  readonly validationErrcode: number
  /** errcode of the duplicate bill_no error (spec §3.2: `<nonzero>`). */
  readonly duplicateErrcode: number
  /** Stock on hand per `materialId@storeId`; audit fails when it would go negative on a store with allow_negative=false (spec §4.5 [I]). Absent = unlimited. */
  readonly stock: Readonly<Record<string, number>> | undefined
  /** Which fields `search` matches on the bill list (spec §4.3 [I]). */
  readonly searchFields: readonly ('bill_no' | 'remark')[]
}
