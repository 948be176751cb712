/**
 * Runs every scheme's stages on their crontabs (croner). A stage never runs twice at once: in
 * this process a tick that finds the previous run still going is skipped and logged, and across
 * processes the store lease (taken by runScheme) makes the second runner skip.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { Cron } from 'croner'
import { toFerryError } from '../core/errors.js'
import { SchemeBusy, SchemePaused } from './errors.js'
import type { EngineScheme, Stage } from './ports.js'
import { DEFAULT_LEASE_TTL_MS, runScheme, type EngineDeps, type RunSummary } from './run.js'

/** A scheduled job's kind: a run stage, or the scheme's scheduled reconciliation of closed windows. */
export type ScheduledStage = Stage | 'reconcile'

export interface ScheduledJob {
  readonly schemeId: string
  readonly stage: ScheduledStage
  readonly crontab: string
  nextRun(): Date | null
}

export interface SchedulerOptions {
  readonly timezone?: (scheme: EngineScheme) => string | undefined
  readonly onSummary?: (s: RunSummary) => void
  readonly onSkip?: (schemeId: string, stage: ScheduledStage, reason: string) => void
  /**
   * The definition a tick runs (the host's newest stored version: one saved from the console by
   * another process runs from this process's next tick on); default: the scheme as added.
   */
  readonly resolve?: (scheme: EngineScheme) => Promise<EngineScheme>
}

/**
 * A scheme's scheduled reconciliation (config `schemes[i].reconcile`). The runner is injected
 * (the proof code builds on the engine host, so the engine does not import it).
 */
export interface ReconcileJob {
  readonly schemeId: string
  readonly crontab: string
  readonly timezone?: string
  /** Reconcile the closed windows and store the result. */
  readonly run: () => Promise<unknown>
}

/** The store lease of a scheme's scheduled reconciliation, distinct from its source/target stage leases. */
export function reconcileLeaseName(schemeId: string): string {
  return `scheme:${schemeId}:reconcile`
}

const defaultReconcileHolder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

export class Scheduler {
  private readonly crons: { schemeId: string; stage: ScheduledStage; cron: Cron }[] = []
  private readonly running = new Map<string, Promise<void>>()
  readonly jobs: ScheduledJob[] = []
  private stopped = false

  constructor(
    private readonly deps: EngineDeps,
    private readonly opts: SchedulerOptions = {},
  ) {}

  /** Register a scheme's source, target and omissionRemedy crontabs. */
  add(scheme: EngineScheme): void {
    const entries: [Stage, string | undefined][] = [
      ['source', scheme.schedule.sourceCron],
      ['target', scheme.target === undefined ? undefined : scheme.schedule.targetCron],
      ['remedy', scheme.source.remedyCrontab],
    ]
    const tz = this.opts.timezone?.(scheme) ?? scheme.schedule.timezone
    for (const [stage, crontab] of entries) {
      if (crontab === undefined) continue
      const cron = new Cron(crontab, { ...(tz === undefined ? {} : { timezone: tz }) }, () => {
        void this.tick(scheme, stage)
      })
      this.crons.push({ schemeId: scheme.id, stage, cron })
      this.jobs.push({ schemeId: scheme.id, stage, crontab, nextRun: () => cron.nextRun() })
    }
  }

  /**
   * Schedule a scheme's new definition (a version adopted without a restart) in place of the old
   * one: its stage crontabs are re-read, and each tick from now on runs the new definition. A run
   * in progress finishes with the definition it started with. Its reconciliation is kept.
   */
  replace(scheme: EngineScheme): void {
    if (this.stopped) return
    const keep = (x: { schemeId: string; stage: ScheduledStage }) => x.schemeId !== scheme.id || x.stage === 'reconcile'
    for (const c of this.crons) if (!keep(c)) c.cron.stop()
    this.crons.splice(0, this.crons.length, ...this.crons.filter(keep))
    this.jobs.splice(0, this.jobs.length, ...this.jobs.filter(keep))
    this.add(scheme)
  }

