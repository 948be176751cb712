/**
 * The credential budgets of one host: created from each connection's configured budget over the
 * connector's defaults (a rate given alone sets the other, see `effectiveLimits`), started from
 * the caps an earlier run learned (kept in the store), and reported for `ferry run --json` and the
 * run summary: effective limits, learned caps, throttle answers. The budgets live in the backend
 * the host was given: this process, or Redis when `queue.redisUrl` is set (shared by all workers).
 */
import {
  effectiveLimits,
  LocalBudgetRegistry,
  type BudgetBackend,
  type BudgetLimits,
  type LearnedLimits,
  type MeteredBudget,
} from '../connectors/budget.js'
import type { ConnectorDefinition } from '../connectors/contract.js'
import type { ConnectionConfig } from '../config/types.js'
import type { Store } from '../store/index.js'
import type { BudgetUsage, EngineLogger } from './ports.js'

const META_PREFIX = 'budget-learned:'

export interface BudgetReport {
  /** `<connector>:<credential>` (the JST app_key, the JDY book); never a secret. */
  readonly key: string
  readonly connections: readonly string[]
  /** Configured limits (the ceiling), defaults filled in. */
  readonly configured: BudgetLimits
  /** Limits in force now (configured → learned → momentary slow-down). */
  readonly effective: BudgetLimits
  /** Caps learned from throttle answers; empty while at the configured limits. */
  readonly learned: LearnedLimits
  readonly calls: number
  readonly throttled: number
  readonly waitedMs: number
}

export class HostBudgets {
  private readonly info = new Map<string, { connections: string[]; configured: BudgetLimits }>()

  constructor(
    private readonly store: Store,
    private readonly log: EngineLogger,
    private readonly registry: BudgetBackend = new LocalBudgetRegistry(),
  ) {}

  async forConnection(
    def: ConnectorDefinition,
    key: string,
    name: string,
    conn: ConnectionConfig,
  ): Promise<MeteredBudget> {
    const configured = effectiveLimits(def.budget, conn.budget)
    let entry = this.info.get(key)
    if (entry === undefined) {
      entry = { connections: [], configured }
      this.info.set(key, entry)
    }
    if (!entry.connections.includes(name)) entry.connections.push(name)
    const existing = this.registry.get(key)
    if (existing !== undefined) return existing
    const learned = await this.loadLearned(key)
    const opts = {
      ...configured,
      ...(conn.budget?.floor === undefined ? {} : { floor: conn.budget.floor }),
      ...(conn.budget?.guardMs === undefined ? {} : { guardMs: conn.budget.guardMs }),
    }
    return this.registry.forKey(key, opts, learned)
  }

  report(): BudgetReport[] {
    const out: BudgetReport[] = []
    for (const [key, i] of this.info) {
      const b = this.registry.get(key)
      if (b === undefined) continue
      const s = b.stats()
      out.push({
        key,
        connections: i.connections,
        configured: i.configured,
        effective: s.effective,
        learned: s.learned,
        calls: s.acquired,
        throttled: s.penalties,
        waitedMs: s.waitedMs,
      })
    }
    return out
  }

  /** Running totals per budget key of the budgets behind `connections` (opened ones only). */
  usage(connections: readonly string[]): Map<string, BudgetUsage> {
    const out = new Map<string, BudgetUsage>()
    for (const [key, i] of this.info) {
      const b = this.registry.get(key)
      if (b === undefined || !i.connections.some((c) => connections.includes(c))) continue
      const s = b.stats()
      out.set(key, { calls: s.acquired, throttled: s.penalties })
    }
    return out
  }

  /** Keep what each budget learned for the next run (or forget it once back at the configured limits). */
  async save(): Promise<void> {
    for (const key of this.info.keys()) {
      const b = this.registry.get(key)
      if (b === undefined || b.stats().acquired === 0) continue
      const learned = b.learned()
      try {
        if (Object.keys(learned).length === 0) await this.store.meta.delete(META_PREFIX + key)
        else await this.store.meta.set(META_PREFIX + key, JSON.stringify(learned))
      } catch (e) {
        this.log.warn({ budget: key, err: String(e) }, 'could not keep the learned budget limits')
      }
    }
  }

  /** Let go of the backend's connections (Redis); call after {@link save}. */
  close(): Promise<void> {
    return this.registry.close()
  }

  private async loadLearned(key: string): Promise<LearnedLimits | undefined> {
    const raw = await this.store.meta.get(META_PREFIX + key)
    if (raw === undefined) return undefined
    try {
      const v = JSON.parse(raw) as Record<string, unknown>
      const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined)
      const perSecond = num(v.perSecond)
      const perMinute = num(v.perMinute)
      return { ...(perSecond === undefined ? {} : { perSecond }), ...(perMinute === undefined ? {} : { perMinute }) }
    } catch {
      return undefined
    }
  }
}
