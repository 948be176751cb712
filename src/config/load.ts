/**
 * Reading and validating the configuration. Every problem is collected (code, path, message)
 * and reported together, so one start-up attempt shows everything to fix; nothing runs until
 * the configuration is clean.
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { alertsProblems } from './alerts.js'
import type { FerryError } from '../core/errors.js'
import { defaultEngineSettings } from '../core/defaults.js'
import { checkQueue } from './queue.js'
import {
  ConfigEnvMissing,
  ConfigInvalid,
  ConfigMissing,
  ConfigRead,
  ConfigType,
  ConfigUnknownConnection,
  ConfigUnknownConnector,
  ConfigUnknownKey,
} from './errors.js'
import { isValidCrontab } from '../scheme/crontab.js'
import type {
  ConnectionConfig,
  ConnectorInfo,
  EngineSettings,
  FerryConfig,
  ReconcileSetting,
  SchemeEntry,
} from './types.js'

export type Env = Readonly<Record<string, string | undefined>>

export interface LoadOptions {
  /** `--config`; falls back to `FERRY_CONFIG`. */
  readonly path?: string
  readonly env?: Env
  /** Connectors Ferry has, for checking names and settings. */
  readonly connectors?: readonly ConnectorInfo[]
  /**
   * `deferred`: commands that never call a vendor (records, record, verify…) start without the
   * `${VAR}`s of connection settings; such a connection carries the missing names and refuses to
   * open. Default `required`: every variable must be set.
   */
  readonly connectionEnv?: 'required' | 'deferred'
}

const TOP_KEYS = [
  'database',
  'masterKey',
  'connections',
  'schemes',
  'collections',
  'engine',
  'processors',
  'alerts',
  'queue',
]

class Problems {
  readonly list: FerryError[] = []
  /** Deferred mode: connection-setting paths whose `${VAR}` is unset → the variable's name. */
  readonly deferred = new Map<string, string>()
  constructor(readonly deferConnections = false) {}
  add(e: FerryError): void {
    this.list.push(e)
  }
  /** One problem per path: a missing environment variable is not also reported as a missing setting. */
  has(location: string): boolean {
    return this.list.some((e) => e.location === location)
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Replace `${NAME}` with environment values; a missing variable is a problem at that path. */
function interpolate(v: unknown, env: Env, path: string, p: Problems): unknown {
  if (typeof v === 'string') {
    return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const val = env[name]
      if (val === undefined) {
        if (p.deferConnections && /^connections\.[^.]+\.settings\./.test(path)) p.deferred.set(path, name)
        else p.add(ConfigEnvMissing([name], { location: path }))
        return ''
      }
      return val
    })
  }
  if (Array.isArray(v)) return v.map((x, i) => interpolate(x, env, `${path}[${i}]`, p))
  if (isObj(v))
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, interpolate(x, env, path === '' ? k : `${path}.${k}`, p)]),
    )
  return v
}

function parseTime(v: unknown, path: string, p: Problems): Date | undefined {
  if (v === undefined || v === null) return undefined
  const d =
    v instanceof Date
      ? v
      : typeof v === 'string'
        ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || !/T|\s/.test(v) ? v : `${v.replace(' ', 'T')}+08:00`)
        : undefined
  if (d === undefined || Number.isNaN(d.getTime())) {
    p.add(ConfigType([path, 'an ISO 8601 time'], { location: path }))
    return undefined
  }
  return d
}

