/**
 * The alert evaluator: every tick it evaluates each scheme's rules, keeps one incident per
 * condition (opened when it starts holding, resolved when it stops), and tells each routed channel
 * once per incident (`firing`), again after the repeat interval (`repeat`) and when it clears
 * (`resolved`). Deliveries are read back from the store, so a restart neither repeats nor loses a
 * message; per-channel rate limits and quiet hours hold messages back, never drop them: a held
 * message goes out at a later tick while its incident is still open (a resolved message goes
 * out only to channels that were told about the incident).
 */
import { toFerryError } from '../core/errors.js'
import type { AlertRepo, Incident } from '../store/index.js'
import { sendToChannel } from './channels/index.js'
import type { FactsSource } from './facts.js'
import { incidentMessage } from './message.js'
import { evaluateRules, type Finding } from './rules.js'
import {
  routeFor,
  rulesFor,
  type AlertsConfig,
  type ChannelConfig,
  type QuietHours,
} from '../config/alerts-settings.js'
import type { AlertMessage, SendOptions } from './types.js'

export type IncidentBook = Pick<
  AlertRepo,
  | 'openIncident'
  | 'openIncidents'
  | 'open'
  | 'update'
  | 'resolve'
  | 'resolvedSince'
  | 'recordDelivery'
  | 'deliveries'
  | 'sentSince'
>

export interface EvaluatorLogger {
  info(o: Record<string, unknown>, msg: string): void
  warn(o: Record<string, unknown>, msg: string): void
}

export interface EvaluatorDeps {
  readonly book: IncidentBook
  readonly facts: FactsSource
  readonly config: AlertsConfig
  readonly channels: ReadonlyMap<string, ChannelConfig>
  readonly clock: { now(): Date }
  readonly log: EvaluatorLogger
  /** Injected by tests that count messages without a network; default: the real channel. */
  readonly send?: (ch: ChannelConfig, msg: AlertMessage, opts: SendOptions) => Promise<void>
}

export interface Sent {
  readonly incidentId: string
  readonly key: string
  readonly channel: string
  readonly state: 'firing' | 'repeat' | 'resolved'
  readonly ok: boolean
  readonly error?: string
}

export interface TickReport {
  readonly opened: readonly Incident[]
  readonly resolved: readonly Incident[]
  readonly sent: readonly Sent[]
  /** Messages held back by quiet hours or a channel's rate limit. */
  readonly held: number
  /** Schemes whose facts could not be read (the store was down, …). */
  readonly failedSchemes: readonly string[]
}

/** How long after resolving an incident its resolved message may still go out (after quiet hours, a rate limit). */
const RESOLVED_DELIVERY_WINDOW_MS = 7 * 24 * 3_600_000

function localMinutes(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? '0')
  return get('hour') * 60 + get('minute')
}

export function inQuietHours(q: QuietHours | undefined, at: Date): boolean {
  if (q === undefined || q.fromMin === q.toMin) return false
  const m = localMinutes(at, q.timezone)
  return q.fromMin < q.toMin ? m >= q.fromMin && m < q.toMin : m >= q.fromMin || m < q.toMin
}

export class AlertEvaluator {
  private readonly names = new Map<string, string>()
  constructor(private readonly deps: EvaluatorDeps) {}

  async tick(): Promise<TickReport> {
    const now = this.deps.clock.now()
    const opened: Incident[] = []
    const resolved: Incident[] = []
    const failedSchemes: string[] = []
    const openByKey = new Map((await this.deps.book.openIncidents()).map((i) => [i.key, i]))
    for (const schemeId of this.deps.facts.schemeIds()) {
      let findings: readonly Finding[]
      let evaluated: ReadonlySet<string>
      try {
        const facts = await this.deps.facts.facts(schemeId, now)
        this.names.set(schemeId, facts.schemeName)
        ;({ findings, evaluated } = evaluateRules(facts, rulesFor(this.deps.config, schemeId), now))
      } catch (e) {
        failedSchemes.push(schemeId)
        this.deps.log.warn(
          { scheme: schemeId, err: toFerryError(e).message },
          'alert facts unavailable; incidents left as they are',
        )
        continue
      }
      const firing = new Set<string>()
      for (const f of findings) {
        firing.add(f.key)
        const details = { numbers: f.numbers, codes: f.codes, summary: f.summary }
        const existing = openByKey.get(f.key)
        if (existing === undefined) {
          const inc = await this.deps.book.open(f.key, {
            schemeId,
            rule: f.rule,
            severity: f.severity,
            details,
            at: now,
          })
          opened.push(inc)
          this.deps.log.info({ scheme: schemeId, rule: f.rule, incident: inc.id }, 'incident opened')
        } else {
          await this.deps.book.update(existing.id, details, now, f.severity)
        }
      }
      for (const inc of openByKey.values()) {
        if (inc.schemeId !== schemeId || firing.has(inc.key) || !evaluated.has(inc.rule)) continue
        await this.deps.book.resolve(inc.id, now)
        resolved.push({ ...inc, status: 'resolved', resolvedAt: now })
        this.deps.log.info({ scheme: schemeId, rule: inc.rule, incident: inc.id }, 'incident resolved')
      }
    }
    const { sent, held } = await this.notify(now)
    return { opened, resolved, sent, held, failedSchemes }
  }

