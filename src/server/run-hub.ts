/**
 * Runs as the service sees them: it starts runs in the background and answers with the run id
 * at once, keeps the live counters of every run in this process (started by the API or the
 * scheduler; it is the engine's run observer) for Server-Sent Events, and runs the other long
 * operations (reconcile) as jobs whose result is read later.
 */
import { randomUUID } from 'node:crypto'
import { toFerryError, type FerryError } from '../core/errors.js'
import { SchemeBusy } from '../engine/errors.js'
import type { Host } from '../engine/host.js'
import type { RunCounters, Stage } from '../engine/ports.js'
import { runScheme, type RunObserver, type RunOptions, type RunSummary } from '../engine/run.js'

export type RunEvent =
  | {
      readonly type: 'progress'
      readonly runId: string
      readonly schemeId: string
      readonly stage: Stage
      readonly counters: RunCounters
    }
  | {
      readonly type: 'end'
      readonly runId: string
      readonly schemeId: string
      readonly summary: RunSummary
      readonly durationMs: number
    }

interface LiveRun {
  readonly schemeId: string
  readonly stages: readonly Stage[]
  readonly startedAt: Date
  last?: RunEvent
  readonly listeners: Set<(e: RunEvent) => void>
}

export interface Job {
  readonly id: string
  readonly kind: string
  readonly schemeId: string
  status: 'running' | 'succeeded' | 'failed'
  readonly startedAt: Date
  finishedAt?: Date
  result?: unknown
  error?: ReturnType<FerryError['toJSON']>
}

/** How long a finished run stays in memory for late subscribers (the store keeps it for good). */
const KEEP_FINISHED_MS = 60_000
/** How often a follow-up asks the store whether a run in another process let go of the lease. */
const FOLLOW_UP_POLL_MS = 500

/** A target run owed to requeued records once the run holding the scheme's target lease ends. */
interface FollowUp {
  /** Whether any record it was asked for still waits to be written (none: the other run wrote them). */
  readonly due: (() => Promise<boolean>)[]
}

export class RunHub implements RunObserver {
  private readonly live = new Map<string, LiveRun>()
  private readonly jobs = new Map<string, Job>()
  private readonly pending = new Set<Promise<unknown>>()
  private readonly followUps = new Map<string, FollowUp>()
  private readonly ended = new Set<(schemeId: string) => void>()
  private readonly stopping = new AbortController()

  onRunStart(run: { runId: string; schemeId: string; stages: readonly Stage[] }): void {
    this.live.set(run.runId, {
      schemeId: run.schemeId,
      stages: run.stages,
      startedAt: new Date(),
      listeners: new Set(),
    })
  }

  onProgress(runId: string, schemeId: string, stage: Stage, counters: RunCounters): void {
    this.emit(runId, { type: 'progress', runId, schemeId, stage, counters: { ...counters } })
  }

  onRunEnd(runId: string, summary: RunSummary, durationMs: number): void {
    this.emit(runId, { type: 'end', runId, schemeId: summary.schemeId, summary, durationMs })
    for (const fn of [...this.ended]) fn(summary.schemeId)
    setTimeout(() => {
      this.live.delete(runId)
    }, KEEP_FINISHED_MS).unref()
  }

  /** The newest event of a run in this process, if it is (or was recently) running here. */
  snapshot(
    runId: string,
  ): { schemeId: string; stages: readonly Stage[]; startedAt: Date; last?: RunEvent } | undefined {
    return this.live.get(runId)
  }

  /** Listen to a run's events; returns the unsubscribe, or undefined when the run is not live here. */
  subscribe(runId: string, fn: (e: RunEvent) => void): (() => void) | undefined {
    const r = this.live.get(runId)
    if (r === undefined) return undefined
    r.listeners.add(fn)
    return () => {
      r.listeners.delete(fn)
    }
  }

  /**
   * Start a run and resolve with its id as soon as it is recorded. A run that cannot start (the
   * scheme is paused or busy) rejects with that error, so the caller can answer with it.
   */
  start(host: Host, schemeId: string, opts: Omit<RunOptions, 'onStart'>): Promise<string> {
    const scheme = host.scheme(schemeId)
    return new Promise<string>((resolve, reject) => {
      let started = false
      const run = runScheme(host.deps, scheme, {
        ...opts,
        onStart: (id) => {
          started = true
          resolve(id)
        },
      }).catch((e: unknown) => {
        if (!started) reject(e instanceof Error ? e : toFerryError(e))
        else host.deps.log.error({ scheme: scheme.id, err: toFerryError(e).toJSON() }, 'run failed after it started')
      })
      this.track(run)
    })
  }

