/**
 * Preview of a scheme file against a stub source: the documents come from a JSON file instead of
 * the connector, lookups from in-memory collections. It runs the same path as `ferry preview` on a
 * configured scheme (condition, beatFlat, plan, mapping, data-quality checks) and needs no
 * configuration, store or connector, so a scheme for a system Ferry has no connector for can be
 * checked end to end before it is wired.
 */
import type { ConnectorDefinition, Page, SourceRuntime, TargetRuntime } from '../connectors/contract.js'
import { arrayLookupProvider } from '../expr/memory-lookup.js'
import { loadCompiledScheme } from '../scheme/index.js'
import { engineScheme } from './adapters/scheme.js'
import { StubTargetUsed } from './errors.js'
import type { Clock, ConnectionResolver, EnginePorts } from './ports.js'
import { previewScheme, type PreviewItem } from './preview.js'

export interface InputPreviewOptions {
  readonly docs: readonly Record<string, unknown>[]
  /** Collections `_findCollection` reads: collection id → rows. */
  readonly collections?: Readonly<Record<string, readonly Record<string, unknown>[]>>
  readonly limit: number
  readonly clock: Clock
  /**
   * The connectors Ferry knows: when the scheme's target connector is one of them, its api
   * declaration gives the business key and the data-quality rules, as in a configured run.
   */
  readonly connectors?: readonly ConnectorDefinition[]
}

function stubSource(docs: readonly Record<string, unknown>[]): SourceRuntime {
  return {
    planWindows: (_api, from, to) => [{ start: from, end: to }],
    read: async function* (): AsyncIterable<Page> {
      await Promise.resolve()
      yield { rows: docs, pageIndex: 1, hasNext: false }
    },
  }
}

/** Preview never writes; a target call would be a bug, so the stub target refuses loudly. */
const refusingTarget: TargetRuntime = {
  write: () => Promise.reject(StubTargetUsed(['write'])),
  probe: () => Promise.reject(StubTargetUsed(['probe'])),
}

export async function previewSchemeFile(
  file: string,
  o: InputPreviewOptions,
): Promise<{ items: PreviewItem[]; schemeId: string }> {
  const { compiled } = await loadCompiledScheme(file)
  const t = compiled.scheme.target
  const api =
    t === undefined
      ? undefined
      : o.connectors?.find((c) => c.name === t.connector)?.apis.find((a) => a.api === t.metadata.api)
  const scheme = engineScheme(compiled, {
    ...(api?.businessKey === undefined ? {} : { businessKeyField: api.businessKey }),
    ...(api?.rules === undefined ? {} : { targetRules: api.rules }),
    sourceConnection: 'input',
    targetConnection: 'input',
    start: new Date(0),
    lookups: arrayLookupProvider(o.collections ?? {}),
  })
  const connections: ConnectionResolver = {
    source: () => Promise.resolve(stubSource(o.docs)),
    target: () => Promise.resolve(refusingTarget),
    inFlight: () => 1,
  }
  // With an explicit range the preview reads no cursor, so it needs no store.
  const noStore = {} as EnginePorts
  const items = await previewScheme({ ports: noStore, connections, clock: o.clock }, scheme, {
    limit: o.limit,
    from: new Date(0),
    to: o.clock.now(),
  })
  return { items, schemeId: scheme.id }
}
