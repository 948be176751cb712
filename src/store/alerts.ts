/**
 * The incident book and the alert channels. An incident is one alert condition of one scheme
 * (its `key`, e.g. `jst-orders:freshness`) from the moment it fired until it cleared; deliveries
 * record what each channel was told about it, so deduplication, repeats and per-channel rate
 * limits survive restarts and hold across processes. Channel settings are sealed whole under the
 * master key, like connections.
 */
import { randomUUID } from 'node:crypto'
import type { StoreContext } from './context.js'
import { pageSize, writeOnce } from './context.js'
import { StoreNotFound } from './errors.js'

export type IncidentStatus = 'open' | 'resolved'

export interface IncidentDetails {
  /** The rule's own numbers (`{ failed: 3, threshold: 3 }`), shown in messages and the API. */
  readonly numbers: Readonly<Record<string, number | string>>
  /** First error codes behind the condition, newest first. */
  readonly codes: readonly string[]
  /** One sentence per language, written by the rule. */
  readonly summary?: { readonly en: string; readonly zh: string }
}

export interface Incident {
  readonly id: string
  readonly key: string
  readonly schemeId: string
  readonly rule: string
  readonly severity: string
  readonly status: IncidentStatus
  readonly openedAt: Date
  readonly updatedAt: Date
  readonly resolvedAt: Date | null
  readonly details: IncidentDetails
}

export interface Delivery {
  readonly incidentId: string
  readonly channel: string
  /** `firing`, `repeat`, `resolved`, or `test` (from `ferry alerts test`). */
  readonly state: string
  readonly at: Date
  readonly ok: boolean
  readonly error: string | null
}

export interface IncidentFilter {
  readonly status?: IncidentStatus
  readonly schemeId?: string
  readonly limit?: number
}

const channelContext = (name: string) => `alert_channels/${name}/config`

type IncidentRow = {
  id: string
  key: string
  scheme_id: string
  rule: string
  severity: string
  status: string
  opened_at: number
  updated_at: number
  resolved_at: number | null
  details: string
}

function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    key: r.key,
    schemeId: r.scheme_id,
    rule: r.rule,
    severity: r.severity,
    status: r.status as IncidentStatus,
    openedAt: new Date(Number(r.opened_at)),
    updatedAt: new Date(Number(r.updated_at)),
    resolvedAt: r.resolved_at === null ? null : new Date(Number(r.resolved_at)),
    details: JSON.parse(r.details) as IncidentDetails,
  }
}

export class AlertRepo {
  constructor(private readonly ctx: StoreContext) {}

  /** The open incident of a condition, if any. */
  async openIncident(key: string): Promise<Incident | undefined> {
    const row = await this.ctx.db
      .selectFrom('alert_incidents')
      .selectAll()
      .where('status', '=', 'open')
      .where('key', '=', key)
      .orderBy('opened_at', 'desc')
      .executeTakeFirst()
    return row === undefined ? undefined : toIncident(row)
  }

  async openIncidents(): Promise<Incident[]> {
    const rows = await this.ctx.db
      .selectFrom('alert_incidents')
      .selectAll()
      .where('status', '=', 'open')
      .orderBy('opened_at')
      .execute()
    return rows.map(toIncident)
  }

