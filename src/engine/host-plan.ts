/**
 * Planning a host's schemes: every enabled scheme file loaded and bound to its connections
 * (source, target, the target API's rules, the configured processors). The same binding checks a
 * version saved from the console before it is stored, and plans it when the host adopts it.
 */
import type { ApiRules } from '../connectors/contract.js'
import type { ConnectorRegistry } from '../connectors/registry.js'
import { toFerryError, type FerryError } from '../core/errors.js'
import {
  ConfigInvalid,
  ConfigReconcileWithoutTarget,
  ConfigSchemeFile,
  ConfigUnknownConnection,
} from '../config/errors.js'
import type { FerryConfig } from '../config/types.js'
import { compileScheme, loadCompiledScheme, validateScheme, type CompiledScheme } from '../scheme/index.js'
import type { ProcessorDefinition } from '../processors/define.js'
import { loadSchemeProcessors } from './processor-wiring.js'

export interface PlannedScheme {
  /** Index of the scheme's entry in `config.schemes` (locations of problems). */
  readonly index: number
  readonly entry: FerryConfig['schemes'][number]
  readonly compiled: CompiledScheme
  readonly source: string
  readonly target?: string
  readonly businessKeyField?: string
  readonly targetRules?: ApiRules
  readonly processors: readonly ProcessorDefinition[]
}

export interface SchemePlan {
  readonly schemes: readonly PlannedScheme[]
  readonly titles: Readonly<Record<string, string>>
}

/** Drop a trailing parenthetical: "ERP 商品 (master data …)" → "ERP 商品". */
function shortTitle(name: string): string {
  return name.replace(/\s*[(（][^)）]*[)）]\s*$/, '').trim() || name
}

/** Load every enabled scheme and bind it to its connections; throws ERR_CONFIG_INVALID listing every problem. */
export async function planSchemes(config: FerryConfig, registry: ConnectorRegistry): Promise<SchemePlan> {
  const problems: FerryError[] = []
  const loaded = []
  for (const [i, entry] of config.schemes.entries()) {
    if (!entry.enabled) continue
    try {
      const { compiled } = await loadCompiledScheme(entry.file)
      loaded.push({ i, entry, compiled })
    } catch (e) {
      const err = toFerryError(e)
      problems.push(ConfigSchemeFile([entry.file, err.toLine()], { location: `schemes[${i}].file` }))
    }
  }
  const titles: Record<string, string> = {}
  for (const l of loaded)
    if (l.compiled.scheme.target === undefined) titles[l.compiled.scheme.id] = shortTitle(l.compiled.scheme.name)

  const schemes: PlannedScheme[] = []
  for (const { i, compiled } of loaded) {
    const planned = await bindScheme(config, registry, i, compiled, problems)
    if (planned !== undefined) schemes.push(planned)
  }
  if (problems.length > 0) throw invalid(config, problems)
  return { schemes, titles }
}

function invalid(config: FerryConfig, problems: readonly FerryError[]): FerryError {
  return ConfigInvalid([problems.length, config.file ?? '(embedded)'], {
    details: { problems: problems.map((p) => p.toJSON()) },
  })
}

/**
 * Plan a definition (a version saved from the console) for the configuration entry `index` the
 * scheme was planned from; throws ERR_CONFIG_INVALID when it is not valid or does not bind (its
 * connector has no connection, its target API is unknown).
 */
export async function planDefinition(
  config: FerryConfig,
  registry: ConnectorRegistry,
  index: number,
  definition: unknown,
): Promise<PlannedScheme> {
  const r = validateScheme(definition)
  if (!r.ok || r.scheme === undefined) throw invalid(config, r.errors)
  const problems: FerryError[] = []
  const planned = await bindScheme(config, registry, index, compileScheme(r.scheme), problems)
  if (planned === undefined || problems.length > 0) throw invalid(config, problems)
  return planned
}

async function bindScheme(
  config: FerryConfig,
  registry: ConnectorRegistry,
  i: number,
  compiled: CompiledScheme,
  problems: FerryError[],
): Promise<PlannedScheme | undefined> {
  const entry = config.schemes[i]
  if (entry === undefined) {
    problems.push(
      ConfigSchemeFile([compiled.scheme.id, 'no enabled scheme entry has this id'], { location: 'schemes' }),
    )
    return undefined
  }
  const names = Object.keys(config.connections)
  const pick = (side: 'source' | 'target', explicit: string | undefined, connector: string): string | undefined => {
    const at = `schemes[${i}].connections.${side}`
    if (explicit !== undefined) {
      if (config.connections[explicit]?.connector !== connector) {
        problems.push(
          ConfigUnknownConnection([`${explicit} (a ${connector} connection)`, names.join(', ') || '(none)'], {
            location: at,
          }),
        )
        return undefined
      }
      return explicit
    }
    const fitting = names.filter((n) => config.connections[n]?.connector === connector)
    if (fitting.length === 1) return fitting[0]
    problems.push(
      ConfigUnknownConnection(
        [
          fitting.length === 0 ? `for connector ${connector}` : `choice among ${fitting.join(', ')}`,
          names.join(', ') || '(none)',
        ],
        { location: at },
      ),
    )
    return undefined
  }

  const s = compiled.scheme
  const src = pick('source', entry.sourceConnection ?? s.source.connection, s.source.connector)
  const tgt =
    s.target === undefined
      ? undefined
      : pick('target', entry.targetConnection ?? s.target.connection, s.target.connector)
  if (entry.reconcile !== undefined && s.target === undefined) {
    problems.push(ConfigReconcileWithoutTarget([s.id], { location: `schemes[${i}].reconcile` }))
  }
  if (src === undefined || (s.target !== undefined && tgt === undefined)) return undefined
  let businessKeyField: string | undefined
  let targetRules: ApiRules | undefined
  if (s.target !== undefined) {
    try {
      ;({ businessKey: businessKeyField, rules: targetRules } = registry.api(s.target.connector, s.target.metadata.api))
    } catch (e) {
      problems.push(ConfigSchemeFile([entry.file, toFerryError(e).message], { location: `schemes[${i}].file` }))
      return undefined
    }
  }
  const processors = await loadSchemeProcessors(entry.processors, config, i, problems)
  if (processors === undefined) return undefined
  return {
    index: i,
    entry,
    compiled,
    source: src,
    ...(tgt === undefined ? {} : { target: tgt }),
    ...(businessKeyField === undefined ? {} : { businessKeyField }),
    ...(targetRules === undefined ? {} : { targetRules }),
    processors,
  }
}
