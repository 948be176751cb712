/**
 * Reconcile and verify against a running Ferry (a Host from src/engine/host.ts): the scheme's
 * own source connection, its target connection for detail-by-key, and a second runtime of the
 * target connector for its list reader (the host hands out only source/target runtimes).
 */
import type { ConnectorRuntime } from '../connectors/contract.js'
import { budgetKeyFor, LocalBudgetRegistry } from '../connectors/budget.js'
import { resolveConnectionConfig } from '../connectors/registry.js'
import { isFerryError } from '../core/errors.js'
import type { Host } from '../engine/host.js'
import { ReconcileNoTarget } from './errors.js'
import { reconcile, type Finding, type ReconcileReport } from './reconcile.js'
import { repairMissing, type RepairEntry } from './repair.js'
import { storeReconcileResult } from './results.js'
import { verifyLedger, type VerifyReport } from './verify.js'
import { targetViewFor } from './views.js'

export interface ReconcileRunOptions {
  readonly from: Date
  readonly to: Date
  readonly repair?: boolean
  readonly signal?: AbortSignal
}

export interface ReconcileRun {
  readonly report: ReconcileReport
  readonly repair?: RepairEntry[]
  /** The stored result (a run of kind `reconcile`). */
  readonly runId: string
}

async function openLister(host: Host, connection: string): Promise<{ connector: string; runtime: ConnectorRuntime }> {
  const conn = host.config.connections[connection]
  if (conn === undefined) throw ReconcileNoTarget([connection, `connection ${connection} is not configured`])
  const def = host.registry.get(conn.connector)
  const cfg = resolveConnectionConfig(def, conn.settings)
  const budget = new LocalBudgetRegistry().forKey(budgetKeyFor(def, cfg, connection), { ...def.budget, ...conn.budget })
  const runtime = await def.open({
    connectionId: connection,
    config: cfg,
    credentials: host.store.credentials,
    budget,
    log: host.deps.log,
    now: () => host.deps.clock.now(),
  })
  return { connector: conn.connector, runtime }
}

export async function reconcileScheme(
  host: Host,
  schemeIdOrName: string,
  o: ReconcileRunOptions,
): Promise<ReconcileRun> {
  const scheme = host.scheme(schemeIdOrName)
  if (scheme.target === undefined) throw ReconcileNoTarget([scheme.id, 'it has no target'])
  const source = await host.deps.connections.source(scheme.source.connection)
  const target = await host.deps.connections.target(scheme.target.connection)
  const lister = await openLister(host, scheme.target.connection)
  try {
    const view = targetViewFor(lister.connector, scheme.target.api, target, lister.runtime)
    if (view === undefined)
      throw ReconcileNoTarget([scheme.id, `Ferry cannot list ${lister.connector} ${scheme.target.api} documents`])
    const raw = await reconcile({
      scheme,
      source,
      target: view,
      from: o.from,
      to: o.to,
      now: host.deps.clock.now(),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      // A document written by Ferry for a record modified outside the range is not extra.
      explained: async (key) => {
        const r = await host.store.ledger.getRecord({ schemeId: scheme.id, recordId: key })
        return (
          r !== undefined &&
          (r.businessKey === null || r.businessKey === key) &&
          ['done', 'duplicate', 'unknown'].includes(r.status)
        )
      },
    })
    const report = await annotateChangedAfterSync(host, scheme.id, raw)
    const repair =
      o.repair === true
        ? await repairMissing(host.store, scheme.id, report.findings, report.sources, {
            idCheck: scheme.source.idCheck,
          })
        : undefined
    const runId = await storeReconcileResult(host.store, report, repair)
    return { report, runId, ...(repair === undefined ? {} : { repair }) }
  } finally {
    await lister.runtime.close()
  }
}

/**
 * A mismatch whose source record changed after it was written is expected (idCheck keeps the
 * written version and flags the record); say so in the reason so a person knows where to look.
 */
async function annotateChangedAfterSync(
  host: Host,
  schemeId: string,
  report: ReconcileReport,
): Promise<ReconcileReport> {
  const findings: Finding[] = []
  for (const f of report.findings) {
    if (f.kind !== 'mismatched') {
      findings.push(f)
      continue
    }
    let changed: string | undefined
    for (const id of f.recordIds) {
      if (
        changed === undefined &&
        (await host.store.ledger.getRecord({ schemeId, recordId: id }))?.changedAfterSync === true
      )
        changed = id
    }
    findings.push(
      changed === undefined
        ? f
        : {
            ...f,
            reason: `${f.reason} (the source record changed after it was written; see ferry record ${schemeId} ${changed})`,
          },
    )
  }
  return { ...report, findings }
}

export interface VerifyRunOptions {
  /** Skip the ledger-versus-target check (no calls to the target). */
  readonly ledgerOnly?: boolean
  readonly signal?: AbortSignal
}

/**
 * Verify a scheme's ledger, and (unless `ledgerOnly`, and when Ferry can list the scheme's target)
 * the ledger against the target: each written key's document, and no key twice over the closed range.
 */
export async function verifyScheme(
  host: Host,
  schemeIdOrName: string,
  o: VerifyRunOptions = {},
): Promise<VerifyReport> {
  const scheme = host.scheme(schemeIdOrName)
  const base = {
    schemeId: scheme.id,
    api: scheme.source.api,
    ledger: host.store.ledger,
    windows: host.store.windows,
    ...(scheme.schedule.start === undefined ? {} : { start: scheme.schedule.start }),
  }
  if (o.ledgerOnly === true || scheme.target === undefined) return verifyLedger(base)
  let target
  try {
    target = await host.deps.connections.target(scheme.target.connection)
  } catch (e) {
    // Read-only commands start without vendor secrets (docs/reconcile.md): the ledger is still
    // checked, and the report says the target was not, and why.
    if (!isFerryError(e) || e.code !== 'ERR_CONFIG_ENV_MISSING') throw e
    return { ...(await verifyLedger(base)), targetSkipped: e.message }
  }
  const lister = await openLister(host, scheme.target.connection)
  try {
    const view = targetViewFor(lister.connector, scheme.target.api, target, lister.runtime)
    if (view === undefined) return await verifyLedger(base)
    return await verifyLedger({ ...base, target: { view, ...(o.signal === undefined ? {} : { signal: o.signal }) } })
  } finally {
    await lister.runtime.close()
  }
}
