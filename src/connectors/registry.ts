/**
 * The explicit list of connectors the engine knows. There is no side-effect registration: the
 * composition root calls `createRegistry(BUILTIN_CONNECTORS)` (builtin.ts, one line per
 * connector), and a test can build a registry holding only a fake connector. Every declaration is checked when the registry is
 * built, so a broken connector stops Ferry at start with a coded error, not at 3 a.m. in a run.
 */
import type { ApiDeclaration, ConfigField, ConnectorDefinition } from './contract.js'
import {
  ConnectionConfigInvalid,
  ConnectorApiUnknown,
  ConnectorDuplicate,
  ConnectorInvalid,
  ConnectorNotFound,
} from './errors.js'

export interface ConnectorRegistry {
  /** The connector with this name; throws ERR_CONNECTOR_NOT_FOUND otherwise. */
  get(name: string): ConnectorDefinition
  has(name: string): boolean
  /** Declarations in registration order. */
  list(): readonly ConnectorDefinition[]
  /** The api declaration; throws ERR_CONNECTOR_API_UNKNOWN when the connector does not offer it. */
  api(connector: string, api: string): ApiDeclaration
}

const NAME = /^[a-z][a-z0-9-]{1,39}$/
const FIELD_TYPES: readonly ConfigField['type'][] = ['string', 'url', 'secret', 'number', 'boolean']
const OUTCOMES = ['ok', 'already_exists', 'rate_limited', 'transient', 'data', 'config', 'unknown_outcome']

/** Build a registry; throws ERR_CONNECTOR_DUPLICATE or ERR_CONNECTOR_INVALID on the first problem. */
export function createRegistry(list: readonly ConnectorDefinition[]): ConnectorRegistry {
  const byName = new Map<string, ConnectorDefinition>()
  list.forEach((def, i) => {
    validateDefinition(def, `connectors[${i}]`)
    if (byName.has(def.name)) throw ConnectorDuplicate([def.name], { location: `connectors[${i}].name` })
    byName.set(def.name, def)
  })
  const known = () => [...byName.keys()].join(', ') || '(none)'
  const get = (name: string): ConnectorDefinition => {
    const def = byName.get(name)
    if (def === undefined) throw ConnectorNotFound([name, known()])
    return def
  }
  return {
    get,
    has: (name) => byName.has(name),
    list: () => [...byName.values()],
    api(connector, api) {
      const def = get(connector)
      const found = def.apis.find((a) => a.api === api)
      if (found === undefined) throw ConnectorApiUnknown([connector, api, def.apis.map((a) => a.api).join(', ')])
      return found
    },
  }
}

/** Check one declaration against the contract; `at` prefixes the JSON path in the error. */
export function validateDefinition(def: ConnectorDefinition, at = 'connector'): void {
  const name = typeof def?.name === 'string' ? def.name : '?'
  const fail = (path: string, problem: string): never => {
    throw ConnectorInvalid([name, problem], { location: `${at}${path}` })
  }
  if (typeof def !== 'object' || def === null) return fail('', 'declaration is not an object')
  if (typeof def.name !== 'string' || !NAME.test(def.name)) {
    fail('.name', 'name must be 2-40 characters of lowercase letters, digits and "-", starting with a letter')
  }
  if (typeof def.title !== 'string' || def.title.trim() === '') fail('.title', 'title is required')
  if (!Number.isInteger(def.version) || def.version < 1) fail('.version', 'version must be a positive integer')
  if (typeof def.open !== 'function') fail('.open', 'open(ctx) must be a function')
  if (typeof def.config !== 'object' || def.config === null) fail('.config', 'config spec is required')
  for (const [key, field] of Object.entries(def.config)) {
    if (!FIELD_TYPES.includes(field?.type)) fail(`.config.${key}.type`, `type must be one of ${FIELD_TYPES.join(', ')}`)
    if (field.type === 'secret' && field.default !== undefined) {
      fail(`.config.${key}.default`, 'a secret field cannot have a default value')
    }
  }
  if (!Array.isArray(def.apis) || def.apis.length === 0) fail('.apis', 'a connector must offer at least one api')
  const seen = new Set<string>()
  def.apis.forEach((a, i) => {
    if (typeof a.api !== 'string' || a.api === '') fail(`.apis[${i}].api`, 'api name is required')
    if (seen.has(a.api)) fail(`.apis[${i}].api`, `api "${a.api}" is declared twice`)
    seen.add(a.api)
    if (a.effect !== 'QUERY' && a.effect !== 'EXECUTE') fail(`.apis[${i}].effect`, 'effect must be QUERY or EXECUTE')
    if (a.effect === 'EXECUTE' && (typeof a.businessKey !== 'string' || a.businessKey === ''))
      fail(`.apis[${i}].businessKey`, 'an EXECUTE api must name its business key field')
    for (const k of ['required', 'positive'] as const) {
      const paths = a.rules?.[k]
      if (paths !== undefined && !(Array.isArray(paths) && paths.every((x) => typeof x === 'string' && x !== '')))
        fail(`.apis[${i}].rules.${k}`, `rules.${k} must be a list of payload paths`)
    }
  })
  if (!Array.isArray(def.errorCatalogue)) fail('.errorCatalogue', 'errorCatalogue must be an array')
  def.errorCatalogue.forEach((e, i) => {
    if (!OUTCOMES.includes(e.outcome))
      fail(`.errorCatalogue[${i}].outcome`, `outcome must be one of ${OUTCOMES.join(', ')}`)
    if (e.outcome === 'rate_limited' && !(typeof e.waitMs === 'number' && e.waitMs > 0)) {
      fail(`.errorCatalogue[${i}].waitMs`, 'a rate_limited entry needs a positive waitMs')
    }
  })
  for (const k of ['perSecond', 'perMinute', 'inFlight'] as const) {
    const v = def.budget?.[k]
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) fail(`.budget.${k}`, `${k} must be a positive integer`)
  }
}

/**
 * Check a connection configuration against the connector's config spec and apply defaults.
 * Errors name the field (`config.appKey`) but never echo a value, since it may be a secret.
 */
export function resolveConnectionConfig(
  def: ConnectorDefinition,
  config: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...config }
  for (const [key, field] of Object.entries(def.config)) {
    let v = config[key]
    if (v === undefined || v === '') {
      if (field.default !== undefined) v = field.default
      else if (field.required === true) {
        throw ConnectionConfigInvalid([def.name, `"${key}" is required`], { location: `config.${key}` })
      } else continue
      out[key] = v
    }
    if (!settingHasType(field, v)) {
      throw ConnectionConfigInvalid(
        [def.name, `"${key}" must be a ${field.type === 'url' ? 'http(s) URL' : field.type}`],
        { location: `config.${key}` },
      )
    }
  }
  return Object.freeze(out)
}

/**
 * Whether a connection setting's value has its field's type (a `url` is an http(s) URL that
 * `new URL` parses). One check for the configuration file (config/connections.ts) and for opening
 * a connection here, so the file is refused for exactly what the connection would refuse.
 */
export function settingHasType(field: Pick<ConfigField, 'type'>, v: unknown): boolean {
  switch (field.type) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
    case 'boolean':
      return typeof v === 'boolean'
    case 'url':
      return typeof v === 'string' && isHttpUrl(v)
    case 'string':
    case 'secret':
      return typeof v === 'string'
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Names of the config fields declared as secrets, for redaction of logs and errors. */
export function secretFields(def: ConnectorDefinition): string[] {
  return Object.entries(def.config)
    .filter(([, f]) => f.type === 'secret')
    .map(([k]) => k)
}
