/**
 * Prometheus metrics (prom-client) on a registry of their own, so several Ferry services in one
 * process (tests) never share counters. Run metrics come from the engine's run observer; API
 * call, throttling and budget-wait metrics from the connector observer (connectors.ts); ledger
 * gauges are read from the store when scraped, so they are right even for runs of other processes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ConnectorCallObserver } from '../connectors/contract.js'
import type { Host } from '../engine/host.js'
import type { RunCounters, Stage } from '../engine/ports.js'
import type { RunObserver, RunSummary } from '../engine/run.js'
import { ledgerCounts } from '../engine/scheduled.js'

/** Record outcomes per stage, from the run counters: what each counter adds to. */
const OUTCOMES: readonly {
  readonly outcome: string
  readonly stage: 'source' | 'target'
  readonly of: (c: RunCounters) => number
}[] = [
  { outcome: 'fetched', stage: 'source', of: (c) => c.fetched },
  { outcome: 'filtered', stage: 'source', of: (c) => Math.max(0, c.fetched - c.kept) },
  { outcome: 'stored', stage: 'source', of: (c) => c.inserted + c.updated },
  { outcome: 'written', stage: 'target', of: (c) => c.written },
  { outcome: 'existing', stage: 'target', of: (c) => c.alreadyExisted },
  { outcome: 'failed', stage: 'target', of: (c) => c.failed },
]

