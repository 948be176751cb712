/**
 * The `alerts` section of the configuration (and the `alerts` key of a scheme file): checked
 * field by field, every problem reported with its path, defaults from alerts-settings.ts. Secrets
 * (`secret`, `password`, webhook keys) arrive through `${ENV_VAR}` references like connection
 * secrets and are sealed into the store by the alert service.
 */
import type { FerryError } from '../core/errors.js'
import { AlertConfigInvalid } from './errors.js'
import {
  CHANNEL_TYPES,
  DEFAULT_ALERTS,
  DEFAULT_RULES,
  RULE_NAMES,
  type AlertsConfig,
  type ChannelConfig,
  type ChannelSettings,
  type Language,
  type QuietHours,
  type RuleSettings,
} from './alerts-settings.js'

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

class Problems {
  readonly list: FerryError[] = []
  add(at: string, what: string): void {
    this.list.push(AlertConfigInvalid([`${at}: ${what}`], { location: at }))
  }
  keys(o: Record<string, unknown>, allowed: readonly string[], at: string): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k)) this.add(`${at}.${k}`, `unknown key; expected one of ${allowed.join(', ')}`)
  }
}

export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000
  if (typeof v !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(v)
  return m === null ? undefined : Math.round(Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000))
}

function duration(p: Problems, v: unknown, at: string, fallback: number): number {
  if (v === undefined) return fallback
  const d = parseDuration(v)
  if (d === undefined) {
    p.add(at, `${JSON.stringify(v)} is not a duration such as 90s, 30m, 2h or 3d`)
    return fallback
  }
  return d
}

function num(p: Problems, v: unknown, at: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    p.add(at, `expected a number ≥ ${min}`)
    return fallback
  }
  return v
}

function strings(p: Problems, v: unknown, at: string, fallback: readonly string[]): readonly string[] {
  if (v === undefined) return fallback
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    p.add(at, 'expected a list of strings')
    return fallback
  }
  return v
}

const RULE_FIELDS: Record<keyof RuleSettings, Record<string, 'duration' | 'number' | 'strings'>> = {
  runFailed: {},
  consecutiveFailures: { count: 'number' },
  freshness: { after: 'duration' },
  volume: { minExpected: 'number', dropRatio: 'number', spikeRatio: 'number', spikeMin: 'number' },
  failedRecords: { olderThan: 'duration', moreThan: 'number' },
  reconcile: {},
  paused: {},
  credentials: { expiringWithin: 'duration', autoRefreshed: 'strings', refusedCodes: 'strings' },
  throttled: { share: 'number', minCalls: 'number' },
}

/** Rule overrides on top of `base`, field by field (`after: 2h` → `afterMs`). */
export function parseRules(p: Problems, raw: unknown, at: string, base: RuleSettings): RuleSettings {
  if (raw === undefined) return base
  if (!isObj(raw)) {
    p.add(at, `expected a mapping of rule → settings (${RULE_NAMES.join(', ')})`)
    return base
  }
  p.keys(raw, RULE_NAMES, at)
  const out: Record<string, unknown> = { ...base }
  for (const name of RULE_NAMES) {
    const r = raw[name]
    if (r === undefined) continue
    const here = `${at}.${name}`
    if (r === false || r === true) {
      out[name] = { ...base[name], enabled: r }
      continue
    }
    if (!isObj(r)) {
      p.add(here, 'expected settings or true/false')
      continue
    }
    const fields = RULE_FIELDS[name]
    p.keys(r, ['enabled', 'severity', ...Object.keys(fields)], here)
    const cur: Record<string, unknown> = { ...base[name] }
    if (r.enabled !== undefined) {
      if (typeof r.enabled === 'boolean') cur.enabled = r.enabled
      else p.add(`${here}.enabled`, 'expected true or false')
    }
    if (r.severity !== undefined) {
      if (r.severity === 'critical' || r.severity === 'warning') cur.severity = r.severity
      else p.add(`${here}.severity`, 'expected critical or warning')
    }
    for (const [f, type] of Object.entries(fields)) {
      if (type === 'duration') cur[`${f}Ms`] = duration(p, r[f], `${here}.${f}`, cur[`${f}Ms`] as number)
      else if (type === 'number') cur[f] = num(p, r[f], `${here}.${f}`, cur[f] as number)
      else cur[f] = strings(p, r[f], `${here}.${f}`, cur[f] as string[])
    }
    out[name] = cur
  }
  return out as unknown as RuleSettings
}