  /**
   * Start a target run for records just requeued, now or, when a run holds the scheme's target
   * lease, as soon as that run ends: it may have made its last claim before they were requeued and
   * would leave them to the next scheduled tick. Resolves with the run id, or null when it follows
   * up later (one follow-up per scheme, which starts one run unless the busy run wrote them all).
   */
  async startOrFollowUp(
    host: Host,
    schemeId: string,
    opts: Omit<RunOptions, 'onStart'>,
    due: () => Promise<boolean>,
  ): Promise<string | null> {
    const queued = this.followUps.get(schemeId)
    if (queued !== undefined) {
      queued.due.push(due)
      return null
    }
    try {
      return await this.start(host, schemeId, opts)
    } catch (e) {
      if (!SchemeBusy.is(e)) throw e
    }
    const followUp: FollowUp = { due: [due] }
    this.followUps.set(schemeId, followUp)
    this.track(
      this.followUp(host, schemeId, opts, followUp).finally(() => {
        if (this.followUps.get(schemeId) === followUp) this.followUps.delete(schemeId)
      }),
    )
    return null
  }

  private async followUp(host: Host, schemeId: string, opts: Omit<RunOptions, 'onStart'>, f: FollowUp): Promise<void> {
    const stop = this.stopping.signal
    while (!stop.aborted) {
      await this.nextEnd(schemeId, FOLLOW_UP_POLL_MS)
      if (stop.aborted) return
      try {
        let owed = false
        for (const due of f.due) if ((owed = await due())) break
        if (!owed) return
        // A retry that joined before this run started is written by it (requeued before its first claim).
        await this.start(host, schemeId, opts)
        if (this.followUps.get(schemeId) === f) this.followUps.delete(schemeId)
        return
      } catch (e) {
        if (SchemeBusy.is(e)) continue
        host.deps.log.error({ scheme: schemeId, err: toFerryError(e).toJSON() }, 'requeued records not written')
        return
      }
    }
  }

  /** Resolves when a run of the scheme ends in this process, after `ms` (another process), or at shutdown. */
  private nextEnd(schemeId: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.ended.delete(onEnd)
        this.stopping.signal.removeEventListener('abort', done)
        resolve()
      }
      const onEnd = (id: string) => {
        if (id === schemeId) done()
      }
      const timer = setTimeout(done, ms)
      this.ended.add(onEnd)
      this.stopping.signal.addEventListener('abort', done, { once: true })
    })
  }

  /** Run a long operation in the background; its result is read with {@link job}. */
  startJob(kind: string, schemeId: string, work: () => Promise<unknown>): Job {
    const job: Job = { id: randomUUID(), kind, schemeId, status: 'running', startedAt: new Date() }
    this.jobs.set(job.id, job)
    this.track(
      work()
        .then(
          (result) => {
            job.status = 'succeeded'
            job.result = result
          },
          (e: unknown) => {
            job.status = 'failed'
            job.error = toFerryError(e).toJSON()
          },
        )
        .finally(() => {
          job.finishedAt = new Date()
        }),
    )
    return job
  }

  job(id: string): Job | undefined {
    return this.jobs.get(id)
  }

  /** Wait for every run and job started here (shutdown); follow-ups not yet started are dropped. */
  async idle(): Promise<void> {
    this.stopping.abort()
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
  }

  private emit(runId: string, e: RunEvent): void {
    const r = this.live.get(runId)
    if (r === undefined) return
    r.last = e
    for (const fn of r.listeners) fn(e)
  }
}

/** Several observers as one (the hub and the metrics both watch every run). */
export function combineObservers(...all: readonly (RunObserver | undefined)[]): RunObserver {
  const obs = all.filter((o): o is RunObserver => o !== undefined)
  return {
    onRunStart: (r) => {
      for (const o of obs) o.onRunStart?.(r)
    },
    onProgress: (id, s, st, c) => {
      for (const o of obs) o.onProgress?.(id, s, st, c)
    },
    onRunEnd: (id, sum, ms) => {
      for (const o of obs) o.onRunEnd?.(id, sum, ms)
    },
  }
}
