/**
 * `ferry worker`: takes jobs off the BullMQ queues and runs them with the engine exactly as one
 * process would (runScheme under the scheme's store leases, every write fenced by the lease's
 * token). BullMQ adds what one process did not need: a job whose worker died (SIGKILL, lost host)
 * goes back to the queue after its lock expires (stalled-job recovery), and SIGTERM lets the
 * jobs in progress finish, or hands them back to the queue, within a timeout.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import { toFerryError } from '../core/errors.js'
import { SchemeBusy, SchemePaused } from '../engine/errors.js'
import { newestStored, type Host } from '../engine/host.js'
import type { EngineLogger } from '../engine/ports.js'
import { runScheme } from '../engine/run.js'
import { Scheduler } from '../engine/scheduler.js'
import { reconcileJob } from '../proof/schedule.js'
import { QueueSchemeUnknown } from './errors.js'
import {
  queueName,
  redactedRedisUrl,
  redisConnection,
  stageOf,
  type FerryJobData,
  type FerryJobResult,
  type JobKind,
} from './jobs.js'
import type { QueueSettings } from '../config/queue.js'

export interface WorkerOptions {
  readonly host: Host
  readonly queue: QueueSettings
  /** Which job kinds this worker takes (default all). */
  readonly kinds: readonly JobKind[]
  /** Jobs run at once per kind. */
  readonly concurrency: number
  /** How long SIGTERM waits for jobs in progress before handing them back (default 30 s). */
  readonly shutdownTimeoutMs?: number
  readonly log: EngineLogger
  /** Told about each finished job (metrics). */
  readonly onJob?: (kind: JobKind, outcome: JobOutcome) => void
}

/** How a job ended on this worker. */
export type JobOutcome = 'ok' | 'failed' | 'skipped' | 'retried' | 'handed_back'

export interface ActiveJob {
  readonly id: string
  readonly kind: JobKind
  readonly schemeId: string
  readonly part?: string
  readonly startedAt: string
}

export interface WorkerHealth {
  readonly status: 'running' | 'stopping' | 'stopped'
  readonly id: string
  readonly redis: string
  readonly prefix: string
  readonly kinds: readonly JobKind[]
  readonly concurrency: number
  readonly active: readonly ActiveJob[]
  readonly finished: Readonly<Record<JobOutcome, number>>
  readonly startedAt: string
}

const DEFAULT_SHUTDOWN_MS = 30_000

/** Why a job's signal was aborted by the worker itself: it is stopping and hands the job back. */
const SHUTDOWN = 'worker shutting down'

