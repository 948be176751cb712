/** `schemes[i]`: the scheme file, its start, connections, processors and reconciliation schedule. */
import { isAbsolute, resolve } from 'node:path'
import { isValidCrontab } from '../scheme/crontab.js'
import { ConfigMissing, ConfigType, ConfigUnknownConnection, ConfigUnknownKey } from './errors.js'
import { isObj, type Problems } from './problems.js'
import type { ReconcileSetting, SchemeEntry } from './types.js'

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

export function checkScheme(
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
