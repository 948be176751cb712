/**
 * One run of a scheme: the source stage and the target stage overlap (the target drains records
 * while pages are still arriving), each under its own lease so a scheme never runs twice at once,
 * even across processes. Every run is recorded with its counters.
 */
import { Broadcast } from './broadcast.js'
import { randomUUID } from 'node:crypto'
import { getMaxListeners, setMaxListeners } from 'node:events'
import { hostname } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { toFerryError, type FerryError } from '../core/errors.js'
import { LeaseLost, SchemeBusy, SchemePaused } from './errors.js'
import { LeaseGuard } from './lease-guard.js'
import type { Lease } from '../store/index.js'
import { recordRunEnd } from './run-end.js'
import type { LookupEvents } from './lookup-cache.js'
import { defaultRetryPolicy, retryPolicyFor, type RetryPolicy } from './retry.js'
import { runRemedyStage, runSourceStage, type SourceRange } from './source-stage.js'
import { runTargetStage } from './target-stage.js'
import type { QualitySummaryEntry } from '../quality/rules.js'
import { ledgerCounts, scheduledLater, type ScheduledGroup } from './scheduled.js'
import {
  emptyCounters,
  type BudgetUsage,
  type Clock,
  type ConnectionResolver,
  type EngineLogger,
  type EnginePorts,
  type EngineScheme,
  type RecordStatus,
  type RunCounters,
  type Stage,
} from './ports.js'

export interface EngineDeps {
  readonly ports: EnginePorts
  readonly connections: ConnectionResolver
  readonly clock: Clock
  readonly log: EngineLogger
  readonly retry?: RetryPolicy
  /** Identifies this process in leases. */
  readonly holder?: string
  /** Lease time-to-live (`engine.leaseTtlSeconds`; default 60 s); renewed every sixth of it. */
  readonly leaseTtlMs?: number
  /** Records claimed per target batch (`engine.batchSize`; default 100). groupCalculate groups within one batch. */
  readonly batchSize?: number
  /** Told about every run's start, progress and end (the service's live progress and metrics). */
  readonly observer?: RunObserver
  /** The lookup cache (lookup-cache.ts), told when runs start, batches are claimed and records stored. */
  readonly lookups?: LookupEvents
}

/**
 * Watches runs without steering them: the HTTP service streams progress over SSE and feeds
 * metrics from it. Called synchronously; an observer must not throw (what it throws is logged).
 */
export interface RunObserver {
  onRunStart?(run: { runId: string; schemeId: string; stages: readonly Stage[] }): void
  onProgress?(runId: string, schemeId: string, stage: Stage, counters: RunCounters): void
  onRunEnd?(runId: string, summary: RunSummary, durationMs: number): void
}

export interface RunOptions {
  /** Which stages to run; default both. `remedy` runs the omissionRemedy query instead of windows. */
  readonly stages?: readonly Stage[]
  readonly range?: SourceRange
  readonly signal?: AbortSignal
  /** Progress callback per stage. */
  readonly onProgress?: (stage: Stage, c: RunCounters) => void
  /** Called once the run is recorded (leases taken), with its id, before any stage starts. */
  readonly onStart?: (runId: string) => void
  /**
   * One part of a target stage split across workers (src/queue): each part holds a lease of its
   * own (`scheme:<id>:target:<index>/<of>`) and claims groups beside the others (SKIP LOCKED).
   * Absent: the whole stage under the scheme's one target lease, as always.
   */
  readonly targetPart?: { readonly index: number; readonly of: number }
  /**
   * A target-only run keeps draining while the scheme's source stage runs in another run (its
   * source lease is held), and ends once it is not: a target job that starts while the source job
   * reads writes the records as they are stored, as the target stage of one run does. `ferry
   * worker` sets it for target jobs and the Scheduler (`ferry start`, `serve`) for target ticks.
   * Absent: the run ends as soon as nothing is due.
   */
  readonly followSource?: boolean
}