export class FerryWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  private readonly workers: Worker<FerryJobData, FerryJobResult>[] = []
  private readonly active = new Map<string, ActiveJob>()
  private readonly finished: Record<JobOutcome, number> = {
    ok: 0,
    failed: 0,
    skipped: 0,
    retried: 0,
    handed_back: 0,
  }
  private state: WorkerHealth['status'] = 'running'
  private readonly startedAt = new Date().toISOString()
  private readonly reconciler: Scheduler
  private stopped: Promise<void> | undefined

  private constructor(
    private readonly o: WorkerOptions,
    private readonly connection: Redis,
  ) {
    this.reconciler = new Scheduler(o.host.deps)
  }

  /** Connect and start taking jobs. */
  static async start(o: WorkerOptions): Promise<FerryWorker> {
    const connection = redisConnection(o.queue, 'ferry-worker')
    const w = new FerryWorker(o, connection)
    // Hold a job's lock as long as the engine holds a lease: a worker that stops answering loses
    // both at about the same time, and its job is handed to another worker.
    const lockDuration = Math.max(5_000, o.host.deps.leaseTtlMs ?? 60_000)
    for (const kind of o.kinds) {
      const worker = new Worker<FerryJobData, FerryJobResult>(
        queueName(kind),
        (job, token, signal) => w.process(kind, job, token, signal),
        {
          connection,
          prefix: o.queue.prefix,
          concurrency: o.concurrency,
          lockDuration,
          stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
          // A job whose workers keep dying is failed (and kept for inspection) after a few tries.
          maxStalledCount: 3,
          autorun: false,
        },
      )
      worker.on('error', (e) => {
        o.log.warn({ err: toFerryError(e).message, queue: queueName(kind) }, 'queue worker error')
      })
      w.workers.push(worker)
    }
    await Promise.all(w.workers.map((x) => x.waitUntilReady()))
    for (const x of w.workers) void x.run()
    o.log.info(
      { worker: w.id, redis: redactedRedisUrl(o.queue.redisUrl), kinds: o.kinds, concurrency: o.concurrency },
      'worker started',
    )
    return w
  }

  health(): WorkerHealth {
    return {
      status: this.state,
      id: this.id,
      redis: redactedRedisUrl(this.o.queue.redisUrl),
      prefix: this.o.queue.prefix,
      kinds: this.o.kinds,
      concurrency: this.o.concurrency,
      active: [...this.active.values()],
      finished: { ...this.finished },
      startedAt: this.startedAt,
    }
  }

  private count(kind: JobKind, outcome: JobOutcome): void {
    this.finished[outcome]++
    this.o.onJob?.(kind, outcome)
  }

  private async process(
    kind: JobKind,
    job: Job<FerryJobData, FerryJobResult>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FerryJobResult> {
    const d = job.data
    const id = job.id ?? randomUUID()
    this.active.set(id, {
      id,
      kind,
      schemeId: d.schemeId,
      ...(d.part === undefined ? {} : { part: `${d.part.index}/${d.part.of}` }),
      startedAt: new Date().toISOString(),
    })
    try {
      const r = await this.runJob(kind, job, signal)
      if (r.status === 'failed')
        this.o.log.warn({ job: id, scheme: d.schemeId, kind, code: r.code, run: r.runId }, 'job run failed')
      this.count(kind, r.status)
      return r
    } catch (e) {
      if (signal?.aborted === true && signal.reason === SHUTDOWN && token !== undefined) {
        // Hand the job back: another worker (or this one, restarted) takes it from the start.
        await job.moveToWait(token)
        this.count(kind, 'handed_back')
        throw new WaitingError()
      }
      this.count(kind, e instanceof UnrecoverableError ? 'failed' : 'retried')
      throw e
    } finally {
      this.active.delete(id)
    }
  }

  private async runJob(
    kind: JobKind,
    job: Job<FerryJobData, FerryJobResult>,
    signal: AbortSignal | undefined,
  ): Promise<FerryJobResult> {
    const d = job.data
    const h = this.o.host
    const loaded = h.schemes.find((s) => s.id === d.schemeId)
    if (loaded === undefined) throw new UnrecoverableError(QueueSchemeUnknown([d.schemeId, kind]).message)
    // A version saved from the console since this worker started runs from its next job on.
    const scheme = await newestStored(h, loaded)
    if (kind === 'reconcile') {
      const setting = h.reconcile.get(scheme.id)
      if (setting === undefined)
        throw new UnrecoverableError(QueueSchemeUnknown([d.schemeId, 'reconcile (no schemes[].reconcile)']).message)
      const ran = await this.reconciler.tickReconcile(reconcileJob(h, scheme.id, setting))
      return ran ? { status: 'ok' } : { status: 'skipped', reason: 'reconciled elsewhere, or it failed (see the log)' }
    }
    try {
      const summary = await runScheme(h.deps, scheme, {
        stages: [stageOf(kind)],
        // A target job that starts while its scheme's source job reads follows it to the end.
        followSource: kind === 'target',
        ...(d.part === undefined ? {} : { targetPart: d.part }),
        ...(d.range === undefined
          ? {}
          : {
              range: {
                ...(d.range.from === undefined ? {} : { from: new Date(d.range.from) }),
                ...(d.range.to === undefined ? {} : { to: new Date(d.range.to) }),
              },
            }),
        ...(signal === undefined ? {} : { signal }),
      })
      // A run stopped by the shutdown is handed back rather than recorded as this job's outcome.
      if (signal?.aborted === true && signal.reason === SHUTDOWN) throw new Error(SHUTDOWN)
      return {
        status: summary.status === 'skipped' ? 'skipped' : summary.status,
        ...(summary.runId === undefined ? {} : { runId: summary.runId }),
        ...(summary.error === undefined ? {} : { code: summary.error.code }),
      }
    } catch (e) {
      if (SchemePaused.is(e)) return { status: 'skipped', code: 'ERR_SCHEME_PAUSED', reason: toFerryError(e).message }
      if (SchemeBusy.is(e)) {
        // A fresh tick that finds the stage running is skipped, as in one process. A job taken
        // back from a worker that died retries after the lease: its work must not wait a tick.
        if (job.stalledCounter > 0 || job.attemptsStarted > 1) throw e
        return { status: 'skipped', code: 'ERR_SCHEME_BUSY', reason: toFerryError(e).message }
      }
      throw e
    }
  }

  /**
   * Stop taking jobs; wait up to the shutdown timeout for the jobs in progress, then abort them
   * (their runs stop, release their leases) and hand them back to the queue.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.state = 'stopping'
      const timeout = this.o.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_MS
      const closing = Promise.all(this.workers.map((w) => w.close()))
      const timer = setTimeout(() => {
        if (this.active.size > 0)
          this.o.log.warn({ jobs: [...this.active.keys()] }, 'shutdown timeout: handing the jobs in progress back')
        for (const w of this.workers) w.cancelAllJobs(SHUTDOWN)
      }, timeout)
      try {
        await closing
      } finally {
        clearTimeout(timer)
        await this.reconciler.stop()
        this.connection.disconnect()
        this.state = 'stopped'
      }
    })()
    return this.stopped
  }
}