function checkConnection(
  name: string,
  raw: unknown,
  env: Env,
  connectors: readonly ConnectorInfo[] | undefined,
  p: Problems,
): ConnectionConfig | undefined {
  const at = `connections.${name}`
  if (!isObj(raw)) {
    p.add(ConfigType([at, 'an object with connector and settings'], { location: at }))
    return undefined
  }
  for (const k of Object.keys(raw))
    if (!['connector', 'settings', 'budget'].includes(k))
      p.add(ConfigUnknownKey([k, 'connector, settings, budget'], { location: `${at}.${k}` }))
  const connector = raw.connector
  if (typeof connector !== 'string' || connector === '') {
    p.add(ConfigMissing([`${at}.connector`], { location: `${at}.connector` }))
    return undefined
  }
  const settings: Record<string, unknown> = isObj(raw.settings) ? { ...raw.settings } : {}
  if (raw.settings !== undefined && !isObj(raw.settings))
    p.add(ConfigType([`${at}.settings`, 'an object'], { location: `${at}.settings` }))
  // FERRY_CONNECTION_<NAME>_<SETTING>=value overrides one setting (secrets from the environment).
  const prefix = `FERRY_CONNECTION_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(prefix) || v === undefined) continue
    const key = k.slice(prefix.length)
    const match = Object.keys(settings).find((s) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_') === key)
    const known: ConnectorInfo | undefined = connectors?.find((c) => c.name === connector)
    const specKey: string | undefined =
      known === undefined
        ? undefined
        : Object.keys(known.config).find((s) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_') === key)
    const field: string = match ?? specKey ?? key.toLowerCase()
    const type = known?.config[field]?.type
    settings[field] = type === 'number' ? Number(v) : type === 'boolean' ? v === 'true' : v
    p.deferred.delete(`${at}.settings.${field}`)
  }
  const unset = [...p.deferred].filter(([path]) => path.startsWith(`${at}.settings.`)).map(([, v]) => v)
  const info = connectors?.find((c) => c.name === connector)
  if (connectors !== undefined && info === undefined) {
    p.add(
      ConfigUnknownConnector([connector, connectors.map((c) => c.name).join(', ')], { location: `${at}.connector` }),
    )
  }
  if (info !== undefined) {
    for (const [key, field] of Object.entries(info.config)) {
      const v = settings[key]
      const where = `${at}.settings.${key}`
      if (v === undefined || v === '') {
        if (field.required === true && field.default === undefined && !p.has(where) && !p.deferred.has(where))
          p.add(ConfigMissing([where], { location: where }))
        continue
      }
      const ok =
        field.type === 'number'
          ? typeof v === 'number' && Number.isFinite(v)
          : field.type === 'boolean'
            ? typeof v === 'boolean'
            : field.type === 'url'
              ? typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v)
              : typeof v === 'string'
      if (!ok)
        p.add(ConfigType([where, field.type === 'url' ? 'an http(s) URL' : `a ${field.type}`], { location: where }))
    }
  }
  let budget: ConnectionConfig['budget']
  if (raw.budget !== undefined) {
    if (!isObj(raw.budget)) p.add(ConfigType([`${at}.budget`, 'an object'], { location: `${at}.budget` }))
    else {
      for (const [k, v] of Object.entries(raw.budget)) {
        if (!['perSecond', 'perMinute', 'inFlight', 'floor', 'guardMs'].includes(k)) {
          p.add(
            ConfigUnknownKey([k, 'perSecond, perMinute, inFlight, floor, guardMs'], { location: `${at}.budget.${k}` }),
          )
        } else if (k === 'floor') {
          if (!(typeof v === 'number' && v > 0 && v <= 1))
            p.add(
              ConfigType([`${at}.budget.floor`, 'a number above 0 and at most 1'], { location: `${at}.budget.floor` }),
            )
        } else if (k === 'guardMs') {
          if (!(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10_000))
            p.add(
              ConfigType([`${at}.budget.guardMs`, 'a whole number of milliseconds from 0 to 10000'], {
                location: `${at}.budget.guardMs`,
              }),
            )
        } else if (!(Number.isInteger(v) && (v as number) > 0))
          p.add(ConfigType([`${at}.budget.${k}`, 'a positive integer'], { location: `${at}.budget.${k}` }))
      }
      budget = raw.budget
    }
  }
  return {
    connector,
    settings,
    ...(budget === undefined ? {} : { budget }),
    ...(unset.length === 0 ? {} : { unsetEnv: unset }),
  }
}

function checkScheme(
  raw: unknown,
  i: number,
  baseDir: string,
  connections: Readonly<Record<string, unknown>>,
  p: Problems,
): SchemeEntry | undefined {
  const at = `schemes[${i}]`
  const entry = typeof raw === 'string' ? { file: raw } : raw
  if (!isObj(entry)) {
    p.add(ConfigType([at, 'a file path or an object with file'], { location: at }))
    return undefined
  }
  const allowed = ['file', 'enabled', 'start', 'connections', 'reconcile', 'processors']
  for (const k of Object.keys(entry))
    if (!allowed.includes(k)) p.add(ConfigUnknownKey([k, allowed.join(', ')], { location: `${at}.${k}` }))
  if (typeof entry.file !== 'string' || entry.file === '') {
    p.add(ConfigMissing([`${at}.file`], { location: `${at}.file` }))
    return undefined
  }
  if (entry.enabled !== undefined && typeof entry.enabled !== 'boolean')
    p.add(ConfigType([`${at}.enabled`, 'true or false'], { location: `${at}.enabled` }))
  const start = parseTime(entry.start, `${at}.start`, p)
  const conns = isObj(entry.connections) ? entry.connections : {}
  const names = Object.keys(connections).join(', ') || '(none)'
  for (const side of ['source', 'target'] as const) {
    const c = conns[side]
    if (c !== undefined && (typeof c !== 'string' || !(c in connections))) {
      p.add(
        ConfigUnknownConnection([typeof c === 'string' ? c : JSON.stringify(c), names], {
          location: `${at}.connections.${side}`,
        }),
      )
    }
  }
  const reconcile = checkReconcile(entry.reconcile, `${at}.reconcile`, p)
  const processors = entry.processors
  if (
    processors !== undefined &&
    !(Array.isArray(processors) && processors.every((x) => typeof x === 'string' && x !== ''))
  ) {
    p.add(
      ConfigType([`${at}.processors`, 'a list of processor names (files in processors.dir)'], {
        location: `${at}.processors`,
      }),
    )
  }
  return {
    file: isAbsolute(entry.file) ? entry.file : resolve(baseDir, entry.file),
    enabled: entry.enabled !== false,
    ...(start === undefined ? {} : { start }),
    ...(typeof conns.source === 'string' ? { sourceConnection: conns.source } : {}),
    ...(typeof conns.target === 'string' ? { targetConnection: conns.target } : {}),
    ...(reconcile === undefined ? {} : { reconcile }),
    ...(Array.isArray(processors) && processors.length > 0 ? { processors: processors as string[] } : {}),
  }
}

/** `processors: { dir, timeoutMs }`: where custom processors live and their default time limit. */
function checkProcessors(raw: unknown, baseDir: string, p: Problems): FerryConfig['processors'] {
  if (raw === undefined) return undefined
  if (!isObj(raw) || typeof raw.dir !== 'string' || raw.dir === '') {
    p.add(ConfigType(['processors', 'an object {dir, timeoutMs?}'], { location: 'processors' }))
    return undefined
  }
  for (const k of Object.keys(raw))
    if (k !== 'dir' && k !== 'timeoutMs')
      p.add(ConfigUnknownKey([k, 'dir, timeoutMs'], { location: `processors.${k}` }))
  const t = raw.timeoutMs
  if (t !== undefined && !(Number.isInteger(t) && (t as number) > 0 && (t as number) <= 600_000)) {
    p.add(
      ConfigType(['processors.timeoutMs', 'a whole number of milliseconds from 1 to 600000'], {
        location: 'processors.timeoutMs',
      }),
    )
  }
  return { dir: isAbsolute(raw.dir) ? raw.dir : resolve(baseDir, raw.dir), timeoutMs: typeof t === 'number' ? t : 5000 }
}

/** `schemes[i].reconcile: { crontab, closedDays, repair }`: scheduled reconciliation of closed windows. */
function checkReconcile(raw: unknown, at: string, p: Problems): ReconcileSetting | undefined {
  if (raw === undefined) return undefined
  if (!isObj(raw)) {
    p.add(ConfigType([at, 'an object with crontab and closedDays'], { location: at }))
    return undefined
  }
  const keys = ['crontab', 'closedDays', 'repair']
  for (const k of Object.keys(raw))
    if (!keys.includes(k)) p.add(ConfigUnknownKey([k, keys.join(', ')], { location: `${at}.${k}` }))
  const { crontab, closedDays, repair } = raw
  let ok = true
  if (typeof crontab !== 'string' || crontab.trim() === '') {
    p.add(ConfigMissing([`${at}.crontab`], { location: `${at}.crontab` }))
    ok = false
  } else {
    const why = isValidCrontab(crontab)
    if (why !== undefined) {
      p.add(ConfigType([`${at}.crontab`, `a five-field crontab (${why})`], { location: `${at}.crontab` }))
      ok = false
    }
  }
  if (closedDays === undefined) {
    p.add(ConfigMissing([`${at}.closedDays`], { location: `${at}.closedDays` }))
    ok = false
  } else if (!(typeof closedDays === 'number' && closedDays > 0 && Number.isFinite(closedDays))) {
    p.add(ConfigType([`${at}.closedDays`, 'a positive number of days'], { location: `${at}.closedDays` }))
    ok = false
  }
  if (repair !== undefined && typeof repair !== 'boolean') {
    p.add(ConfigType([`${at}.repair`, 'true or false'], { location: `${at}.repair` }))
    ok = false
  }
  if (!ok) return undefined
  return { crontab: (crontab as string).trim(), closedDays: closedDays as number, repair: repair === true }
}

function checkEngine(raw: unknown, p: Problems): EngineSettings {
  const out = defaultEngineSettings()
  if (raw === undefined) return out
  if (!isObj(raw)) {
    p.add(ConfigType(['engine', 'an object'], { location: 'engine' }))
    return out
  }
  for (const [k, v] of Object.entries(raw)) {
    const at = `engine.${k}`
    if (k === 'retryLadder') {
      if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && x > 0))
        out.retryLadder = v as number[]
      else p.add(ConfigType([at, 'a non-empty list of positive seconds'], { location: at }))
    } else if (k === 'jitter') {
      if (typeof v === 'number' && v >= 0 && v <= 1) out.jitter = v
      else p.add(ConfigType([at, 'a number from 0 to 1'], { location: at }))
    } else if (k === 'leaseTtlSeconds' || k === 'batchSize') {
      if (Number.isInteger(v) && (v as number) > 0) out[k] = v as number
      else p.add(ConfigType([at, 'a positive integer'], { location: at }))
    } else p.add(ConfigUnknownKey([k, 'retryLadder, jitter, leaseTtlSeconds, batchSize'], { location: at }))
  }
  return out
}

/**
 * Validate a parsed configuration document. Throws ERR_CONFIG_INVALID whose `details.problems`
 * lists every problem; never returns a half-valid configuration.
 */
export function validateConfig(
  doc: unknown,
  opts: {
    file?: string
    baseDir: string
    env: Env
    connectors?: readonly ConnectorInfo[]
    connectionEnv?: 'required' | 'deferred'
  },
): FerryConfig {
  const p = new Problems(opts.connectionEnv === 'deferred')
  const raw = interpolate(doc ?? {}, opts.env, '', p)
  if (!isObj(raw)) {
    p.add(ConfigType(['the configuration', 'a mapping of database, connections, schemes'], { location: '$' }))
    throw fail(p, opts.file)
  }
  for (const k of Object.keys(raw))
    if (!TOP_KEYS.includes(k)) p.add(ConfigUnknownKey([k, TOP_KEYS.join(', ')], { location: k }))

  const db = isObj(raw.database) ? raw.database : {}
  if (raw.database !== undefined && !isObj(raw.database))
    p.add(ConfigType(['database', 'an object with url'], { location: 'database' }))
  const url = opts.env.FERRY_DATABASE_URL ?? (typeof db.url === 'string' ? db.url : 'sqlite:./data/ferry.db')
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url))
    p.add(ConfigType(['database.url', 'sqlite:<path> or postgres://…'], { location: 'database.url' }))
  const sqliteUrl =
    url.startsWith('sqlite:') && !url.startsWith('sqlite::memory:') && !isAbsolute(url.slice(7))
      ? `sqlite:${resolve(opts.baseDir, url.slice(7))}`
      : url

  const mk = isObj(raw.masterKey) ? raw.masterKey : {}
  const keyFile = opts.env.FERRY_MASTER_KEY_FILE ?? (typeof mk.file === 'string' ? mk.file : './data/master.key')
  const envValue = opts.env.FERRY_MASTER_KEY

  const connections: Record<string, ConnectionConfig> = {}
  if (raw.connections !== undefined && !isObj(raw.connections))
    p.add(ConfigType(['connections', 'a mapping of name → connection'], { location: 'connections' }))
  for (const [name, c] of Object.entries(isObj(raw.connections) ? raw.connections : {})) {
    const cc = checkConnection(name, c, opts.env, opts.connectors, p)
    if (cc !== undefined) connections[name] = cc
  }
  const schemes: SchemeEntry[] = []
  if (raw.schemes !== undefined && !Array.isArray(raw.schemes))
    p.add(ConfigType(['schemes', 'a list'], { location: 'schemes' }))
  ;(Array.isArray(raw.schemes) ? (raw.schemes as unknown[]) : []).forEach((s, i) => {
    const e = checkScheme(s, i, opts.baseDir, isObj(raw.connections) ? raw.connections : {}, p)
    if (e !== undefined) schemes.push(e)
  })
  const collections: Record<string, Record<string, unknown>[]> = {}
  for (const [name, c] of Object.entries(isObj(raw.collections) ? raw.collections : {})) {
    // A mapping {from: to} is the short form of rows [{key: from, value: to}].
    if (isObj(c)) collections[name] = Object.entries(c).map(([key, value]) => ({ key, value }))
    else if (Array.isArray(c) && c.every(isObj)) collections[name] = c
    else
      p.add(
        ConfigType([`collections.${name}`, 'a mapping of key → value or a list of objects'], {
          location: `collections.${name}`,
        }),
      )
  }
  const engine = checkEngine(raw.engine, p)
  const processors = checkProcessors(raw.processors, opts.baseDir, p)
  if (processors === undefined) {
    schemes.forEach((s, i) => {
      if (s.processors !== undefined) p.add(ConfigMissing(['processors.dir'], { location: `schemes[${i}].processors` }))
    })
  }
  for (const e of alertsProblems(raw.alerts)) p.add(e)
  const queue = checkQueue(raw.queue, (e) => {
    p.add(e)
  })
  if (p.list.length > 0) throw fail(p, opts.file)
  return {
    file: opts.file,
    baseDir: opts.baseDir,
    database: { url: sqliteUrl },
    masterKey: {
      file: isAbsolute(keyFile) ? keyFile : resolve(opts.baseDir, keyFile),
      ...(envValue === undefined ? {} : { envValue }),
    },
    connections,
    schemes,
    collections,
    engine,
    ...(processors === undefined ? {} : { processors }),
    ...(raw.alerts === undefined ? {} : { alerts: raw.alerts }),
    ...(queue === undefined ? {} : { queue }),
  }
}

function fail(p: Problems, file: string | undefined): FerryError {
  return ConfigInvalid([p.list.length, file ?? '(embedded)'], { details: { problems: p.list.map((e) => e.toJSON()) } })
}

/** Read the file named by `--config` or `FERRY_CONFIG` and validate it. */
export function loadConfig(opts: LoadOptions): FerryConfig {
  const env = opts.env ?? process.env
  const path = opts.path ?? env.FERRY_CONFIG
  if (path === undefined || path === '') {
    throw ConfigInvalid([1, '(none)'], {
      details: {
        problems: [
          ConfigMissing(['a configuration file (--config or FERRY_CONFIG)'], { location: '--config' }).toJSON(),
        ],
      },
    })
  }
  const file = resolve(path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw ConfigRead([file, (e as NodeJS.ErrnoException).code ?? String(e)], { cause: e })
  }
  let doc: unknown
  try {
    doc = /\.json$/i.test(file) ? (JSON.parse(text) as unknown) : (parseYaml(text, { prettyErrors: true }) as unknown)
  } catch (e) {
    throw ConfigRead([file, e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e)], { cause: e })
  }
  return validateConfig(doc, {
    file,
    baseDir: dirname(file),
    env,
    ...(opts.connectors === undefined ? {} : { connectors: opts.connectors }),
    ...(opts.connectionEnv === undefined ? {} : { connectionEnv: opts.connectionEnv }),
  })
}

/** `CODE  path  message` lines for every problem of a configuration error. */
export function problemLines(e: FerryError): string[] {
  const problems = e.details.problems
  if (!Array.isArray(problems)) return [e.toLine()]
  return (problems as { code: string; location?: string; message: string }[]).map((x) =>
    [x.code, x.location ?? '-', x.message].join('  '),
  )
}
