/**
 * The JDY connection configuration: declaration (drives validation and the console form) and
 * the parser that turns the engine's loose record into a typed, validated object.
 */
import type { ConfigSpec } from '../contract.js'
import { JdyConfigInvalid } from './errors.js'

export const JDY_DEFAULT_BASE_URL = 'https://api.kingdee.com'

export const jdyConfigSpec: ConfigSpec = {
  baseUrl: {
    type: 'url',
    title: 'Gateway URL',
    default: JDY_DEFAULT_BASE_URL,
    description: 'Every call, auth and business, goes to this host. The book `domain` is **not** a host.',
  },
  clientId: {
    type: 'string',
    title: 'Client ID (应用ID)',
    required: true,
    description: '应用ID; sent as `X-Api-ClientID` on every call.',
  },
  clientSecret: {
    type: 'secret',
    title: 'Client secret',
    required: true,
    description: 'HMAC key for `X-Api-Signature`.',
  },
  outerInstanceId: {
    type: 'string',
    title: 'outerInstanceId (第三方实例ID)',
    required: true,
    description: '第三方实例ID of the authorised book; passed to `push_app_authorize`.',
  },
  accountId: {
    type: 'string',
    title: 'Book id (accountId)',
    description:
      'Picks the authorisation row when several books are authorised to one client (spec §1.1; a configured `appKey` also narrows the choice). Needed only then; Ferry refuses to guess (`ERR_JDY_AUTHORIZATION_AMBIGUOUS`). Rows with `status` ≠ 1 are ignored.',
  },
  appKey: {
    type: 'string',
    title: 'appKey (static setups only)',
    description:
      'Static sandbox setups only. Used for the first token; on `1030002006` Ferry switches to `push_app_authorize` for good.',
  },
  appSecret: {
    type: 'secret',
    title: 'appSecret (static setups only)',
    description:
      'Static sandbox setups only. Used for the first token; on `1030002006` Ferry switches to `push_app_authorize` for good.',
  },
  domain: {
    type: 'string',
    title: 'Book domain (static setups only)',
    description:
      'Static sandbox setups only: the book domain, sent as `X-GW-Router-Addr` (never a host). Used with `appKey`/`appSecret` for the first token.',
  },
  timeoutMs: {
    type: 'number',
    default: 30_000,
    description: 'Whole-call timeout. A save that times out is `unknown_outcome`.',
  },
  connectTimeoutMs: {
    type: 'number',
    default: 10_000,
    description: 'Connection-open timeout (a failure here means nothing was sent).',
  },
  tokenTtlMs: {
    type: 'number',
    default: 20 * 3_600_000,
    description: 'Token lifetime used only when the answer has neither `expires` nor a JWT `exp` (spec §1.2).',
  },
  tokenRenewMarginMs: {
    type: 'number',
    default: 10 * 60_000,
    description: 'The cached token is renewed this long before it expires.',
  },
  tokenCallsPerMinute: {
    type: 'number',
    default: 2,
    description: 'Guard for `kingdee_auth_token` (documented 2/min, spec §1.2).',
  },
  operationKeyMode: {
    type: 'string',
    default: 'send',
    description:
      '`send`: pass operation_key to save, then audit through common_operate if the bill is still unaudited; `strip`: never send it, audit through common_operate only. See [audit](#audit-and-operation_key).',
  },
  existingBills: {
    type: 'string',
    default: 'ferry',
    description:
      "Bills written **outside** Ferry, see [existing bills](#bills-written-outside-ferry-existingbills). `ferry`: none are expected; a bill costs one call (the save). `bulk` (migration from the platform or another integration): the book's bills are read with the list API, one call per page of up to 100 bills per bill date, and a bill whose number matches is adopted. `each`: a detail read per bill before its save (the old `precheck`; one extra call per bill).",
  },
  precheck: {
    type: 'boolean',
    description:
      'Deprecated alias kept for existing configurations: `true` = `existingBills: each`, `false` = `existingBills: ferry`. `existingBills` wins when both are set.',
  },
  auditCheck: {
    type: 'string',
    default: 'bulk',
    description:
      'How a bill whose payload asks for `audit` is confirmed audited when the save answer carries no status, see [audit](#audit-and-operation_key). `bulk`: list unaudited bills in pages every `auditBatch` saves and at close, audit the ones still `Z` with one common_operate call. `each` reads the bill after every save (one extra call per bill).',
  },
  auditBatch: {
    type: 'number',
    default: 100,
    description:
      'Bills per bulk audit check (at most 100, the largest list page and `common_operate` batch Ferry sends).',
  },
  remarkTag: {
    type: 'string',
    default: '',
    description:
      "**Opt-in.** The header field that receives the `[ext:<key>]` marker, normally `remark` (`true` means `remark`). Off by default: Ferry sends the payload's remark unchanged. Turn it on only for a book that ignores `bill_no` (spec §9 q1): the marker is then the only handle by which a lost save answer can be probed.",
  },
  pageSize: { type: 'number', default: 100, description: 'List page size; anything above 100 is clamped (spec §5.4).' },
}

export type OperationKeyMode = 'send' | 'strip'
export type ExistingBillsMode = 'ferry' | 'bulk' | 'each'
export type AuditCheckMode = 'bulk' | 'each'

export interface JdyConfig {
  readonly baseUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly outerInstanceId: string
  readonly accountId?: string
  readonly appKey?: string
  readonly appSecret?: string
  readonly domain?: string
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
  readonly tokenTtlMs: number
  readonly tokenRenewMarginMs: number
  readonly tokenCallsPerMinute: number
  readonly operationKeyMode: OperationKeyMode
  readonly existingBills: ExistingBillsMode
  readonly auditCheck: AuditCheckMode
  readonly auditBatch: number
  /** Field that receives the `[ext:<key>]` marker; undefined: no marker (the default). */
  readonly remarkTag?: string
  readonly pageSize: number
}

