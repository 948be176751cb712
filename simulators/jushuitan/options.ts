/**
 * Every behaviour switch of the JST simulator, with the spec's default. Where the real server's
 * behaviour is [UNKNOWN] the switch exists so tests can prove a client copes either way
 * (docs/sandbox.md lists each option with its spec section).
 */
import type { ClockOptions, SimClock } from '../common/clock.js'
import type { FaultRule } from '../common/faults.js'
import type { WindowMode } from '../common/rate-limit.js'
import type { GenerateOptions } from '../data/generate.js'
import type { Dataset, JstStatus } from '../data/types.js'
import { JST_STATUSES } from '../data/types.js'

/** A registered app. `self` = 自有/自研 app (may use getInitToken and refresh); `isv` = 服务商应用. */
export interface JstApp {
  readonly appKey: string
  readonly appSecret: string
  readonly type: 'self' | 'isv'
  /** API paths this app may call (§11.2 step 8); undefined = all. */
  readonly allowedApis?: readonly string[]
  /** IP whitelist (§11.2 step 6); undefined = any. */
  readonly ipWhitelist?: readonly string[]
}

export type PipelineStep =
  'fields' | 'charset' | 'app_key' | 'sign' | 'timestamp' | 'ip' | 'token' | 'permission' | 'rate_limit' | 'biz'

/** §11.2 default order. */
export const DEFAULT_PIPELINE: readonly PipelineStep[] = [
  'fields',
  'charset',
  'app_key',
  'sign',
  'timestamp',
  'ip',
  'token',
  'permission',
  'rate_limit',
  'biz',
]

export type OrderMode = 'modified_asc' | 'modified_desc' | 'io_id_desc' | 'unstable_random'

export interface JstBehaviour {
  /** §11.2 order of the validation steps. */
  pipeline: readonly PipelineStep[]
  /** §3.3: also accept an uppercase hex sign. Default false. */
  acceptUppercaseSign: boolean
  /** §2/§11.2 step 5: allowed |now − timestamp| in seconds. Default 600. */
  timestampToleranceSec: number
  /** §11.2 step 5: `s9` → code 180 (default), `s1` → code 140. */
  timestampErrorProfile: 's9' | 's1'
  /** §8.2/§11.2 step 9: per app_key. */
  rateLimit: {
    perSecond: number
    perMinute: number
    window: WindowMode
    countRejected: boolean
    maxConcurrent?: number
  }
  /** Server think time per accepted business call in real ms (makes `maxConcurrent` observable). Default 0. */
  processingMs: number
  /** §6.1/§9.2: page_size above 50. Default `clamp_quirk` (clamp, but page_count from the requested size). */
  pageSizeOverflow: 'clamp_quirk' | 'clamp' | 'error'
  /** §11.2 step 11: a window of exactly 7 days passes. Default true. */
  sevenDayInclusive: boolean
  /** §11.3: `modified <= modified_end` (true, default) or `<`. */
  endInclusive: boolean
  /** §11.2 step 11: unknown `status` → 140 (`error`, default) or an empty page (`empty`). */
  unknownStatus: 'error' | 'empty'
  /** §11.3: statuses returned when `status` is omitted. Default all five [UNKNOWN on the real server]. */
  defaultStatuses: readonly JstStatus[]
  /** §11.3 ordering of `datas`. Default `modified_asc` (tie-break io_id ascending). */
  orderMode: OrderMode
  /** §11.3: `page_count` (has_next = page_index < page_count, default) or `offset` (offset+size < count). */
  hasNextMode: 'page_count' | 'offset'
  /** §11.3: a change becomes visible to queries only after this many ms of simulated time. Default 0. */
  visibilityDelayMs: number
  /** §11.3 per-merchant feature flags (this simulator hosts one merchant). All default false. */
  features: { batchEnabled: boolean; snEnabled: boolean; virtualWarehouses: boolean }
  /** §11.3: send `[]` instead of omitting feature-gated arrays. Default false. */
  emptyArraysInsteadOfOmit: boolean
  /** §11.3/§5.4 number encodings. Default false. */
  quantitiesAsStrings: boolean
  idsAsStrings: boolean
  /** §11.2: add `issuccess` to every reply. Default false. */
  includeIssuccess: boolean
  /** §5.3: also accept `T` separators and fractional seconds in request dates. Default false (strict). */
  lenientDates: boolean
  /** §4.4: `expires_in` of issued tokens, seconds. Default 2 592 000. */
  tokenTtlSec: number
  /** §4.2: OAuth code lifetime, seconds. Default 900. */
  oauthCodeTtlSec: number
  /** §11.1: refresh allowed only within N s of expiry; undefined (default) = any time. */
  refreshWindowSeconds?: number
  /** §11.1: code and message when a refresh comes too early. Default 100 / invented text. */
  refreshTooEarly: { code: number; msg: string }
  /** §11.1: refresh issues new values (default true) and the old ones die after `graceSeconds` (default 0). */
  rotateOnRefresh: boolean
  graceSeconds: number
  /** §4.4 [UNKNOWN]: a second getInitToken invalidates the app's earlier tokens. Default false. */
  initTokenInvalidatesOld: boolean
}