export interface RunSummary {
  /** The recorded run (absent only in summaries built outside runScheme). */
  readonly runId?: string
  readonly schemeId: string
  readonly stages: readonly Stage[]
  readonly counters: RunCounters
  readonly windowsPlanned: number
  readonly windowsClosed: number
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly error?: FerryError
  readonly ledger: Partial<Record<RecordStatus, number>>
  /** Set for a scheme without a target (master data): its records are collection rows, stored and settled, never written. */
  readonly collection?: true
  /** Failures of the scheme's `target.quality` rules in this run (absent when none failed). */
  readonly quality?: readonly QualitySummaryEntry[]
  /** What the run leaves scheduled for later (retry ladder, pending probes), by reason; [] = nothing. */
  readonly scheduled?: readonly ScheduledGroup[]
}

/** How often a target run following a source run elsewhere looks for its lease (and new records). */
const FOLLOW_POLL_MS = 500

const defaultHolder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

export const DEFAULT_LEASE_TTL_MS = 60_000

function schemeLeaseName(schemeId: string, stage: 'source' | 'target'): string {
  return `scheme:${schemeId}:${stage}`
}

/** The lease a part of a split target stage holds (RunOptions.targetPart). */
export function targetPartLeaseName(schemeId: string, part: { index: number; of: number }): string {
  return `scheme:${schemeId}:target:${part.index}/${part.of}`
}

/** Calls and throttled answers between two readings of the budgets; a budget opened in between started at zero. */
function budgetDelta(
  before: ReadonlyMap<string, BudgetUsage>,
  after: ReadonlyMap<string, BudgetUsage> | undefined,
): BudgetUsage {
  let calls = 0
  let throttled = 0
  for (const [key, a] of after ?? []) {
    const b = before.get(key)
    calls += Math.max(0, a.calls - (b?.calls ?? 0))
    throttled += Math.max(0, a.throttled - (b?.throttled ?? 0))
  }
  return { calls, throttled }
}

/**
 * Run the requested stages of one scheme once. Throws SchemeBusy when a lease is held elsewhere
 * and SchemePaused when the scheme is paused; every other failure is returned in the summary.
 */
