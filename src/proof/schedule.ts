/**
 * Scheduled reconciliation of closed windows: on a crontab, reconcile the last `days` before the
 * scheme's cursor (LAST_SYNC_TIME), so only windows the source stage has closed are judged and
 * records still on their way are not reported as missing. Each result is stored as a run of kind
 * `reconcile` with its counts (results.ts), for dashboards and alerts.
 */
import { Cron } from 'croner'
import type { ReconcileSetting } from '../config/types.js'
import type { Host } from '../engine/host.js'
import type { ReconcileJob } from '../engine/scheduler.js'
import { ReconcileRange } from './errors.js'
import { reconcileScheme, type ReconcileRun } from './run.js'

const DAY_MS = 86_400_000

/** [cursor - days, cursor): the closed part of the scheme's history, `days` long. */
export async function closedRange(host: Host, schemeIdOrName: string, days: number): Promise<{ from: Date; to: Date }> {
  const scheme = host.scheme(schemeIdOrName)
  const cursor = await host.ports.windows.lastSyncTime(scheme.id, scheme.source.api, scheme.schedule.start)
  if (cursor === undefined || !(days > 0))
    throw ReconcileRange(['(no closed window)', cursor?.toISOString() ?? '(no cursor)'])
  const from = new Date(Math.max(cursor.getTime() - days * DAY_MS, scheme.schedule.start?.getTime() ?? 0))
  if (!(from < cursor)) throw ReconcileRange([from.toISOString(), cursor.toISOString()])
  return { from, to: cursor }
}

export interface ReconcileSchedule {
  readonly schemeId: string
  /** Crontab, e.g. `0 3 * * *` (daily at 03:00). */
  readonly crontab: string
  /** How far back from the cursor to reconcile, in days (e.g. 7 for the previous week). */
  readonly days: number
  readonly timezone?: string
}

export interface ScheduledReconcile {
  readonly job: Cron
  /** Run now (what the crontab does on each tick). */
  runNow(): Promise<ReconcileRun>
  stop(): void
}

/** Schedule reconciliation; a tick still running when the next fires is skipped (croner `protect`). */
export function scheduleReconcile(
  host: Host,
  s: ReconcileSchedule,
  onResult: (r: ReconcileRun | Error) => void,
): ScheduledReconcile {
  const runNow = async () => reconcileScheme(host, s.schemeId, await closedRange(host, s.schemeId, s.days))
  const job = new Cron(
    s.crontab,
    { protect: true, ...(s.timezone === undefined ? {} : { timezone: s.timezone }) },
    async () => {
      try {
        onResult(await runNow())
      } catch (e) {
        onResult(e instanceof Error ? e : new Error(String(e)))
      }
    },
  )
  return {
    job,
    runNow,
    stop: () => {
      job.stop()
    },
  }
}

/**
 * The scheduler job for a scheme's configured reconciliation (`schemes[i].reconcile`), run by
 * `ferry start`: each tick reconciles the last `closedDays` before the cursor and stores the result.
 */
export function reconcileJob(
  host: Host,
  schemeId: string,
  setting: ReconcileSetting,
  onResult?: (r: ReconcileRun) => void,
): ReconcileJob {
  const scheme = host.scheme(schemeId)
  return {
    schemeId: scheme.id,
    crontab: setting.crontab,
    ...(scheme.schedule.timezone === undefined ? {} : { timezone: scheme.schedule.timezone }),
    run: async () => {
      const r = await reconcileScheme(host, scheme.id, {
        ...(await closedRange(host, scheme.id, setting.closedDays)),
        repair: setting.repair,
      })
      onResult?.(r)
      return r
    },
  }
}
