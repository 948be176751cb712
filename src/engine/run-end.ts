/**
 * What a finished run leaves in the run table: its counters under its stage, its own vendor calls
 * and throttled answers under the `budget` stage (the `throttled` alert rule reads them), its
 * quality summary, then its status and error. Written through the store's run repository as it is.
 */
import { storeQualitySummary } from '../quality/summary.js'
import type { QualitySummaryEntry } from '../quality/rules.js'
import { BUDGET_STAGE } from '../store/index.js'
import type { BudgetUsage, RecordError, RunCounters, RunPort, Stage } from './ports.js'

export interface RunEnd {
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly stage: Stage
  readonly counters: RunCounters
  readonly error?: RecordError
  readonly quality?: readonly QualitySummaryEntry[]
  /** The run's own vendor calls and throttled answers. */
  readonly budget?: BudgetUsage
}

export async function recordRunEnd(runs: RunPort, runId: string, r: RunEnd): Promise<void> {
  await runs.add(runId, r.stage, counterDelta(r.counters))
  if (r.budget !== undefined)
    await runs.add(runId, BUDGET_STAGE, { calls: r.budget.calls, throttled: r.budget.throttled })
  if (r.quality !== undefined && r.quality.length > 0) await storeQualitySummary(runs, runId, r.quality)
  await runs.finish(
    runId,
    r.status === 'ok' ? 'succeeded' : r.status,
    r.error === undefined ? undefined : { code: r.error.code, message: r.error.message },
  )
}

/** Counters per stage as integers, the shape the run table keeps. */
function counterDelta(c: RunCounters): Record<string, number> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => Number.isInteger(v) && v !== 0))
}
