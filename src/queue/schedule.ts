/**
 * `ferry serve` / `ferry scheduler` with `queue.redisUrl`: every crontab becomes a BullMQ job
 * scheduler instead of a croner timer. A scheduler is keyed by its id in Redis, so any number of
 * processes may publish the same set (upsert is idempotent) and each tick still yields exactly
 * one job, which exactly one worker takes.
 */
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Host } from '../engine/host.js'
import type { EngineLogger } from '../engine/ports.js'
import { JOB_KINDS, queueName, redisConnection, type FerryJobData, type JobKind } from './jobs.js'
import type { QueueSettings } from '../config/queue.js'

export interface ScheduleEntry {
  /** The job scheduler's id: `<scheme>:<kind>` (target parts: `<scheme>:target:<i>/<n>`). */
  readonly id: string
  readonly schemeId: string
  readonly kind: JobKind
  readonly crontab: string
  readonly timezone?: string
  readonly data: FerryJobData
}

/** Every crontab of the loaded schemes (source, target parts, omissionRemedy, reconcile) as schedule entries. */
export function scheduleEntries(h: Host, q: QueueSettings): ScheduleEntry[] {
  const out: ScheduleEntry[] = []
  for (const s of h.schemes) {
    const tz = s.schedule.timezone
    const add = (kind: JobKind, crontab: string | undefined, extra: Partial<FerryJobData> = {}, suffix = '') => {
      if (crontab === undefined) return
      out.push({
        id: `${s.id}:${kind}${suffix}`,
        schemeId: s.id,
        kind,
        crontab,
        ...(tz === undefined ? {} : { timezone: tz }),
        data: { schemeId: s.id, kind, ...extra },
      })
    }
    add('source', s.schedule.sourceCron)
    if (s.target !== undefined) {
      if (q.targetParts === 1) add('target', s.schedule.targetCron)
      else
        for (let i = 0; i < q.targetParts; i++)
          add('target', s.schedule.targetCron, { part: { index: i, of: q.targetParts } }, `:${i}/${q.targetParts}`)
    }
    add('remedy', s.source.remedyCrontab)
    add('reconcile', h.reconcile.get(s.id)?.crontab)
  }
  return out
}

export interface PublishedSchedules {
  readonly entries: readonly ScheduleEntry[]
  /** Job schedulers removed because no loaded scheme has them any more. */
  readonly removed: readonly string[]
  /** Next fire time of each entry, as BullMQ computed it. */
  next(): Promise<Map<string, Date | undefined>>
  close(): Promise<void>
}

/** Jobs a worker handles; completed and failed ones are kept (for inspection) up to a bound. */
export function jobOptions(leaseTtlMs: number) {
  return {
    attempts: 3,
    // A job retried (a stalled worker's, or one that met a system error) waits out a lease first.
    backoff: { type: 'fixed' as const, delay: leaseTtlMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  }
}

/** Open one Queue per job kind on a shared connection. */
export function openQueues(q: QueueSettings, connection: Redis): Map<JobKind, Queue<FerryJobData>> {
  return new Map(JOB_KINDS.map((k) => [k, new Queue<FerryJobData>(queueName(k), { connection, prefix: q.prefix })]))
}

/**
 * Upsert a job scheduler for every entry and remove the ones no loaded scheme has (a scheme that
 * was disabled or deleted stops firing). Processes publishing different configurations at once
 * (a rolling upgrade) would remove each other's: the last one to start wins.
 */
export async function publishSchedules(h: Host, q: QueueSettings, log: EngineLogger): Promise<PublishedSchedules> {
  const connection = redisConnection(q, 'ferry-scheduler')
  const queues = openQueues(q, connection)
  const entries = scheduleEntries(h, q)
  const opts = jobOptions(h.deps.leaseTtlMs ?? 60_000)
  const removed: string[] = []
  try {
    for (const e of entries) {
      const queue = queues.get(e.kind)
      if (queue === undefined) continue
      await queue.upsertJobScheduler(
        e.id,
        { pattern: e.crontab, ...(e.timezone === undefined ? {} : { tz: e.timezone }) },
        { name: e.kind, data: e.data, opts },
      )
    }
    const wanted = new Set(entries.map((e) => `${e.kind}\u0000${e.id}`))
    for (const [kind, queue] of queues) {
      for (const s of await queue.getJobSchedulers(0, -1)) {
        if (wanted.has(`${kind}\u0000${s.key}`)) continue
        await queue.removeJobScheduler(s.key)
        removed.push(s.key)
      }
    }
  } catch (e) {
    await Promise.allSettled([...queues.values()].map((x) => x.close()))
    connection.disconnect()
    throw e
  }
  if (removed.length > 0) log.info({ removed }, 'job schedulers of schemes no longer loaded removed')
  return {
    entries,
    removed,
    async next() {
      const out = new Map<string, Date | undefined>()
      for (const [kind, queue] of queues)
        for (const s of await queue.getJobSchedulers(0, -1))
          out.set(`${kind}:${s.key}`, s.next === undefined ? undefined : new Date(s.next))
      return out
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((x) => x.close()))
      connection.disconnect()
    },
  }
}
