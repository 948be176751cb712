/** `connections.<name>`: the connector, its settings (overridable from the environment) and budget. */
import { settingHasType } from '../connectors/registry.js'
import { ConfigMissing, ConfigType, ConfigUnknownConnector, ConfigUnknownKey } from './errors.js'
import { isObj, type Env, type Problems } from './problems.js'
import type { ConnectionConfig, ConnectorInfo } from './types.js'

export function checkConnection(
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
      if (!settingHasType(field, v))
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