/** Largest page JDY honours; bigger requests are silently truncated (spec §5.4). */
export const JDY_MAX_PAGE_SIZE = 100

function str(raw: Readonly<Record<string, unknown>>, key: string, required: boolean): string | undefined {
  const v = raw[key]
  if (v === undefined || v === null || v === '') {
    if (required) throw JdyConfigInvalid([key, 'is required'], { location: `config.${key}` })
    return undefined
  }
  if (typeof v !== 'string' && typeof v !== 'number')
    throw JdyConfigInvalid([key, 'must be a string'], { location: `config.${key}` })
  return String(v)
}

function num(raw: Readonly<Record<string, unknown>>, key: string, dflt: number, min: number): number {
  const v = raw[key]
  if (v === undefined || v === null || v === '') return dflt
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN
  if (!Number.isFinite(n) || n < min)
    throw JdyConfigInvalid([key, `must be a number ≥ ${min}`], { location: `config.${key}` })
  return n
}

function bool(raw: Readonly<Record<string, unknown>>, key: string, dflt: boolean): boolean {
  const v = raw[key]
  if (v === undefined || v === null || v === '') return dflt
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'false') return v === 'true'
  throw JdyConfigInvalid([key, 'must be true or false'], { location: `config.${key}` })
}

function oneOf<T extends string>(
  raw: Readonly<Record<string, unknown>>,
  key: string,
  allowed: readonly T[],
  dflt: T,
): T {
  const v = str(raw, key, false) ?? dflt
  if (!(allowed as readonly string[]).includes(v)) {
    throw JdyConfigInvalid([key, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`], {
      location: `config.${key}`,
    })
  }
  return v as T
}

/** `existingBills`, or the older `precheck` boolean when only that is given. */
function existingBillsOf(raw: Readonly<Record<string, unknown>>): ExistingBillsMode {
  const legacy =
    raw.precheck === undefined || raw.precheck === null || raw.precheck === ''
      ? undefined
      : bool(raw, 'precheck', false)
  const given = raw.existingBills !== undefined && raw.existingBills !== null && raw.existingBills !== ''
  if (!given && legacy !== undefined) return legacy ? 'each' : 'ferry'
  return oneOf<ExistingBillsMode>(raw, 'existingBills', ['ferry', 'bulk', 'each'], 'ferry')
}

function remarkTagOf(raw: Readonly<Record<string, unknown>>): string | undefined {
  const v = raw.remarkTag
  if (v === undefined || v === null || v === '' || v === false || v === 'false') return undefined
  if (v === true || v === 'true') return 'remark'
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
    throw JdyConfigInvalid(['remarkTag', 'must be the name of a header field (e.g. "remark") or empty'], {
      location: 'config.remarkTag',
    })
  }
  return v
}

/** Validate the connection config; throws ERR_JDY_CONFIG_INVALID with the field as location. */
export function parseJdyConfig(raw: Readonly<Record<string, unknown>>): JdyConfig {
  const baseUrl = (str(raw, 'baseUrl', false) ?? JDY_DEFAULT_BASE_URL).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]+/.test(baseUrl))
    throw JdyConfigInvalid(['baseUrl', 'must be an http(s) URL'], { location: 'config.baseUrl' })
  const mode = str(raw, 'operationKeyMode', false) ?? 'send'
  if (mode !== 'send' && mode !== 'strip') {
    throw JdyConfigInvalid(['operationKeyMode', 'must be "send" or "strip"'], { location: 'config.operationKeyMode' })
  }
  const appKey = str(raw, 'appKey', false)
  const appSecret = str(raw, 'appSecret', false)
  if ((appKey === undefined) !== (appSecret === undefined)) {
    throw JdyConfigInvalid(
      [appKey === undefined ? 'appKey' : 'appSecret', 'must be set together with its pair (static setups)'],
      { location: `config.${appKey === undefined ? 'appKey' : 'appSecret'}` },
    )
  }
  return {
    baseUrl,
    clientId: str(raw, 'clientId', true)!,
    clientSecret: str(raw, 'clientSecret', true)!,
    outerInstanceId: str(raw, 'outerInstanceId', true)!,
    accountId: str(raw, 'accountId', false),
    appKey,
    appSecret,
    domain: str(raw, 'domain', false),
    timeoutMs: num(raw, 'timeoutMs', 30_000, 1),
    connectTimeoutMs: num(raw, 'connectTimeoutMs', 10_000, 1),
    tokenTtlMs: num(raw, 'tokenTtlMs', 20 * 3_600_000, 1_000),
    tokenRenewMarginMs: num(raw, 'tokenRenewMarginMs', 10 * 60_000, 0),
    tokenCallsPerMinute: num(raw, 'tokenCallsPerMinute', 2, 1),
    operationKeyMode: mode,
    existingBills: existingBillsOf(raw),
    auditCheck: oneOf<AuditCheckMode>(raw, 'auditCheck', ['bulk', 'each'], 'bulk'),
    auditBatch: Math.min(JDY_MAX_PAGE_SIZE, Math.floor(num(raw, 'auditBatch', JDY_MAX_PAGE_SIZE, 1))),
    ...(remarkTagOf(raw) === undefined ? {} : { remarkTag: remarkTagOf(raw) }),
    pageSize: Math.min(JDY_MAX_PAGE_SIZE, Math.floor(num(raw, 'pageSize', JDY_MAX_PAGE_SIZE, 1))),
  }
}
