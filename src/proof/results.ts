/**
 * Reconcile results are kept as runs of kind `reconcile` (the store's runs table): the counts as
 * run counters under stage `reconcile`, each finding as a run-log line. A dashboard or an alert
 * reads them like any other run.
 */
import type { Store } from '../store/index.js'
import type { ReconcileReport } from './reconcile.js'
import type { RepairEntry } from './repair.js'

export const RECONCILE_RUN_KIND = 'reconcile'

export async function storeReconcileResult(
  store: Store,
  report: ReconcileReport,
  repair?: readonly RepairEntry[],
): Promise<string> {
  const runId = await store.runs.start(report.schemeId, RECONCILE_RUN_KIND, {
    from: report.from.toISOString(),
    to: report.to.toISOString(),
    repair: repair !== undefined,
  })
  const counts: Record<string, number> = { ...report.counts }
  if (repair !== undefined)
    counts.repairQueued = repair.filter((r) => r.action !== 'skipped' && r.action !== 'already_queued').length
  await store.runs.add(runId, RECONCILE_RUN_KIND, counts)
  await store.runs.log(runId, [
    ...report.findings.map((f) => ({
      level: 'warn' as const,
      msg: f.reason,
      data: {
        kind: f.kind,
        key: f.key,
        code: f.code,
        recordIds: [...f.recordIds],
        ...(f.targetId === undefined ? {} : { targetId: f.targetId }),
      },
    })),
    ...(repair ?? []).map((r) => ({ level: 'info' as const, msg: `repair ${r.action} ${r.key}`, data: { ...r } })),
  ])
  await store.runs.finish(runId, 'succeeded')
  return runId
}
