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
import { checkQueue } from './queue.js'
import { checkConnection } from './connections.js'
import { ConfigEnvMissing, ConfigInvalid, ConfigMissing, ConfigRead, ConfigType, ConfigUnknownKey } from './errors.js'
import { isObj, Problems, type Env } from './problems.js'
import { checkScheme } from './schemes.js'
import { checkEngine, checkProcessors } from './sections.js'
import type { ConnectionConfig, ConnectorInfo, FerryConfig, SchemeEntry } from './types.js'

export type { Env } from './problems.js'

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