function hhmm(p: Problems, v: unknown, at: string): number {
  const m = typeof v === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v) : null
  if (m === null) {
    p.add(at, 'expected a time HH:mm')
    return 0
  }
  return Number(m[1]) * 60 + Number(m[2])
}

const httpUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v)

function channel(p: Problems, name: string, raw: unknown, lang: Language): ChannelConfig | undefined {
  const at = `alerts.channels.${name}`
  if (!isObj(raw)) {
    p.add(at, 'expected channel settings with a type')
    return undefined
  }
  const type = raw.type
  if (typeof type !== 'string' || !(CHANNEL_TYPES as readonly string[]).includes(type)) {
    p.add(`${at}.type`, `expected one of ${CHANNEL_TYPES.join(', ')}`)
    return undefined
  }
  const common = ['type', 'language', 'ratePerMinute']
  const str = (k: string, required: boolean): string | undefined => {
    const v = raw[k]
    if (v === undefined || v === '') {
      if (required) p.add(`${at}.${k}`, 'is required')
      return undefined
    }
    if (typeof v !== 'string') {
      p.add(`${at}.${k}`, 'expected a string')
      return undefined
    }
    return v
  }
  const url = (k: string): string => {
    const v = str(k, true) ?? ''
    if (v !== '' && !httpUrl(v)) p.add(`${at}.${k}`, 'expected an http(s) URL')
    return v
  }
  let settings: ChannelSettings
  switch (type) {
    case 'dingtalk': {
      p.keys(raw, [...common, 'webhook', 'secret', 'atMobiles'], at)
      const secret = str('secret', false)
      settings = {
        type,
        webhook: url('webhook'),
        ...(secret === undefined ? {} : { secret }),
        ...(raw.atMobiles === undefined ? {} : { atMobiles: strings(p, raw.atMobiles, `${at}.atMobiles`, []) }),
      }
      break
    }
    case 'wecom':
      p.keys(raw, [...common, 'webhook'], at)
      settings = { type, webhook: url('webhook') }
      break
    case 'feishu': {
      p.keys(raw, [...common, 'webhook', 'secret'], at)
      const secret = str('secret', false)
      settings = { type, webhook: url('webhook'), ...(secret === undefined ? {} : { secret }) }
      break
    }
    case 'webhook': {
      p.keys(raw, [...common, 'url', 'secret', 'header'], at)
      const header = str('header', false)
      settings = {
        type,
        url: url('url'),
        secret: str('secret', true) ?? '',
        ...(header === undefined ? {} : { header }),
      }
      break
    }
    default: {
      p.keys(raw, [...common, 'host', 'port', 'secure', 'user', 'password', 'from', 'to'], at)
      const user = str('user', false)
      const password = str('password', false)
      const to = strings(p, raw.to, `${at}.to`, [])
      if (to.length === 0) p.add(`${at}.to`, 'needs at least one recipient')
      settings = {
        type: 'email',
        host: str('host', true) ?? '',
        port: num(p, raw.port, `${at}.port`, 587, 1),
        from: str('from', true) ?? '',
        to,
        ...(typeof raw.secure === 'boolean' ? { secure: raw.secure } : {}),
        ...(user === undefined ? {} : { user }),
        ...(password === undefined ? {} : { password }),
      }
    }
  }
  const language =
    raw.language === undefined
      ? lang
      : raw.language === 'en' || raw.language === 'zh-CN'
        ? raw.language
        : (p.add(`${at}.language`, 'expected zh-CN or en'), lang)
  return { name, language, ratePerMinute: num(p, raw.ratePerMinute, `${at}.ratePerMinute`, 20, 1), settings }
}

export interface AlertsSetup {
  readonly config: AlertsConfig
  readonly channels: readonly ChannelConfig[]
}

/** Every problem of the configuration's `alerts` section (the config loader adds them to its own list). */
export function alertsProblems(raw: unknown): FerryError[] {
  const p = new Problems()
  checkAlerts(p, raw, {})
  return p.list
}

/** Check the configuration's `alerts` section; throws ERR_ALERT_CONFIG listing every problem. */
export function parseAlertsSection(raw: unknown, schemeFiles: Readonly<Record<string, unknown>> = {}): AlertsSetup {
  const p = new Problems()
  const setup = checkAlerts(p, raw, schemeFiles)
  if (p.list.length > 0) {
    throw AlertConfigInvalid(
      [`${p.list.length} problem(s) in the alerts settings: ${p.list.map((e) => e.message).join('; ')}`],
      { details: { problems: p.list.map((e) => e.toJSON()) } },
    )
  }
  return setup
}

