/**
 * The dashboard's figures for one scheme, read from the store: records read and written per day
 * (days of the scheme's time zone), the failed-record queue by error code, vendor calls and
 * throttled answers from the runs' budget counters, the lag behind the last closed window, the
 * last run and the latest reconciliation. Every query is bounded by scheme (and time) so the
 * dashboard stays cheap with a large ledger.
 */
import { sql } from 'kysely'
import { BUDGET_STAGE } from '../store/index.js'
import type { Host } from '../engine/host.js'
import type { EngineScheme } from '../engine/ports.js'
import { RECONCILE_RUN_KIND } from '../proof/results.js'
import type { Store } from '../store/index.js'

/** The zone the engine reads times in when a scheme names none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'
const DAY = 86_400_000
/** Per-day counts are summed from quarter hours, so a zone offset of :30 or :45 still lands on its day. */
const BUCKET = 900_000

export interface DayCounts {
  /** `YYYY-MM-DD` in the scheme's time zone. */
  readonly day: string
  /** Records first read from the source that day. */
  read: number
  /** Records written to the target that day. */
  written: number
  /** Vendor calls and throttled answers of the runs started that day (budget counters). */
  calls: number
  throttled: number
}

export interface SchemeStats {
  readonly id: string
  readonly timeZone: string
  readonly lastSyncTime: string | null
  /** Seconds from the end of the contiguous closed windows to now; null before a window closed. */
  readonly lagSeconds: number | null
  readonly days: DayCounts[]
  /** Failed, unresolved records by their last error's code, largest first. */
  readonly failedByCode: { code: string; count: number }[]
  readonly throttled: { calls: number; throttled: number }
  readonly lastRun: { id: string; kind: string; status: string; startedAt: string; finishedAt: string | null } | null
  readonly reconcile: {
    runId: string
    status: string
    at: string
    from: string | null
    to: string | null
    counts: Record<string, number>
    /** missing + extra + mismatched + duplicate: 0 means the range agrees. */
    differences: number
  } | null
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()
function dayOf(ms: number, timeZone: string): string {
  let f = dayFormats.get(timeZone)
  if (f === undefined) {
    // en-CA formats as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, f)
  }
  return f.format(new Date(ms))
}

/** The reconcile counts that are differences (proof/reconcile.ts); the others count what was compared. */
export const DIFFERENCE_COUNTS = ['missing', 'extra', 'mismatched', 'duplicate'] as const

export async function schemeStats(host: Host, store: Store, s: EngineScheme, nDays: number): Promise<SchemeStats> {
  const db = store.db
  const timeZone = s.schedule.timezone ?? DEFAULT_TIME_ZONE
  const now = host.deps.clock.now().getTime()
  // The last nDays calendar days of the zone, oldest first; stepping back 24 h can name a day twice
  // around a daylight-saving change, hence the set.
  const labels = [...new Set(Array.from({ length: nDays }, (_v, i) => dayOf(now - (nDays - 1 - i) * DAY, timeZone)))]
  const days = new Map<string, DayCounts>(
    labels.map((day) => [day, { day, read: 0, written: 0, calls: 0, throttled: 0 }]),
  )
  const since = Math.floor((now - nDays * DAY - DAY) / BUCKET) * BUCKET

  const perBucket = async (col: 'created_at' | 'done_at', field: 'read' | 'written') => {
    const bucket = sql<number>`${sql.ref(col)} / ${sql.lit(BUCKET)}`
    const rows = await db
      .selectFrom('records')
      .select((eb) => [bucket.as('b'), eb.fn.countAll<number>().as('n')])
      .where('scheme_id', '=', s.id)
      .where(col, '>=', since)
      .groupBy(bucket)
      .execute()
    for (const r of rows) {
      const d = days.get(dayOf(Math.floor(Number(r.b)) * BUCKET, timeZone))
      if (d !== undefined) d[field] += Number(r.n)
    }
  }
  await perBucket('created_at', 'read')
  await perBucket('done_at', 'written')

  const budget = await db
    .selectFrom('runs')
    .innerJoin('run_counters', 'run_counters.run_id', 'runs.id')
    .select(['runs.started_at', 'run_counters.name', 'run_counters.value'])
    .where('runs.scheme_id', '=', s.id)
    .where('runs.started_at', '>=', since)
    .where('run_counters.stage', '=', BUDGET_STAGE)
    .where('run_counters.name', 'in', ['calls', 'throttled'])
    .execute()
  for (const r of budget) {
    const d = days.get(dayOf(Number(r.started_at), timeZone))
    if (d === undefined) continue
    if (r.name === 'calls') d.calls += Number(r.value)
    else d.throttled += Number(r.value)
  }

  const failed = await db
    .selectFrom('records')
    .select((eb) => [eb.fn.coalesce('error_code', sql.lit('')).as('code'), eb.fn.countAll<number>().as('n')])
    .where('scheme_id', '=', s.id)
    .where('status', '=', 'error')
    .where('resolved_at', 'is', null)
    .groupBy('error_code')
    .execute()
  const failedByCode = failed
    .map((r) => ({ code: String(r.code) || 'ERR_UNKNOWN', count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))

  const last = await host.ports.windows.lastSyncTime(s.id, s.source.api, s.schedule.start)
  // Nothing closed yet: the cursor is still where the scheme starts (or there is no start).
  const closedAny =
    last !== undefined && (s.schedule.start === undefined || last.getTime() > s.schedule.start.getTime())

  const [lastRun] = await store.runs.list(s.id, 1)
  const rec = await db
    .selectFrom('runs')
    .select(['id'])
    .where('scheme_id', '=', s.id)
    .where('kind', '=', RECONCILE_RUN_KIND)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  let reconcile: SchemeStats['reconcile'] = null
  if (rec !== undefined) {
    const r = await store.runs.get(rec.id)
    const counts = r.counters[RECONCILE_RUN_KIND] ?? {}
    const params = (r.params ?? {}) as { from?: string; to?: string }
    reconcile = {
      runId: r.id,
      status: r.status,
      at: r.startedAt.toISOString(),
      from: params.from ?? null,
      to: params.to ?? null,
      counts,
      differences: DIFFERENCE_COUNTS.reduce((a, k) => a + (counts[k] ?? 0), 0),
    }
  }

  const list = [...days.values()]
  return {
    id: s.id,
    timeZone,
    lastSyncTime: closedAny ? last.toISOString() : null,
    lagSeconds: closedAny ? Math.max(0, Math.round((now - last.getTime()) / 1000)) : null,
    days: list,
    failedByCode,
    throttled: list.reduce((a, d) => ({ calls: a.calls + d.calls, throttled: a.throttled + d.throttled }), {
      calls: 0,
      throttled: 0,
    }),
    lastRun:
      lastRun === undefined
        ? null
        : {
            id: lastRun.id,
            kind: lastRun.kind,
            status: lastRun.status,
            startedAt: lastRun.startedAt.toISOString(),
            finishedAt: lastRun.finishedAt?.toISOString() ?? null,
          },
    reconcile,
  }
}
