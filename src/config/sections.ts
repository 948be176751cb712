/** The `engine` and `processors` sections: engine tuning over the shared defaults, processors dir. */
import { isAbsolute, resolve } from 'node:path'
import { defaultEngineSettings } from '../core/defaults.js'
import { ConfigType, ConfigUnknownKey } from './errors.js'
import { isObj, type Problems } from './problems.js'
import type { EngineSettings, FerryConfig } from './types.js'

export function checkEngine(raw: unknown, p: Problems): EngineSettings {
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

/** `processors: { dir, timeoutMs }`: where custom processors live and their default time limit. */
export function checkProcessors(raw: unknown, baseDir: string, p: Problems): FerryConfig['processors'] {
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
