/**
 * A run's quality summary, stored with the run: one counter per failing rule under the run-counter
 * stage `quality` (name `<code> <path>`, so metrics can read counts without parsing), and the whole
 * summary with its first examples as one run-log line. `readQualitySummary` is what the API and
 * the metrics call.
 */
import type { RunPort, Store } from '../store/index.js'
import type { QualitySummaryEntry } from './rules.js'

export const QUALITY_STAGE = 'quality'
const LOG_MSG = 'quality summary'

export async function storeQualitySummary(
  runs: Pick<RunPort, 'add' | 'log'>,
  runId: string,
  summary: readonly QualitySummaryEntry[],
): Promise<void> {
  const counters: Record<string, number> = {}
  for (const e of summary) counters[`${e.code} ${e.path}`] = (counters[`${e.code} ${e.path}`] ?? 0) + e.count
  await runs.add(runId, QUALITY_STAGE, counters)
  await runs.log(runId, [{ level: 'warn', msg: LOG_MSG, data: { quality: summary } }])
}

/** The run's quality summary, or [] when every record passed (or the scheme has no quality rules). */
export async function readQualitySummary(store: Store, runId: string): Promise<QualitySummaryEntry[]> {
  let cursor: string | undefined
  for (;;) {
    const page = await store.runs.readLog(runId, { ...(cursor === undefined ? {} : { cursor }), limit: 500 })
    const line = page.lines.find((l) => l.msg === LOG_MSG)
    if (line !== undefined) return (line.data?.quality ?? []) as QualitySummaryEntry[]
    if (page.nextCursor === undefined) return []
    cursor = page.nextCursor
  }
}
