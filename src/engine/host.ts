/**
 * The composition root for a running Ferry: from a validated configuration it opens the store,
 * the connectors and the schemes, and hands out EngineDeps for runs, the scheduler and the CLI.
 * Every problem found while wiring (a scheme that does not load, a connection that does not
 * exist) is collected and reported together before anything runs.
 */
import {
  callObserverFor,
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
import { isFerryError, toFerryError } from '../core/errors.js'
import { ConfigEnvMissing, ConfigUnknownConnection } from '../config/errors.js'
import type { FerryConfig, ReconcileSetting } from '../config/types.js'
import { openStore, type Store } from '../store/index.js'
import { engineScheme } from './adapters/scheme.js'
import { planDefinition, planSchemes, type PlannedScheme, type SchemePlan } from './host-plan.js'
import { wrapSchemeProcessors } from './processor-wiring.js'
import { importSchemeFile, type RunningVersion } from './scheme-import.js'
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
  /** The stored version a scheme runs, and why (the start rule of docs/api.md, or a console save). */
  running(schemeId: string): RunningVersion
  /**
   * Check that a definition would run for the scheme (valid, and bound to the configured
   * connections) without changing anything; throws ERR_CONFIG_INVALID listing the problems.
   */
  check(schemeId: string, definition: unknown): Promise<void>
  /**
   * Run the scheme's newest stored version from the next run on (a run in progress keeps the
   * definition it started with); `changed` is false when it already runs. Listeners of
   * onSchemeChange (the scheduler) hear the new definition.
   */
  adoptStored(schemeId: string, reason: string): Promise<{ scheme: EngineScheme; version: number; changed: boolean }>
  /** Hear every scheme whose definition the host swapped; returns the unsubscribe. */
  onSchemeChange(listener: (scheme: EngineScheme) => void): () => void
  /** Each credential budget opened so far: effective limits, learned caps, throttle answers. */
  budgets(): BudgetReport[]
  /** Keeps what the budgets learned in the store, then closes connectors and store. */
  close(): Promise<void>
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
  const reconcile = new Map<string, ReconcileSetting>()
  const build = (p: PlannedScheme): EngineScheme =>
    wrapSchemeProcessors(
      engineScheme(p.compiled, {
        sourceConnection: p.source,
        lookups,
        collectionTitles: plan.titles,
        ...(p.target === undefined ? {} : { targetConnection: p.target }),
        ...(p.entry.start === undefined ? {} : { start: p.entry.start }),
        ...(p.businessKeyField === undefined ? {} : { businessKeyField: p.businessKeyField }),
        ...(p.targetRules === undefined ? {} : { targetRules: p.targetRules }),
      }),
      p.compiled,
      p.processors,
      config,
      opts.log,
    )
  // In configuration order; an adopted version replaces its scheme in place.
  const schemes: EngineScheme[] = []
  const planned = new Map<string, { plan: PlannedScheme; running: RunningVersion }>()
  for (const p of plan.schemes) {
    const s = p.compiled.scheme
    if (p.entry.reconcile !== undefined) reconcile.set(s.id, p.entry.reconcile)
    const imported = await importSchemeFile(store, s, p.entry.file, opts.log)
    // A newer version saved from the console runs instead of the unchanged file. It was checked
    // when saved; a configuration changed since (a connection removed) stops start-up here.
    const use =
      imported.rawJson === undefined ? p : await planDefinition(config, registry, p.index, JSON.parse(imported.rawJson))
    const { rawJson: _raw, ...running } = imported
    planned.set(s.id, { plan: use, running })
    schemes.push(build(use))
  }
  const listeners = new Set<(scheme: EngineScheme) => void>()
  const find = (idOrName: string): EngineScheme => {
    const s = schemes.find((x) => x.id === idOrName) ?? schemes.find((x) => x.name === idOrName)
    if (s === undefined) throw UnknownScheme([idOrName, schemes.map((x) => x.id).join(', ') || '(none)'])
    return s
  }
  // One swap at a time: two saves in quick succession end with the newest version running.
  let swaps: Promise<unknown> = Promise.resolve()
  const adoptStored = async (schemeId: string, reason: string) => {
    const id = find(schemeId).id
    const at = planned.get(id)
    if (at === undefined) throw UnknownScheme([schemeId, schemes.map((x) => x.id).join(', ')])
    const cur = schemes.findIndex((x) => x.id === id)
    const newest = (await store.schemes.get(id))?.currentVersion
    if (newest === undefined || newest === at.running.version)
      return { scheme: schemes[cur] ?? find(id), version: at.running.version, changed: false }
    const v = await store.schemes.getVersion(id, newest)
    const next = await planDefinition(config, registry, at.plan.index, JSON.parse(v.rawJson))
    const scheme = build(next)
    schemes[cur] = scheme
    planned.set(id, { plan: next, running: { version: v.version, from: 'store', reason } })
    opts.log.info({ scheme: id, version: v.version, from: 'store', reason }, 'scheme version running')
    for (const l of listeners) l(scheme)
    return { scheme, version: v.version, changed: true }
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
  const ports: EnginePorts = store
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
    scheme: find,
    running(schemeId) {
      const at = planned.get(find(schemeId).id)
      if (at === undefined) throw UnknownScheme([schemeId, schemes.map((x) => x.id).join(', ')])
      return at.running
    },
    async check(schemeId, definition) {
      const at = planned.get(find(schemeId).id)
      if (at === undefined) throw UnknownScheme([schemeId, schemes.map((x) => x.id).join(', ')])
      await planDefinition(config, registry, at.plan.index, definition)
    },
    adoptStored(schemeId, reason) {
      const r = swaps.then(() => adoptStored(schemeId, reason))
      swaps = r.catch(() => undefined)
      return r
    },
    onSchemeChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
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

/**
 * The scheme's newest stored version (one saved by another process runs from this tick or job
 * on); when it cannot be planned here, the definition running so far keeps running and the log
 * says why.
 */
export async function newestStored(h: Host, s: EngineScheme): Promise<EngineScheme> {
  try {
    return (
      await h.adoptStored(s.id, 'a newer version was stored (from the console, or a scheme file imported elsewhere)')
    ).scheme
  } catch (e) {
    h.deps.log.error(
      { scheme: s.id, err: toFerryError(e).toJSON() },
      'the newest stored version cannot run here; the version running so far runs',
    )
    return s
  }
}
