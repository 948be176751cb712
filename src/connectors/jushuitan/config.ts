/**
 * The 聚水潭 connection configuration: the declared fields (drives validation and the console
 * form) and the typed options the runtime uses. Defaults follow the spec; where the spec marks a
 * fact [UNKNOWN] the default is the spec's recommendation and docs/connectors/jushuitan.md says so.
 */
import type { ConfigSpec } from '../contract.js'
import { ConnectionConfigInvalid } from '../errors.js'

export const JST_STATUSES = ['WaitConfirm', 'Confirmed', 'Archive', 'Cancelled', 'Delete'] as const
export type JstStatus = (typeof JST_STATUSES)[number]

/** The most the count and SKU queries accept per call (spec §6.1, §7.2). */
export const MAX_PAGE_SIZE = 50
export const MAX_WINDOW_DAYS = 7
export const DAY_MS = 86_400_000

export const JST_CONFIG: ConfigSpec = {
  baseUrl: {
    type: 'url',
    title: 'API host',
    default: 'https://openapi.jushuitan.com',
    description: 'Production `https://openapi.jushuitan.com`; sandbox `https://dev-api.jushuitan.com`.',
  },
  appKey: {
    type: 'string',
    title: 'app_key',
    required: true,
    description: 'The app key; also the **budget key** (one budget per app_key).',
  },
  appSecret: { type: 'secret', title: 'app_secret', required: true, description: 'Signs every call; never logged.' },
  appType: {
    type: 'string',
    title: 'App type',
    default: 'self',
    description: '`self` (自研/自有商城: silent `getInitToken`) or `isv` (服务商: merchant authorisation, no refresh).',
  },
  accessToken: {
    type: 'secret',
    title: 'access_token',
    description: 'Initial token. Required for ISV apps; optional for self-built apps (Ferry calls `getInitToken`).',
  },
  refreshToken: { type: 'secret', title: 'refresh_token', description: 'Initial refresh token.' },
  timeoutMs: { type: 'number', default: 30_000, description: 'Whole-call timeout.' },
  maxWindowDays: {
    type: 'number',
    default: MAX_WINDOW_DAYS,
    description: 'Longest modified-time window per query (the API refuses more than 7 days).',
  },
  safetyLagMinutes: {
    type: 'number',
    default: 5,
    description:
      'Windows end at least this long before "now" (spec §10.2 recommends 2–5 min; commit delay is [UNKNOWN]).',
  },
  overlapMinutes: {
    type: 'number',
    default: 10,
    description:
      'Each window re-reads this much of the previous one; the first window of a run re-reads the end of the previous run (spec §10.3: 10–30 min).',
  },
  pageSize: { type: 'number', default: MAX_PAGE_SIZE, description: 'Rows per page (max 50).' },
  maxPagesPerWindow: {
    type: 'number',
    default: 1,
    description:
      'A window whose first page reports more pages than this is split by its `data_count` into parts planned at 0.8 of this many pages each (at most 64 parts; an overflowing part is split again), down to `minWindowSeconds` (spec §10.4 aims at one page per window).',
  },
  minWindowSeconds: {
    type: 'number',
    default: 1,
    description: 'Smallest split: windows are never split below this span.',
  },
  verifyPasses: {
    type: 'number',
    default: 3,
    description: 'Verification passes for a multi-page window (spec §10.5).',
  },
  statuses: {
    type: 'string',
    default: 'omit',
    description:
      "`omit`: no status filter (the spec's default; whether the server then returns all five statuses is [UNKNOWN], spec §12.1). `all`: one query per status (5× the calls). Or a comma list.",
  },
  refreshAheadHours: {
    type: 'number',
    default: 24,
    description: 'Renew a token this long before it expires (spec §4.4, S1).',
  },
  retries: {
    type: 'number',
    default: 3,
    description: 'Retries of a read after a transient failure (back-off 1 s ×2, cap 60 s, ±20 % jitter).',
  },
  rateLimitRetries: {
    type: 'number',
    default: 20,
    description:
      "Retries after 199/200 before the read fails with `ERR_JST_RATE_LIMITED` (each waits only until the budget's window has room).",
  },
}