  /** Run one stage now unless it is already running here; resolves when that run ends. */
  async tick(scheme: EngineScheme, stage: Stage): Promise<RunSummary | undefined> {
    const key = `${scheme.id}:${stage === 'target' ? 'target' : 'source'}`
    if (this.running.has(key)) {
      this.skip(scheme.id, stage, 'the previous run is still going')
      return undefined
    }
    let summary: RunSummary | undefined
    const run = (async () => {
      try {
        const current = this.opts.resolve === undefined ? scheme : await this.opts.resolve(scheme)
        // A target tick follows a source run that is reading (both crontabs often share a
        // minute): it writes the records as they are stored instead of leaving them to its next tick.
        summary = await runScheme(this.deps, current, {
          stages: [stage],
          ...(stage === 'target' ? { followSource: true } : {}),
        })
        this.opts.onSummary?.(summary)
      } catch (e) {
        if (SchemeBusy.is(e) || SchemePaused.is(e)) this.skip(scheme.id, stage, toFerryError(e).message)
        else this.deps.log.error({ scheme: scheme.id, stage, err: toFerryError(e).toJSON() }, 'scheduled run failed')
      }
    })()
    this.running.set(key, run)
    try {
      await run
    } finally {
      this.running.delete(key)
    }
    return summary
  }

  /** Register a scheme's scheduled reconciliation of closed windows. */
  addReconcile(job: ReconcileJob): void {
    const cron = new Cron(job.crontab, { ...(job.timezone === undefined ? {} : { timezone: job.timezone }) }, () => {
      void this.tickReconcile(job)
    })
    this.crons.push({ schemeId: job.schemeId, stage: 'reconcile', cron })
    this.jobs.push({ schemeId: job.schemeId, stage: 'reconcile', crontab: job.crontab, nextRun: () => cron.nextRun() })
  }

  /**
   * Reconcile now unless a reconciliation of the scheme is already running (here, or in another
   * process holding its lease); resolves to whether it ran, when it ends.
   */
  async tickReconcile(job: ReconcileJob): Promise<boolean> {
    const key = `${job.schemeId}:reconcile`
    if (this.running.has(key)) {
      this.skip(job.schemeId, 'reconcile', 'the previous run is still going')
      return false
    }
    let ran = false
    const run = (async () => {
      const holder = this.deps.holder ?? defaultReconcileHolder
      const lease = reconcileLeaseName(job.schemeId)
      const ttl = this.deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
      try {
        const held = await this.deps.ports.leases.acquire(lease, holder, ttl)
        if (held === undefined) {
          const other = (await this.deps.ports.leases.holder(lease))?.holder ?? 'another process'
          this.skip(job.schemeId, 'reconcile', `${other} is reconciling it`)
          return
        }
        // A reconcile of many days outlasts a short lease: keep it while it runs.
        const renew = setInterval(
          () => {
            this.deps.ports.leases.renew(held, ttl).catch(() => undefined)
          },
          Math.max(250, Math.floor(ttl / 6)),
        )
        renew.unref()
        try {
          ran = true
          await job.run()
        } finally {
          clearInterval(renew)
          await this.deps.ports.leases.release(held)
        }
      } catch (e) {
        this.deps.log.error(
          { scheme: job.schemeId, stage: 'reconcile', err: toFerryError(e).toJSON() },
          'scheduled reconcile failed',
        )
      }
    })()
    this.running.set(key, run)
    try {
      await run
    } finally {
      this.running.delete(key)
    }
    return ran
  }

  private skip(schemeId: string, stage: ScheduledStage, reason: string): void {
    this.deps.log.warn({ scheme: schemeId, stage, reason }, 'scheduled run skipped')
    this.opts.onSkip?.(schemeId, stage, reason)
  }

  /** Stop firing and wait for the runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const c of this.crons) c.cron.stop()
    await Promise.allSettled([...this.running.values()])
  }
}
