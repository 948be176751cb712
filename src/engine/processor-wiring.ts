/**
 * Host wiring of custom processors: load the modules a scheme entry names (at start, so a missing
 * or broken processor stops start-up with every other problem) and wrap the scheme.
 */
import { FerryError, toFerryError } from '../core/errors.js'
import type { FerryConfig } from '../config/types.js'
import { loadProcessors } from '../processors/loader.js'
import type { CompiledScheme } from '../scheme/index.js'
import type { EngineLogger, EngineScheme } from './ports.js'
import { withProcessors } from './processors.js'

export async function schemeProcessors(scheme: EngineScheme, compiled: CompiledScheme, names: readonly string[] | undefined,
  config: FerryConfig, log: EngineLogger, i: number, problems: FerryError[]): Promise<EngineScheme | undefined> {
  if (names === undefined || names.length === 0 || config.processors === undefined) return scheme
  try {
    const list = await loadProcessors(config.processors.dir, names)
    const meta = compiled.scheme.source.metadata
    log.info({ scheme: scheme.id, processors: list.map((p) => p.name) }, 'custom processors loaded')
    return withProcessors(scheme, list, { log, timeoutMs: config.processors.timeoutMs, idField: meta.id ?? 'id', numberField: meta.number ?? meta.id ?? 'id' })
  } catch (e) {
    const err = toFerryError(e)
    problems.push(new FerryError(err.code, err.kind, err.message, { location: `schemes[${i}].processors`, cause: e, details: err.details }))
    return undefined
  }
}