  /** Send what is due on every routed channel: first firing/repeat of open incidents, then resolved ones. */
  private async notify(now: Date): Promise<{ sent: Sent[]; held: number }> {
    const sent: Sent[] = []
    let held = 0
    const quiet = inQuietHours(this.deps.config.quietHours, now)
    const holdCritical = this.deps.config.quietHours?.holdCritical === true
    const due: { inc: Incident; channel: ChannelConfig; state: 'firing' | 'repeat' | 'resolved' }[] = []
    for (const inc of await this.deps.book.openIncidents()) {
      for (const ch of this.route(inc.schemeId)) {
        const ok = (await this.deps.book.deliveries(inc.id, ch.name)).filter((d) => d.ok && d.state !== 'test')
        const lastOk = ok.at(-1)
        if (lastOk === undefined) due.push({ inc, channel: ch, state: 'firing' })
        else if (now.getTime() - lastOk.at.getTime() >= this.deps.config.repeatMs)
          due.push({ inc, channel: ch, state: 'repeat' })
      }
    }
    for (const inc of await this.deps.book.resolvedSince(new Date(now.getTime() - RESOLVED_DELIVERY_WINDOW_MS))) {
      for (const ch of this.route(inc.schemeId)) {
        const ok = (await this.deps.book.deliveries(inc.id, ch.name)).filter((d) => d.ok)
        if (ok.some((d) => d.state === 'firing') && !ok.some((d) => d.state === 'resolved'))
          due.push({ inc, channel: ch, state: 'resolved' })
      }
    }
    // Critical first, so a rate limit holds back warnings rather than the worst news.
    due.sort((a, b) => Number(b.inc.severity === 'critical') - Number(a.inc.severity === 'critical'))
    for (const d of due) {
      if (quiet && (holdCritical || d.inc.severity !== 'critical')) {
        held++
        continue
      }
      const used = await this.deps.book.sentSince(d.channel.name, new Date(now.getTime() - 60_000))
      if (used >= d.channel.ratePerMinute) {
        held++
        this.deps.log.warn(
          { channel: d.channel.name, incident: d.inc.id, limit: d.channel.ratePerMinute },
          'alert held by the channel rate limit',
        )
        continue
      }
      const msg = incidentMessage(d.inc, d.state, {
        lang: d.channel.language,
        now,
        ...(this.deps.config.consoleUrl === undefined ? {} : { consoleUrl: this.deps.config.consoleUrl }),
        ...(this.names.get(d.inc.schemeId) === undefined ? {} : { schemeName: this.names.get(d.inc.schemeId) }),
      })
      try {
        await (this.deps.send ?? sendToChannel)(d.channel, msg, { now: () => this.deps.clock.now() })
        await this.deps.book.recordDelivery({
          incidentId: d.inc.id,
          channel: d.channel.name,
          state: d.state,
          at: now,
          ok: true,
          error: null,
        })
        sent.push({ incidentId: d.inc.id, key: d.inc.key, channel: d.channel.name, state: d.state, ok: true })
      } catch (e) {
        const err = toFerryError(e)
        await this.deps.book.recordDelivery({
          incidentId: d.inc.id,
          channel: d.channel.name,
          state: d.state,
          at: now,
          ok: false,
          error: `${err.code} ${err.message}`,
        })
        sent.push({
          incidentId: d.inc.id,
          key: d.inc.key,
          channel: d.channel.name,
          state: d.state,
          ok: false,
          error: err.code,
        })
        this.deps.log.warn(
          { channel: d.channel.name, incident: d.inc.id, code: err.code, err: err.message },
          'alert delivery failed; retried at the next tick',
        )
      }
    }
    return { sent, held }
  }

  private route(schemeId: string): ChannelConfig[] {
    return routeFor(this.deps.config, schemeId)
      .map((n) => this.deps.channels.get(n))
      .filter((c): c is ChannelConfig => c !== undefined)
  }
}