  async open(
    key: string,
    v: { schemeId: string; rule: string; severity: string; details: IncidentDetails; at: Date },
  ): Promise<Incident> {
    const id = randomUUID()
    const at = v.at.getTime()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('alert_incidents')
        .values({
          id,
          key,
          scheme_id: v.schemeId,
          rule: v.rule,
          severity: v.severity,
          status: 'open',
          opened_at: at,
          updated_at: at,
          resolved_at: null,
          details: JSON.stringify(v.details),
        })
        .execute(),
    )
    return this.get(id)
  }

  /** Refresh the numbers of an open incident (the message of a repeat shows the latest ones). */
  async update(id: string, details: IncidentDetails, at: Date, severity?: string): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db
        .updateTable('alert_incidents')
        .set({
          details: JSON.stringify(details),
          updated_at: at.getTime(),
          ...(severity === undefined ? {} : { severity }),
        })
        .where('id', '=', id)
        .execute(),
    )
  }

  async resolve(id: string, at: Date): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db
        .updateTable('alert_incidents')
        .set({ status: 'resolved', resolved_at: at.getTime(), updated_at: at.getTime() })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .execute(),
    )
  }

  async get(id: string): Promise<Incident> {
    const row = await this.ctx.db.selectFrom('alert_incidents').selectAll().where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw StoreNotFound(['incident', id])
    return toIncident(row)
  }

  /** Newest first; what `ferry alerts` and the API list. */
  async list(filter: IncidentFilter = {}): Promise<Incident[]> {
    let q = this.ctx.db.selectFrom('alert_incidents').selectAll()
    if (filter.status !== undefined) q = q.where('status', '=', filter.status)
    if (filter.schemeId !== undefined) q = q.where('scheme_id', '=', filter.schemeId)
    const rows = await q.orderBy('opened_at', 'desc').orderBy('id').limit(pageSize(filter.limit, 50)).execute()
    return rows.map(toIncident)
  }

  /** Incidents resolved since `since` (their resolved message may still be due). */
  async resolvedSince(since: Date): Promise<Incident[]> {
    const rows = await this.ctx.db
      .selectFrom('alert_incidents')
      .selectAll()
      .where('status', '=', 'resolved')
      .where('resolved_at', '>=', since.getTime())
      .orderBy('resolved_at')
      .execute()
    return rows.map(toIncident)
  }

  async recordDelivery(d: Delivery): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('alert_deliveries')
        .values({
          incident_id: d.incidentId,
          channel: d.channel,
          state: d.state,
          at: d.at.getTime(),
          ok: d.ok ? 1 : 0,
          error: d.error,
        })
        .execute(),
    )
  }

  /** Successful deliveries of one incident to one channel, oldest first. */
  async deliveries(incidentId: string, channel?: string): Promise<Delivery[]> {
    let q = this.ctx.db.selectFrom('alert_deliveries').selectAll().where('incident_id', '=', incidentId)
    if (channel !== undefined) q = q.where('channel', '=', channel)
    const rows = await q.orderBy('seq').execute()
    return rows.map((r) => ({
      incidentId: r.incident_id,
      channel: r.channel,
      state: r.state,
      at: new Date(Number(r.at)),
      ok: r.ok === 1,
      error: r.error,
    }))
  }

  /** Deliveries per channel and outcome, all time (the metrics read this at scrape time). */
  async deliveryCounts(): Promise<{ channel: string; ok: boolean; count: number }[]> {
    const rows = await this.ctx.db
      .selectFrom('alert_deliveries')
      .select((eb) => ['channel', 'ok', eb.fn.countAll<number>().as('n')])
      .groupBy(['channel', 'ok'])
      .orderBy('channel')
      .execute()
    return rows.map((r) => ({ channel: r.channel, ok: Number(r.ok) === 1, count: Number(r.n) }))
  }

  /** Messages a channel accepted since `since` (its rate limit). */
  async sentSince(channel: string, since: Date): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('alert_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel', '=', channel)
      .where('ok', '=', 1)
      .where('at', '>', since.getTime())
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  /** Store a channel's settings (secrets included), sealed. */
  async saveChannel(name: string, type: string, settings: Readonly<Record<string, unknown>>): Promise<void> {
    const sealed = this.ctx.box.seal(JSON.stringify(settings), channelContext(name))
    const now = this.ctx.now()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('alert_channels')
        .values({ name, type, config_enc: sealed, updated_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ type, config_enc: sealed, updated_at: now }))
        .execute(),
    )
  }

  async getChannel(name: string): Promise<{ name: string; type: string; settings: Record<string, unknown> }> {
    const row = await this.ctx.db.selectFrom('alert_channels').selectAll().where('name', '=', name).executeTakeFirst()
    if (row === undefined) throw StoreNotFound(['alert channel', name])
    return {
      name,
      type: row.type,
      settings: JSON.parse(this.ctx.box.open(row.config_enc, channelContext(name), `alert channel ${name}`)) as Record<
        string,
        unknown
      >,
    }
  }

  /** Names and types only: listing never decrypts. */
  async listChannels(): Promise<{ name: string; type: string; updatedAt: Date }[]> {
    const rows = await this.ctx.db
      .selectFrom('alert_channels')
      .select(['name', 'type', 'updated_at'])
      .orderBy('name')
      .execute()
    return rows.map((r) => ({ name: r.name, type: r.type, updatedAt: new Date(Number(r.updated_at)) }))
  }

  async deleteChannel(name: string): Promise<void> {
    await writeOnce(this.ctx, (db) => db.deleteFrom('alert_channels').where('name', '=', name).execute())
  }
}
