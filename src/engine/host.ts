/**
 * The composition root for a running Ferry: from a validated configuration it opens the store,
 * the connectors and the schemes, and hands out EngineDeps for runs, the scheduler and the CLI.
 * Every problem found while wiring (a scheme that does not load, a connection that does not
 * exist) is collected and reported together before anything runs.
 */
import {
  callObserverFor,
  type ApiRules,
  type ConnectorCallObserver,
  type ConnectorDefinition,
  type ConnectorRuntime,
  type SourceRuntime,
  type TargetRuntime,
} from '../connectors/contract.js'
import { budgetKeyFor } from '../connectors/budget.js'
import { HostBudgets, type BudgetReport } from './host-budgets.js'
import { openBudgetBackend } from '../connectors/budget-backend.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { createRegistry, resolveConnectionConfig, type ConnectorRegistry } from '../connectors/registry.js'
import { isFerryError, toFerryError, type FerryError } from '../core/errors.js'
import {
  ConfigEnvMissing,
  ConfigInvalid,
  ConfigReconcileWithoutTarget,
  ConfigSchemeFile,
  ConfigUnknownConnection,
} from '../config/errors.js'
import type { FerryConfig, ReconcileSetting } from '../config/types.js'
import { loadCompiledScheme } from '../scheme/index.js'
import { openStore, type Store } from '../store/index.js'
import { storePorts } from './adapters/store-ports.js'
import { engineScheme } from './adapters/scheme.js'
import { loadSchemeProcessors, wrapSchemeProcessors } from './processor-wiring.js'
import type { ProcessorDefinition } from '../processors/define.js'
import { UnknownScheme } from './errors.js'
import { LookupCache } from './lookup-cache.js'
import type { Clock, ConnectionResolver, EngineLogger, EnginePorts, EngineScheme } from './ports.js'
import { systemClock } from './ports.js'
import { defaultRetryPolicy } from './retry.js'
import type { EngineDeps, RunObserver } from './run.js'

export interface HostOptions {
  readonly log: EngineLogger
  readonly clock?: Clock
  readonly connectors?: readonly ConnectorDefinition[]
  /** Hears every connector call, budget wait and throttle (metrics): the connectors' CallObserver hook. */
  readonly calls?: ConnectorCallObserver
  /** Watches every run (the service's live progress and metrics). */
  readonly observer?: RunObserver
}

export interface Host {
  readonly config: FerryConfig
  readonly store: Store
  readonly ports: EnginePorts
  readonly registry: ConnectorRegistry
  /** Loaded schemes in configuration order (enabled ones only). */
  readonly schemes: readonly EngineScheme[]
  /** Scheduled reconciliation settings by scheme id (config `schemes[i].reconcile`). */
  readonly reconcile: ReadonlyMap<string, ReconcileSetting>
  readonly deps: EngineDeps
  scheme(idOrName: string): EngineScheme
  /** Each credential budget opened so far: effective limits, learned caps, throttle answers. */
  budgets(): BudgetReport[]
  /** Keeps what the budgets learned in the store, then closes connectors and store. */
  close(): Promise<void>
}

/** Drop a trailing parenthetical: "ERP 商品 (master data …)" → "ERP 商品". */
function shortTitle(name: string): string {
  return name.replace(/\s*[(（][^)）]*[)）]\s*$/, '').trim() || name
}

export async function openHost(config: FerryConfig, opts: HostOptions): Promise<Host> {
  const registry = createRegistry(opts.connectors ?? BUILTIN_CONNECTORS)
  // Every scheme is loaded and checked before the store is opened: an invalid configuration
  // stops start-up before anything (not even a migration) is written to the database.
  const plan = await planSchemes(config, registry)
  // One clock: every time the store stamps (upserts, claims, marks, leases) is the engine's.
  const clock = opts.clock ?? systemClock
  const store = await openStore({
    now: () => clock.now().getTime(),
    url: config.database.url,
    masterKeyFile: config.masterKey.file,
    ...(config.masterKey.envValue === undefined ? {} : { masterKeyEnv: config.masterKey.envValue }),
  })
  try {
    return await wire(config, opts, registry, store, plan)
  } catch (e) {
    await store.close()
    throw e
  }
}