function checkAlerts(p: Problems, raw: unknown, schemeFiles: Readonly<Record<string, unknown>>): AlertsSetup {
  if (raw === undefined || raw === null) raw = {}
  if (!isObj(raw)) {
    p.add('alerts', 'expected a mapping')
    return { config: DEFAULT_ALERTS, channels: [] }
  }
  p.keys(
    raw,
    ['enabled', 'language', 'consoleUrl', 'interval', 'repeat', 'quietHours', 'route', 'channels', 'rules', 'schemes'],
    'alerts',
  )
  const language: Language =
    raw.language === undefined
      ? DEFAULT_ALERTS.language
      : raw.language === 'en' || raw.language === 'zh-CN'
        ? raw.language
        : (p.add('alerts.language', 'expected zh-CN or en'), DEFAULT_ALERTS.language)
  const channels: ChannelConfig[] = []
  if (raw.channels !== undefined && !isObj(raw.channels))
    p.add('alerts.channels', 'expected a mapping of name → channel')
  for (const [name, c] of Object.entries(isObj(raw.channels) ? raw.channels : {})) {
    const ch = channel(p, name, c, language)
    if (ch !== undefined) channels.push(ch)
  }
  const names = channels.map((c) => c.name)
  const route = (v: unknown, at: string, fallback: readonly string[]) => {
    const r = strings(p, v, at, fallback)
    for (const [i, n] of r.entries())
      if (!names.includes(n)) p.add(`${at}[${i}]`, `no channel "${n}" under alerts.channels`)
    return r
  }
  let quietHours: QuietHours | undefined
  if (raw.quietHours !== undefined) {
    const q = raw.quietHours
    if (!isObj(q)) p.add('alerts.quietHours', 'expected {from, to, timezone}')
    else {
      p.keys(q, ['from', 'to', 'timezone', 'holdCritical'], 'alerts.quietHours')
      const tz = typeof q.timezone === 'string' ? q.timezone : 'Asia/Shanghai'
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz })
      } catch {
        p.add('alerts.quietHours.timezone', `unknown time zone ${tz}`)
      }
      quietHours = {
        fromMin: hhmm(p, q.from, 'alerts.quietHours.from'),
        toMin: hhmm(p, q.to, 'alerts.quietHours.to'),
        timezone: tz,
        holdCritical: q.holdCritical === true,
      }
    }
  }
  const consoleUrl =
    raw.consoleUrl === undefined
      ? undefined
      : httpUrl(raw.consoleUrl)
        ? (raw.consoleUrl as string)
        : (p.add('alerts.consoleUrl', 'expected an http(s) URL'), undefined)
  const defaultRoute = route(raw.route, 'alerts.route', names)
  const rules = parseRules(p, raw.rules, 'alerts.rules', DEFAULT_RULES)
  const schemes: Record<string, { rules: RuleSettings; route?: readonly string[] }> = {}
  const fromConfig = isObj(raw.schemes) ? raw.schemes : {}
  if (raw.schemes !== undefined && !isObj(raw.schemes))
    p.add('alerts.schemes', 'expected a mapping of scheme id → {rules, route}')
  // A scheme file's own `alerts` key comes first; the configuration overrides it per field.
  for (const id of new Set([...Object.keys(schemeFiles), ...Object.keys(fromConfig)])) {
    let r = rules
    let rt: readonly string[] | undefined
    for (const [src, at] of [
      [schemeFiles[id], `scheme ${id}: alerts`],
      [fromConfig[id], `alerts.schemes.${id}`],
    ] as const) {
      if (src === undefined) continue
      if (!isObj(src)) {
        p.add(at, 'expected {rules, route}')
        continue
      }
      p.keys(src, ['rules', 'route'], at)
      r = parseRules(p, src.rules, `${at}.rules`, r)
      if (src.route !== undefined) rt = route(src.route, `${at}.route`, [])
    }
    schemes[id] = { rules: r, ...(rt === undefined ? {} : { route: rt }) }
  }
  return {
    channels,
    config: {
      enabled: raw.enabled !== false,
      language,
      ...(consoleUrl === undefined ? {} : { consoleUrl }),
      intervalMs: duration(p, raw.interval, 'alerts.interval', DEFAULT_ALERTS.intervalMs),
      repeatMs: duration(p, raw.repeat, 'alerts.repeat', DEFAULT_ALERTS.repeatMs),
      ...(quietHours === undefined ? {} : { quietHours }),
      route: defaultRoute,
      rules,
      schemes,
    },
  }
}
