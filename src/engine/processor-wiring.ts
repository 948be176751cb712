/**
 * Host wiring of custom processors: the modules a scheme entry names are loaded while the config is
 * planned (before the store opens, so a missing or broken processor stops start-up with every other
 * problem and nothing is written), and wrapped around the scheme once it is built.
 */
import { FerryError, toFerryError } from '../core/errors.js'
import type { FerryConfig } from '../config/types.js'
import { loadProcessors } from '../processors/loader.js'
import type { ProcessorDefinition } from '../processors/define.js'
import type { CompiledScheme } from '../scheme/index.js'
import type { EngineLogger, EngineScheme } from './ports.js'
import { withProcessors } from './processors.js'

/** The processors of one scheme entry; undefined (with the problem pushed) when one cannot be loaded. */
export async function loadSchemeProcessors(
  names: readonly string[] | undefined,
  config: FerryConfig,
  i: number,
  problems: FerryError[],
): Promise<readonly ProcessorDefinition[] | undefined> {
  if (names === undefined || names.length === 0 || config.processors === undefined) return []
  try {
    return await loadProcessors(config.processors.dir, names)
  } catch (e) {
    const err = toFerryError(e)
    problems.push(
      new FerryError(err.code, err.kind, err.message, {
        location: `schemes[${i}].processors`,
        cause: e,
        details: err.details,
      }),
    )
    return undefined
  }
}

export function wrapSchemeProcessors(
  scheme: EngineScheme,
  compiled: CompiledScheme,
  list: readonly ProcessorDefinition[],
  config: FerryConfig,
  log: EngineLogger,
): EngineScheme {
  if (list.length === 0) return scheme
  const meta = compiled.scheme.source.metadata
  log.info({ scheme: scheme.id, processors: list.map((p) => p.name) }, 'custom processors loaded')
  return withProcessors(scheme, list, {
    log,
    timeoutMs: config.processors?.timeoutMs,
    idField: meta.id ?? 'id',
    numberField: meta.number ?? meta.id ?? 'id',
  })
}