interface PlannedScheme {
  readonly entry: FerryConfig['schemes'][number]
  readonly compiled: Awaited<ReturnType<typeof loadCompiledScheme>>['compiled']
  readonly source: string
  readonly target?: string
  readonly businessKeyField?: string
  readonly targetRules?: ApiRules
  readonly processors: readonly ProcessorDefinition[]
}

interface SchemePlan {
  readonly schemes: readonly PlannedScheme[]
  readonly titles: Readonly<Record<string, string>>
}

/** Load every enabled scheme and bind it to its connections; throws ERR_CONFIG_INVALID listing every problem. */
async function planSchemes(config: FerryConfig, registry: ConnectorRegistry): Promise<SchemePlan> {
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

  const names = Object.keys(config.connections)
  const pick = (
    i: number,
    side: 'source' | 'target',
    explicit: string | undefined,
    connector: string,
  ): string | undefined => {
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

  const schemes: PlannedScheme[] = []
  for (const { i, entry, compiled } of loaded) {
    const s = compiled.scheme
    const src = pick(i, 'source', entry.sourceConnection ?? s.source.connection, s.source.connector)
    const tgt =
      s.target === undefined
        ? undefined
        : pick(i, 'target', entry.targetConnection ?? s.target.connection, s.target.connector)
    if (entry.reconcile !== undefined && s.target === undefined) {
      problems.push(ConfigReconcileWithoutTarget([s.id], { location: `schemes[${i}].reconcile` }))
    }
    if (src === undefined || (s.target !== undefined && tgt === undefined)) continue
    let businessKeyField: string | undefined
    let targetRules: ApiRules | undefined
    if (s.target !== undefined) {
      try {
        ;({ businessKey: businessKeyField, rules: targetRules } = registry.api(
          s.target.connector,
          s.target.metadata.api,
        ))
      } catch (e) {
        problems.push(ConfigSchemeFile([entry.file, toFerryError(e).message], { location: `schemes[${i}].file` }))
        continue
      }
    }
    const processors = await loadSchemeProcessors(entry.processors, config, i, problems)
    if (processors === undefined) continue
    schemes.push({
      entry,
      compiled,
      source: src,
      ...(tgt === undefined ? {} : { target: tgt }),
      ...(businessKeyField === undefined ? {} : { businessKeyField }),
      ...(targetRules === undefined ? {} : { targetRules }),
      processors,
    })
  }
  if (problems.length > 0) {
    throw ConfigInvalid([problems.length, config.file ?? '(embedded)'], {
      details: { problems: problems.map((p) => p.toJSON()) },
    })
  }
  return { schemes, titles }
}

async function wire(
  config: FerryConfig,
  opts: HostOptions,
  registry: ConnectorRegistry,
  store: Store,
  plan: SchemePlan,
): Promise<Host> {
  for (const [name, rows] of Object.entries(config.collections)) await store.collections.putStatic(name, rows)
  // Lookups go through a cache the ports below keep honest: cleared at every run start, a
  // collection's answers dropped when its scheme stores records, misses dropped at every claimed
  // target batch (so re-synced master data is seen by the next batch, run or retry).
  const lookups = new LookupCache({
    find: (q) =>
      store.find({
        collection: q.collection,
        field: q.field,
        where: Object.fromEntries(
          Object.entries(q.where).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
        ),
      }),
  })
  const names = Object.keys(config.connections)
  const schemes: EngineScheme[] = []
  const reconcile = new Map<string, ReconcileSetting>()
  for (const { entry, compiled, source, target, businessKeyField, targetRules, processors } of plan.schemes) {
    const s = compiled.scheme
    await store.schemes.save(s.id, JSON.stringify(s), { name: s.name })
    if (entry.reconcile !== undefined) reconcile.set(s.id, entry.reconcile)
    const plain = engineScheme(compiled, {
      sourceConnection: source,
      lookups,
      collectionTitles: plan.titles,
      ...(target === undefined ? {} : { targetConnection: target }),
      ...(entry.start === undefined ? {} : { start: entry.start }),
      ...(businessKeyField === undefined ? {} : { businessKeyField }),
      ...(targetRules === undefined ? {} : { targetRules }),
    })
    schemes.push(wrapSchemeProcessors(plain, compiled, processors, config, opts.log))
  }

  // With queue.redisUrl every worker process shares each credential's budget through Redis.
  const budgets = new HostBudgets(
    store,
    opts.log,
    await openBudgetBackend(
      config.queue?.redisUrl,
      config.queue === undefined ? {} : { prefix: `${config.queue.prefix}:` },
    ),
  )
  const opened = new Map<string, Promise<ConnectorRuntime>>()
  const runtime = (name: string): Promise<ConnectorRuntime> => {
    let r = opened.get(name)
    if (r === undefined) {
      const conn = config.connections[name]
      if (conn === undefined) return Promise.reject(ConfigUnknownConnection([name, names.join(', ')]))
      // Loaded for a command that needs no vendor: its unset secrets surface only if it is opened after all.
      const unset = conn.unsetEnv?.[0]
      if (unset !== undefined)
        return Promise.reject(ConfigEnvMissing([unset], { location: `connections.${name}.settings` }))
      const def = registry.get(conn.connector)
      const cfg = resolveConnectionConfig(def, conn.settings)
      r = budgets.forConnection(def, budgetKeyFor(def, cfg, name), name, conn).then((budget) =>
        def.open({
          connectionId: name,
          config: cfg,
          credentials: store.credentials,
          budget,
          inFlight: connections.inFlight(name),
          log: opts.log,
          ...(opts.calls === undefined ? {} : { observer: callObserverFor(def.name, [opts.calls]) }),
          now: () => (opts.clock ?? systemClock).now(),
        }),
      )
      opened.set(name, r)
    }
    return r
  }
  const connections: ConnectionResolver = {
    async source(name): Promise<SourceRuntime> {
      const rt = await runtime(name)
      if (rt.source === undefined) throw ConfigUnknownConnection([`${name} (it cannot be a source)`, names.join(', ')])
      return rt.source
    },
    async target(name): Promise<TargetRuntime> {
      const rt = await runtime(name)
      if (rt.target === undefined) throw ConfigUnknownConnection([`${name} (it cannot be a target)`, names.join(', ')])
      return rt.target
    },
    inFlight(name) {
      const conn = config.connections[name]
      return conn?.budget?.inFlight ?? (conn === undefined ? 1 : (registry.get(conn.connector).budget.inFlight ?? 2))
    },
    budgetUsage: (names) => budgets.usage(names),
  }
  const ports = storePorts(store)
  const deps: EngineDeps = {
    ports,
    connections,
    clock: opts.clock ?? systemClock,
    log: opts.log,
    retry: { ...defaultRetryPolicy, ladder: config.engine.retryLadder, jitter: config.engine.jitter },
    leaseTtlMs: config.engine.leaseTtlSeconds * 1000,
    batchSize: config.engine.batchSize,
    lookups,
    ...(opts.observer === undefined ? {} : { observer: opts.observer }),
  }
  return {
    config,
    store,
    ports,
    registry,
    schemes,
    reconcile,
    deps,
    scheme(idOrName) {
      const s = schemes.find((x) => x.id === idOrName) ?? schemes.find((x) => x.name === idOrName)
      if (s === undefined) throw UnknownScheme([idOrName, schemes.map((x) => x.id).join(', ') || '(none)'])
      return s
    },
    budgets: () => budgets.report(),
    async close() {
      await budgets.save()
      for (const r of opened.values()) {
        try {
          await (await r).close()
        } catch (e) {
          if (!isFerryError(e)) opts.log.warn({ err: String(e) }, 'connector close failed')
        }
      }
      await budgets.close()
      await store.close()
    },
  }
}
