/**
 * The alert evaluator as a running service: it seals the configured channels into the store,
 * then evaluates every `alerts.interval` while holding the store lease `alerts:evaluator`, so
 * when several Ferry processes share a database exactly one of them evaluates and notifies (the
 * others skip their tick; a dead holder's lease expires after three intervals). `ferry start`
 * runs it; the HTTP service runs the same function at merge.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { toFerryError } from '../core/errors.js'
import type { Host } from '../engine/host.js'
import { readSchemeFile } from '../scheme/load.js'
import type { Lease, Store } from '../store/index.js'
import { parseAlertsSection, type AlertsSetup } from '../config/alerts.js'
import { AlertEvaluator, type EvaluatorLogger, type TickReport } from './evaluator.js'
import type { AlertsConfig, ChannelConfig, ChannelSettings } from '../config/alerts-settings.js'
import { storeFacts, type SchemeRef } from './store-facts.js'
import type { AlertMessage, SendOptions } from './types.js'

export const EVALUATOR_LEASE = 'alerts:evaluator'

export interface AlertServiceOptions {
  readonly store: Store
  readonly setup: AlertsSetup
  readonly schemes: readonly SchemeRef[]
  readonly clock?: { now(): Date }
  readonly log: EvaluatorLogger
  readonly holder?: string
  readonly send?: (ch: ChannelConfig, msg: AlertMessage, opts: SendOptions) => Promise<void>
  readonly onTick?: (r: TickReport) => void
}

/**
 * Save each configured channel (settings and policy) sealed in the store, drop stored channels the
 * configuration no longer names (so a removed robot's secret does not linger), then read them back.
 */
export async function syncChannels(
  store: Store,
  channels: readonly ChannelConfig[],
): Promise<Map<string, ChannelConfig>> {
  for (const c of channels) {
    await store.alerts.saveChannel(c.name, c.settings.type, {
      settings: c.settings,
      language: c.language,
      ratePerMinute: c.ratePerMinute,
    })
  }
  const names = new Set(channels.map((c) => c.name))
  for (const stored of await store.alerts.listChannels())
    if (!names.has(stored.name)) await store.alerts.deleteChannel(stored.name)
  return loadChannels(store)
}

export async function loadChannels(store: Store): Promise<Map<string, ChannelConfig>> {
  const out = new Map<string, ChannelConfig>()
  for (const { name } of await store.alerts.listChannels()) {
    const { settings } = await store.alerts.getChannel(name)
    const s = settings as { settings: ChannelSettings; language: ChannelConfig['language']; ratePerMinute: number }
    out.set(name, { name, settings: s.settings, language: s.language, ratePerMinute: s.ratePerMinute })
  }
  return out
}

export class AlertService {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> | undefined
  private lease: Lease | undefined
  private readonly holder: string
  private readonly clock: { now(): Date }

  private constructor(
    private readonly opts: AlertServiceOptions,
    private readonly evaluator: AlertEvaluator,
    readonly config: AlertsConfig,
  ) {
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
    this.clock = opts.clock ?? { now: () => new Date() }
  }

  static async open(opts: AlertServiceOptions): Promise<AlertService> {
    const channels = await syncChannels(opts.store, opts.setup.channels)
    const clock = opts.clock ?? { now: () => new Date() }
    const evaluator = new AlertEvaluator({
      book: opts.store.alerts,
      facts: storeFacts(opts.store, () => opts.schemes),
      config: opts.setup.config,
      channels,
      clock,
      log: opts.log,
      ...(opts.send === undefined ? {} : { send: opts.send }),
    })
    return new AlertService(opts, evaluator, opts.setup.config)
  }

  /** Evaluate once if this process holds (or can take) the evaluator lease; undefined when another process has it. */
  async tick(): Promise<TickReport | undefined> {
    const ttl = Math.max(3 * this.config.intervalMs, 30_000)
    const lease = this.lease === undefined ? undefined : await this.opts.store.leases.renew(this.lease, ttl)
    this.lease = lease ?? (await this.opts.store.leases.acquire(EVALUATOR_LEASE, this.holder, ttl))
    if (this.lease === undefined) return undefined
    const r = await this.evaluator.tick()
    this.opts.onTick?.(r)
    return r
  }

  /** Tick every interval until stopped; a failing tick is logged and the next one tries again. */
  start(): void {
    if (!this.config.enabled || this.timer !== undefined) return
    const run = () => {
      if (this.running !== undefined) return
      this.running = this.tick()
        .catch((e: unknown) => {
          this.opts.log.warn({ err: toFerryError(e).message }, 'alert evaluation failed')
        })
        .finally(() => {
          this.running = undefined
        })
    }
    this.timer = setInterval(run, this.config.intervalMs)
    this.timer.unref()
    run()
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    await this.running
    if (this.lease !== undefined) await this.opts.store.leases.release(this.lease).catch(() => undefined)
    this.lease = undefined
  }
}

/** The schemes of a host as the alert rules see them. */
export function schemeRefs(h: Pick<Host, 'schemes'>): SchemeRef[] {
  return h.schemes.map((s) => ({
    id: s.id,
    name: s.name,
    connections: [s.source.connection, ...(s.target === undefined ? [] : [s.target.connection])],
  }))
}

/** The alert settings of a host: the configuration's `alerts` section merged with each scheme file's `alerts` key. */
export async function alertsSetup(h: Pick<Host, 'config' | 'schemes'>): Promise<AlertsSetup> {
  const files: Record<string, unknown> = {}
  const entries = h.config.schemes.filter((e) => e.enabled)
  for (const e of entries) {
    try {
      const doc = (await readSchemeFile(e.file)) as Record<string, unknown> | null
      if (doc !== null && typeof doc === 'object' && typeof doc.id === 'string' && doc.alerts !== undefined)
        files[doc.id] = doc.alerts
    } catch {
      // The host already loaded every enabled scheme; a file that changed since is read at the next start.
    }
  }
  return parseAlertsSection(h.config.alerts, files)
}

/** Open the alert service of a host (not started). */
export async function openAlertService(
  h: Host,
  opts: {
    log: EvaluatorLogger
    clock?: { now(): Date }
    onTick?: (r: TickReport) => void
    send?: AlertServiceOptions['send']
  },
): Promise<AlertService> {
  return AlertService.open({
    store: h.store,
    setup: await alertsSetup(h),
    schemes: schemeRefs(h),
    log: opts.log,
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    ...(opts.onTick === undefined ? {} : { onTick: opts.onTick }),
    ...(opts.send === undefined ? {} : { send: opts.send }),
  })
}