export async function runScheme(deps: EngineDeps, scheme: EngineScheme, opts: RunOptions = {}): Promise<RunSummary> {
  const stages = opts.stages ?? (scheme.target === undefined ? ['source'] : ['source', 'target'])
  const holder = deps.holder ?? defaultHolder
  const ttl = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS
  const part = opts.targetPart
  const leaseName = (id: string, stage: 'source' | 'target') =>
    stage === 'target' && part !== undefined ? targetPartLeaseName(id, part) : schemeLeaseName(id, stage)
  const paused = await deps.ports.schemes.pausedReason(scheme.id)
  if (paused !== undefined) throw SchemePaused([scheme.id, paused])

  const wantsSource = stages.includes('source') || stages.includes('remedy')
  const wantsTarget = stages.includes('target') && scheme.target !== undefined
  const held: Lease[] = []
  const release = async () => {
    for (const l of held) await deps.ports.leases.release(l)
  }
  // Fencing: writes carry each lease's token (the store refuses them once it moved on) and stop
  // before a request leaves once the lease is lost or overdue (lease-guard.ts).
  const guard = new LeaseGuard(ttl)
  for (const [want, stage] of [
    [wantsSource, 'source'],
    [wantsTarget, 'target'],
  ] as const) {
    if (!want) continue
    const sentAt = guard.stamp()
    const lease = await deps.ports.leases.acquire(leaseName(scheme.id, stage), holder, ttl)
    if (lease === undefined) {
      const other = (await deps.ports.leases.holder(leaseName(scheme.id, stage)))?.holder ?? 'another process'
      await release()
      throw SchemeBusy([scheme.id, stage, other])
    }
    held.push(lease)
    guard.acquired(leaseName(scheme.id, stage), sentAt)
  }
  // Long runs keep their leases alive; a crashed process lets them expire (or, on this host, is
  // taken over at once). A renewal refused means another worker holds the lease: stop.
  const renew = setInterval(
    () => {
      for (const l of held) {
        const sentAt = guard.stamp()
        deps.ports.leases.renew(l, ttl).then(
          (ok) => {
            if (ok !== undefined) guard.renewed(l.name, sentAt)
            else guard.lost(l.name, 'the renewal was refused: it expired and another worker may hold it')
          },
          (e: unknown) => deps.log.warn({ err: toFerryError(e).message }, 'lease renewal failed'),
        )
      }
    },
    Math.max(250, Math.floor(ttl / 6)),
  )
  renew.unref()
  const signal = opts.signal === undefined ? guard.signal : AbortSignal.any([opts.signal, guard.signal])
  const stagePorts = (stage: 'source' | 'target') => {
    const l = held.find((h) => h.name === leaseName(scheme.id, stage))
    return l === undefined ? deps.ports : deps.ports.fenced({ lease: l.name, token: l.token })
  }

  const counters = emptyCounters()
  const runStage: Stage = stages.includes('remedy') ? 'remedy' : (stages[0] ?? 'source')
  deps.lookups?.runStarted()
  const runId = await deps.ports.runs.start(scheme.id, runStage, {
    stages: [...stages],
    ...(opts.range?.from === undefined ? {} : { from: opts.range.from.toISOString() }),
    ...(opts.range?.to === undefined ? {} : { to: opts.range.to.toISOString() }),
  })
  const startedMs = Date.now()
  const observe = (what: string, fn: () => void) => {
    try {
      fn()
    } catch (e) {
      deps.log.warn({ err: toFerryError(e).message, what }, 'run observer failed')
    }
  }
  observe('start', () => deps.observer?.onRunStart?.({ runId, schemeId: scheme.id, stages }))
  opts.onStart?.(runId)
  const progress = (stage: Stage, c: RunCounters) => {
    opts.onProgress?.(stage, c)
    if (deps.observer?.onProgress !== undefined)
      observe('progress', () => deps.observer?.onProgress?.(runId, scheme.id, stage, c))
  }
  // The target stage waits on it for the next stored page.
  const pageSignal = new Broadcast()
  // Every call in flight (and every budget wait) listens on the run's signal for as long as it
  // lasts; with a large in-flight budget that is far more than Node's default of 10, which is not
  // a leak (each listener is removed when its call ends) but prints MaxListenersExceededWarning.
  if (getMaxListeners(signal) !== 0 && getMaxListeners(signal) < 1000) setMaxListeners(1000, signal)
  let sourceRunning = wantsSource
  // The source stage in another run (another worker's source job) also feeds this target stage.
  const follow = wantsTarget && !wantsSource && opts.followSource === true
  const sourceHeld = async (): Promise<boolean> => {
    try {
      return (await deps.ports.leases.holder(schemeLeaseName(scheme.id, 'source'))) !== undefined
    } catch (e) {
      deps.log.warn({ err: toFerryError(e).message, scheme: scheme.id }, 'source lease look-up failed')
      return false
    }
  }
  let sourceElsewhere = follow && (await sourceHeld())
  const pollSource = async (): Promise<void> => {
    try {
      await delay(FOLLOW_POLL_MS, undefined, { signal })
    } catch {
      return
    }
    sourceElsewhere = await sourceHeld()
  }
  let windowsPlanned = 0
  let windowsClosed = 0
  let error: FerryError | undefined
  const quality = wantsTarget ? scheme.target?.qualityRun?.() : undefined
  // The budgets live as long as the process: the run's own calls are the difference of two readings.
  const budgetConnections = [
    ...(wantsSource ? [scheme.source.connection] : []),
    ...(wantsTarget && scheme.target !== undefined ? [scheme.target.connection] : []),
  ]
  const budgetsBefore = deps.connections.budgetUsage?.(budgetConnections)
  try {
    const sourceDeps = async () => ({
      ports: stagePorts('source'),
      clock: deps.clock,
      log: deps.log,
      runtime: await deps.connections.source(scheme.source.connection),
      ...(deps.lookups === undefined ? {} : { lookups: deps.lookups }),
      onPage: (c: RunCounters) => {
        pageSignal.fire()
        progress('source', c)
      },
      signal,
    })
    const source = wantsSource
      ? (async () => {
          try {
            const d = await sourceDeps()
            const r = stages.includes('remedy')
              ? await runRemedyStage(d, scheme, counters)
              : await runSourceStage(d, scheme, counters, opts.range)
            windowsPlanned = r.windowsPlanned
            windowsClosed = r.windowsClosed
            if (r.error !== undefined) error ??= r.error
          } finally {
            sourceRunning = false
            pageSignal.fire()
          }
        })()
      : Promise.resolve()
    const target =
      wantsTarget && scheme.target !== undefined
        ? (async () => {
            const t = scheme.target
            if (t === undefined) return
            const ports = stagePorts('target')
            // Claims left by an earlier holder of this lease are void: its writes are fenced. The
            // fenced ledger frees only claims made under this lease, never those of the parts of a
            // split stage (or of the whole stage, for a part): theirs expire instead.
            await ports.ledger.releaseClaims(scheme.id)
            const e = await runTargetStage(
              {
                ports,
                clock: deps.clock,
                log: deps.log,
                runtime: await deps.connections.target(t.connection),
                leaseCheck: () => guard.check(leaseName(scheme.id, 'target')),
                ...(deps.lookups === undefined ? {} : { lookups: deps.lookups }),
                retry: retryPolicyFor(deps.retry ?? defaultRetryPolicy, scheme.retry),
                concurrency: deps.connections.inFlight(t.connection),
                // A claim that expires mid-batch is safe: the write intent is made under the claim's
                // token, and refused once another part (or a whole-stage run) claimed the record.
                claimTtlMs: ttl,
                ...(deps.batchSize === undefined ? {} : { batchSize: deps.batchSize }),
                onUnit: (c) => {
                  progress('target', c)
                },
                ...(quality === undefined ? {} : { quality }),
                ...(deps.clock.sleep === undefined
                  ? {}
                  : { sleep: (ms: number, s?: AbortSignal) => deps.clock.sleep!(ms, s) }),
                signal,
              },
              scheme,
              counters,
              follow
                ? { sourceRunning: () => sourceElsewhere, nextSourceEvent: pollSource }
                : { sourceRunning: () => sourceRunning, nextSourceEvent: () => pageSignal.wait() },
            )
            if (e !== undefined) error ??= e
          })()
        : Promise.resolve()
    const settled = await Promise.allSettled([source, target])
    for (const s of settled) if (s.status === 'rejected') error ??= toFerryError(s.reason)
    // What the stages failed with after losing a lease (aborted calls, fenced writes) follows from it.
    // A fenced write can reach the stage before the guard notices: it is the same loss, one code.
    if (guard.error === undefined && error?.code === 'ERR_STORE_LEASE_FENCED')
      error = LeaseLost([scheme.id, error.message], { cause: error })
    error = guard.error ?? error
  } finally {
    clearInterval(renew)
    await release()
  }
  const status = error === undefined ? 'ok' : 'failed'
  const qualitySummary = quality?.summary() ?? []
  const budget =
    budgetsBefore === undefined
      ? undefined
      : budgetDelta(budgetsBefore, deps.connections.budgetUsage?.(budgetConnections))
  await recordRunEnd(deps.ports.runs, runId, {
    status,
    stage: runStage,
    counters,
    ...(qualitySummary.length === 0 ? {} : { quality: qualitySummary }),
    ...(budget === undefined ? {} : { budget }),
    ...(error === undefined ? {} : { error: { code: error.code, kind: error.kind, message: error.message } }),
  })
  const summary: RunSummary = {
    runId,
    schemeId: scheme.id,
    stages,
    counters,
    windowsPlanned,
    windowsClosed,
    status,
    ledger: await ledgerCounts(deps.ports.ledger, scheme.id),
    ...(scheme.target === undefined ? { collection: true as const } : {}),
    ...(qualitySummary.length === 0 ? {} : { quality: qualitySummary }),
    ...(wantsTarget ? { scheduled: await scheduledLater(deps.ports, scheme.id) } : {}),
    ...(error === undefined ? {} : { error }),
  }
  deps.log.info(
    { scheme: scheme.id, stages, status, counters, ...(error === undefined ? {} : { code: error.code }) },
    'run finished',
  )
  observe('end', () => deps.observer?.onRunEnd?.(runId, summary, Date.now() - startedMs))
  return summary
}