export class Metrics implements RunObserver, ConnectorCallObserver {
  readonly registry = new Registry()
  private host: Host | undefined
  private readonly seen = new Map<string, { stage: Stage; values: Map<string, number> }>()
  readonly records: Counter<'scheme' | 'stage' | 'outcome'>
  readonly calls: Counter<'connector' | 'endpoint' | 'outcome'>
  readonly throttled: Counter<'connector'>
  readonly budgetWait: Counter<'connector'>
  readonly runs: Counter<'scheme' | 'stage' | 'status'>
  readonly duration: Histogram<'scheme' | 'stage' | 'status'>
  readonly qualityFailures: Counter<'scheme' | 'code' | 'path'>

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'ferry_process_' })
    this.records = new Counter({
      name: 'ferry_records_total',
      help: 'Records by scheme, stage and outcome (fetched, filtered, stored, written, existing, failed).',
      labelNames: ['scheme', 'stage', 'outcome'],
      registers,
    })
    this.calls = new Counter({
      name: 'ferry_connector_calls_total',
      help: 'Vendor API calls by connector, endpoint and outcome (HTTP status class or error code).',
      labelNames: ['connector', 'endpoint', 'outcome'],
      registers,
    })
    this.throttled = new Counter({
      name: 'ferry_connector_throttled_total',
      help: 'Answers in which the vendor throttled Ferry.',
      labelNames: ['connector'],
      registers,
    })
    this.budgetWait = new Counter({
      name: 'ferry_budget_wait_seconds_total',
      help: "Seconds calls waited for their credential's rate budget.",
      labelNames: ['connector'],
      registers,
    })
    this.runs = new Counter({
      name: 'ferry_runs_total',
      help: 'Finished runs by scheme, stage and status.',
      labelNames: ['scheme', 'stage', 'status'],
      registers,
    })
    this.duration = new Histogram({
      name: 'ferry_run_duration_seconds',
      help: 'Run duration.',
      labelNames: ['scheme', 'stage', 'status'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    })
    this.qualityFailures = new Counter({
      name: 'ferry_quality_failures_total',
      help: 'Records parked by a data-quality rule (target.quality), by scheme, rule code and field path.',
      labelNames: ['scheme', 'code', 'path'],
      registers,
    })
    // prom-client calls collect() with the gauge as `this`; the store readers live on this object.
    const freshness = (g: Gauge<'scheme'>) => this.collectFreshness(g)
    const failed = (g: Gauge<'scheme'>, what: 'size' | 'age') => this.collectFailed(g, what)
    const ledger = (g: Gauge<'scheme' | 'status'>) => this.collectLedger(g)
    const incidents = (g: Gauge<'scheme' | 'rule'>) => this.collectIncidents(g)
    const deliveries = (g: Gauge<'channel' | 'outcome'>) => this.collectDeliveries(g)
    new Gauge({
      name: 'ferry_seconds_since_last_closed_window',
      help: "Seconds from the end of the scheme's contiguous closed windows (LAST_SYNC_TIME) to now: how far the source stage is behind.",
      labelNames: ['scheme'],
      registers,
      async collect() {
        await freshness(this)
      },
    })
    new Gauge({
      name: 'ferry_failed_records',
      help: 'Records in the failed-record queue (status error, not resolved).',
      labelNames: ['scheme'],
      registers,
      async collect() {
        await failed(this, 'size')
      },
    })
    new Gauge({
      name: 'ferry_failed_record_oldest_age_seconds',
      help: 'Age of the oldest record in the failed-record queue (0 when empty).',
      labelNames: ['scheme'],
      registers,
      async collect() {
        await failed(this, 'age')
      },
    })
    new Gauge({
      name: 'ferry_ledger_records',
      help: 'Ledger records by scheme and status.',
      labelNames: ['scheme', 'status'],
      registers,
      async collect() {
        await ledger(this)
      },
    })
    new Gauge({
      name: 'ferry_alert_incidents_open',
      help: 'Open alert incidents by scheme and rule (docs/alerts.md).',
      labelNames: ['scheme', 'rule'],
      registers,
      async collect() {
        await incidents(this)
      },
    })
    new Gauge({
      name: 'ferry_alert_deliveries',
      help: 'Alert messages recorded in the store by channel and outcome (sent, failed), all time.',
      labelNames: ['channel', 'outcome'],
      registers,
      async collect() {
        await deliveries(this)
      },
    })
  }

  /** The host whose store the scrape-time gauges read. */
  bind(host: Host): void {
    this.host = host
  }

  onRunStart(run: { runId: string; stages: readonly Stage[] }): void {
    this.seen.set(run.runId, {
      stage: run.stages.includes('remedy') ? 'remedy' : (run.stages[0] ?? 'source'),
      values: new Map(),
    })
  }

  onProgress(runId: string, schemeId: string, _stage: Stage, counters: RunCounters): void {
    this.count(runId, schemeId, counters)
  }

  onRunEnd(runId: string, summary: RunSummary, durationMs: number): void {
    this.count(runId, summary.schemeId, summary.counters)
    const labels = { scheme: summary.schemeId, stage: summary.stages.join('+'), status: summary.status }
    this.runs.inc(labels)
    this.duration.observe(labels, durationMs / 1000)
    for (const q of summary.quality ?? [])
      if (q.count > 0) this.qualityFailures.inc({ scheme: summary.schemeId, code: q.code, path: q.path }, q.count)
    this.seen.delete(runId)
  }

  onCall(connector: string, endpoint: string, outcome: string): void {
    this.calls.inc({ connector, endpoint, outcome })
  }

  onThrottled(connector: string): void {
    this.throttled.inc({ connector })
  }

  onBudgetWait(connector: string, seconds: number): void {
    if (seconds > 0) this.budgetWait.inc({ connector }, seconds)
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }

  /** Counters arrive as running totals; add what changed since the last report of this run. */
  private count(runId: string, schemeId: string, c: RunCounters): void {
    const seen = this.seen.get(runId) ?? { stage: 'source' as Stage, values: new Map<string, number>() }
    this.seen.set(runId, seen)
    for (const o of OUTCOMES) {
      const now = o.of(c)
      const delta = now - (seen.values.get(o.outcome) ?? 0)
      if (delta <= 0) continue
      seen.values.set(o.outcome, now)
      const stage = o.stage === 'source' && seen.stage === 'remedy' ? 'remedy' : o.stage
      this.records.inc({ scheme: schemeId, stage, outcome: o.outcome }, delta)
    }
  }

  private async collectFreshness(g: Gauge<'scheme'>): Promise<void> {
    const h = this.host
    if (h === undefined) return
    g.reset()
    const now = h.deps.clock.now().getTime()
    for (const s of h.schemes) {
      const last = await h.ports.windows.lastSyncTime(s.id, s.source.api, s.schedule.start)
      if (last !== undefined) g.set({ scheme: s.id }, Math.max(0, (now - last.getTime()) / 1000))
    }
  }

  private async collectFailed(g: Gauge<'scheme'>, what: 'size' | 'age'): Promise<void> {
    const h = this.host
    if (h === undefined) return
    g.reset()
    const now = h.deps.clock.now().getTime()
    for (const s of h.schemes) {
      if (s.target === undefined) continue
      const q = await h.store.recordSearch.failedQueue(s.id)
      g.set(
        { scheme: s.id },
        what === 'size' ? q.size : q.oldest === undefined ? 0 : Math.max(0, (now - q.oldest.getTime()) / 1000),
      )
    }
  }

  private async collectLedger(g: Gauge<'scheme' | 'status'>): Promise<void> {
    const h = this.host
    if (h === undefined) return
    g.reset()
    for (const s of h.schemes) {
      const counts = await ledgerCounts(h.ports.ledger, s.id)
      for (const [status, n] of Object.entries(counts)) if (typeof n === 'number') g.set({ scheme: s.id, status }, n)
    }
  }

  private async collectIncidents(g: Gauge<'scheme' | 'rule'>): Promise<void> {
    const h = this.host
    if (h === undefined) return
    g.reset()
    const counts = new Map<string, { scheme: string; rule: string; n: number }>()
    for (const i of await h.store.alerts.openIncidents()) {
      const k = `${i.schemeId}\u0000${i.rule}`
      const c = counts.get(k) ?? { scheme: i.schemeId, rule: i.rule, n: 0 }
      c.n++
      counts.set(k, c)
    }
    for (const c of counts.values()) g.set({ scheme: c.scheme, rule: c.rule }, c.n)
  }

  private async collectDeliveries(g: Gauge<'channel' | 'outcome'>): Promise<void> {
    const h = this.host
    if (h === undefined) return
    g.reset()
    for (const d of await h.store.alerts.deliveryCounts())
      g.set({ channel: d.channel, outcome: d.ok ? 'sent' : 'failed' }, d.count)
  }
}