export interface JstOptions {
  readonly baseUrl: string
  readonly appKey: string
  readonly appSecret: string
  readonly appType: 'self' | 'isv'
  readonly accessToken?: string
  readonly refreshToken?: string
  readonly timeoutMs: number
  readonly maxWindowMs: number
  readonly safetyLagMs: number
  readonly overlapMs: number
  readonly pageSize: number
  readonly maxPagesPerWindow: number
  readonly minWindowMs: number
  readonly verifyPasses: number
  /** `undefined`: send no status filter. */
  readonly statuses: readonly JstStatus[] | undefined
  readonly refreshAheadMs: number
  readonly retries: number
  readonly rateLimitRetries: number
}

/** Typed options from a configuration already checked by `resolveConnectionConfig`. */
export function jstOptions(c: Readonly<Record<string, unknown>>): JstOptions {
  const num = (key: string, min: number, max: number): number => {
    const v = c[key] ?? JST_CONFIG[key]?.default
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw ConnectionConfigInvalid(['jushuitan', `"${key}" must be a number from ${min} to ${max}`], {
        location: `config.${key}`,
      })
    }
    return v
  }
  const str = (key: string): string | undefined => (typeof c[key] === 'string' && c[key] !== '' ? c[key] : undefined)
  const appType = str('appType') ?? 'self'
  if (appType !== 'self' && appType !== 'isv') {
    throw ConnectionConfigInvalid(['jushuitan', '"appType" must be "self" or "isv"'], { location: 'config.appType' })
  }
  const appKey = str('appKey')
  const appSecret = str('appSecret')
  if (appKey === undefined)
    throw ConnectionConfigInvalid(['jushuitan', '"appKey" is required'], { location: 'config.appKey' })
  if (appSecret === undefined)
    throw ConnectionConfigInvalid(['jushuitan', '"appSecret" is required'], { location: 'config.appSecret' })
  return {
    baseUrl: str('baseUrl') ?? String(JST_CONFIG.baseUrl?.default),
    appKey,
    appSecret,
    appType,
    accessToken: str('accessToken'),
    refreshToken: str('refreshToken'),
    timeoutMs: num('timeoutMs', 100, 600_000),
    maxWindowMs: num('maxWindowDays', 1 / 24, MAX_WINDOW_DAYS) * DAY_MS,
    safetyLagMs: num('safetyLagMinutes', 0, 24 * 60) * 60_000,
    overlapMs: num('overlapMinutes', 0, 24 * 60) * 60_000,
    pageSize: Math.floor(num('pageSize', 1, MAX_PAGE_SIZE)),
    maxPagesPerWindow: Math.floor(num('maxPagesPerWindow', 1, 10_000)),
    minWindowMs: num('minWindowSeconds', 1, 86_400) * 1000,
    verifyPasses: Math.floor(num('verifyPasses', 1, 20)),
    statuses: parseStatuses(str('statuses') ?? 'omit'),
    refreshAheadMs: num('refreshAheadHours', 0, 24 * 30) * 3_600_000,
    retries: Math.floor(num('retries', 0, 10)),
    rateLimitRetries: Math.floor(num('rateLimitRetries', 0, 50)),
  }
}

function parseStatuses(s: string): readonly JstStatus[] | undefined {
  if (s === 'omit') return undefined
  if (s === 'all') return JST_STATUSES
  const list = s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
  const bad = list.find((x) => !(JST_STATUSES as readonly string[]).includes(x))
  if (bad !== undefined || list.length === 0) {
    throw ConnectionConfigInvalid(
      ['jushuitan', `"statuses" must be "omit", "all" or a comma list of ${JST_STATUSES.join(', ')}`],
      { location: 'config.statuses' },
    )
  }
  return list as JstStatus[]
}