export interface JstSimulatorOptions extends Partial<Omit<JstBehaviour, 'rateLimit' | 'features'>> {
  readonly port?: number
  readonly host?: string
  /** Seed for generated data, credentials and random faults. Default 1. */
  readonly seed?: number | string
  /** Use this dataset instead of generating one. */
  readonly dataset?: Dataset
  /** Generator options when no dataset is given (seed comes from `seed`). Default 200 orders over 7 days. */
  readonly generate?: Partial<Omit<GenerateOptions, 'seed'>>
  /** Apps; default one self-developed and one ISV app with seeded keys. */
  readonly apps?: readonly JstApp[]
  /** Tokens that exist from the start (e.g. the official signature vectors' token). Lifetime `tokenTtlSec`. */
  readonly presetTokens?: readonly {
    readonly appKey: string
    readonly accessToken: string
    readonly refreshToken: string
  }[]
  /** A clock to share (e.g. with the JDY simulator) or options for a new one. */
  readonly clock?: SimClock | ClockOptions
  readonly rateLimit?: Partial<JstBehaviour['rateLimit']>
  readonly features?: Partial<JstBehaviour['features']>
  readonly faults?: readonly FaultRule[]
  /** Default 1 MiB; larger bodies get nginx's 413 page. */
  readonly maxBodyBytes?: number
  /** Default `/__admin/`. */
  readonly adminPrefix?: string
  /** Token every admin call must present; default a random one (see `adminToken` on the simulator). */
  readonly adminToken?: string
}

export function resolveBehaviour(o: JstSimulatorOptions): JstBehaviour {
  return {
    pipeline: o.pipeline ?? DEFAULT_PIPELINE,
    acceptUppercaseSign: o.acceptUppercaseSign ?? false,
    timestampToleranceSec: o.timestampToleranceSec ?? 600,
    timestampErrorProfile: o.timestampErrorProfile ?? 's9',
    rateLimit: { perSecond: 5, perMinute: 100, window: 'fixed', countRejected: true, ...o.rateLimit },
    processingMs: o.processingMs ?? 0,
    pageSizeOverflow: o.pageSizeOverflow ?? 'clamp_quirk',
    sevenDayInclusive: o.sevenDayInclusive ?? true,
    endInclusive: o.endInclusive ?? true,
    unknownStatus: o.unknownStatus ?? 'error',
    defaultStatuses: o.defaultStatuses ?? JST_STATUSES,
    orderMode: o.orderMode ?? 'modified_asc',
    hasNextMode: o.hasNextMode ?? 'page_count',
    visibilityDelayMs: o.visibilityDelayMs ?? 0,
    features: { batchEnabled: false, snEnabled: false, virtualWarehouses: false, ...o.features },
    emptyArraysInsteadOfOmit: o.emptyArraysInsteadOfOmit ?? false,
    quantitiesAsStrings: o.quantitiesAsStrings ?? false,
    idsAsStrings: o.idsAsStrings ?? false,
    includeIssuccess: o.includeIssuccess ?? false,
    lenientDates: o.lenientDates ?? false,
    tokenTtlSec: o.tokenTtlSec ?? 2_592_000,
    oauthCodeTtlSec: o.oauthCodeTtlSec ?? 900,
    ...(o.refreshWindowSeconds === undefined ? {} : { refreshWindowSeconds: o.refreshWindowSeconds }),
    refreshTooEarly: o.refreshTooEarly ?? { code: 100, msg: '验证失败！refresh_token未到可刷新时间' },
    rotateOnRefresh: o.rotateOnRefresh ?? true,
    graceSeconds: o.graceSeconds ?? 0,
    initTokenInvalidatesOld: o.initTokenInvalidatesOld ?? false,
  }
}
