/** `ferry start` (and `serve`, `worker`): the scheduler loop of a process, with its alert evaluator. */
import { newestStored, type Host } from '../engine/host.js'
import { summaryText } from '../engine/report.js'
import { Scheduler } from '../engine/scheduler.js'
import { publishSchedules } from '../queue/schedule.js'
import { reconcileJob } from '../proof/schedule.js'
import { openAlertService } from '../alerts/service.js'
import { tickLine } from '../alerts/report.js'
import { out } from './command-host.js'

/**
 * Schedule every loaded scheme; resolves on SIGINT/SIGTERM after the runs in progress end.
 * `schedule: false` (`ferry serve --no-schedule`) registers no crontab: runs start only from the
 * API; the alert evaluator still runs.
 */
export async function startScheduler(h: Host, asJson: boolean, signal?: AbortSignal, schedule = true): Promise<void> {
  const scheduler = new Scheduler(h.deps, {
    onSummary: (s) => {
      if (asJson) out(JSON.stringify({ summary: s }))
      else out(summaryText(s))
    },
    onSkip: (id, stage, reason) => {
      if (!asJson) out(`skipped ${id} ${stage}: ${reason}`)
    },
    resolve: (s) => newestStored(h, s),
  })
  // With queue.redisUrl the crontabs become BullMQ job schedulers and `ferry worker`s run the
  // jobs (src/queue); this process then only publishes them (and evaluates alerts).
  const published =
    h.config.queue === undefined || !schedule ? undefined : await publishSchedules(h, h.config.queue, h.deps.log)
  if (published !== undefined)
    for (const e of published.entries)
      if (asJson) out(JSON.stringify({ queued: { id: e.id, kind: e.kind, crontab: e.crontab } }))
      else out(`queued ${e.schemeId} ${e.id.slice(e.schemeId.length + 1)} "${e.crontab}" (job scheduler ${e.id})`)
  if (!schedule && !asJson) out('schedules off (--no-schedule): runs start from the API and the console only')
  for (const s of published === undefined && schedule ? h.schemes : []) scheduler.add(s)
  // A version saved from the console runs from the next tick on, with its own crontabs.
  const unsubscribe = h.onSchemeChange((s) => {
    if (!schedule) return
    if (published === undefined) {
      scheduler.replace(s)
      for (const j of scheduler.jobs.filter((x) => x.schemeId === s.id && x.stage !== 'reconcile'))
        if (!asJson)
          out(`scheduled ${j.schemeId} ${j.stage} "${j.crontab}", next ${j.nextRun()?.toISOString() ?? 'never'}`)
      return
    }
    const queue = h.config.queue
    if (queue !== undefined)
      void publishSchedules(h, queue, h.deps.log)
        .then((p) => p.close())
        .catch((e: unknown) => {
          h.deps.log.error({ scheme: s.id, err: String(e) }, 'job schedulers of an adopted version not published')
        })
  })
  for (const [id, setting] of published === undefined && schedule ? h.reconcile : new Map<string, never>()) {
    scheduler.addReconcile(
      reconcileJob(h, id, setting, (r) => {
        if (asJson) out(JSON.stringify({ reconcile: { schemeId: id, runId: r.runId, counts: r.report.counts } }))
        else
          out(
            `reconciled ${id} ${r.report.from.toISOString()}..${r.report.to.toISOString()}: ${Object.entries(
              r.report.counts,
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')} (run ${r.runId})`,
          )
      }),
    )
  }
  for (const j of scheduler.jobs)
    if (!asJson) out(`scheduled ${j.schemeId} ${j.stage} "${j.crontab}", next ${j.nextRun()?.toISOString() ?? 'never'}`)
  // The alert evaluator (docs/alerts.md): one process evaluates at a time, under a store lease.
  const alerts = await openAlertService(h, {
    log: h.deps.log,
    clock: { now: () => h.deps.clock.now() },
    onTick: (r) => {
      for (const line of tickLine(r, asJson)) out(line)
    },
  })
  alerts.start()
  await new Promise<void>((resolve) => {
    const stop = () => {
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    signal?.addEventListener('abort', stop, { once: true })
  })
  if (!asJson) out('stopping: waiting for runs in progress')
  unsubscribe()
  await scheduler.stop()
  await alerts.stop()
  await published?.close()
}
