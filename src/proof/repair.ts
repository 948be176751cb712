/**
 * `--repair`: queue the records behind missing documents for writing through the engine's normal
 * idempotent path. Nothing here calls the target; the target stage writes them later and, for a
 * reopened record, probes by business key first, so a document that reappeared meanwhile is
 * found, never written twice. Target documents are never deleted or edited.
 *
 * Reconcile has proof that the document is gone, so it reopens a settled (done/duplicate) record
 * through the ledger's `reopen`: one write transaction, on the store clock, as `unknown` (probe
 * before write) with an event saying why. The engine never reopens a record.
 */
import type { Store } from '../store/index.js'
import type { SourceRecord } from '../engine/ports.js'
import type { Finding } from './reconcile.js'

export type RepairAction = 'inserted' | 'requeued' | 'reopened' | 'already_queued' | 'skipped'

export interface RepairEntry {
  readonly key: string
  readonly recordId: string
  readonly action: RepairAction
  readonly detail?: string
}

/** Queue every record behind a `missing` finding; `sources` supplies content for records the ledger never saw. */
export async function repairMissing(
  store: Store,
  schemeId: string,
  findings: readonly Finding[],
  sources: ReadonlyMap<string, SourceRecord>,
  opts: { idCheck: boolean },
): Promise<RepairEntry[]> {
  const out: RepairEntry[] = []
  for (const f of findings) {
    if (f.kind !== 'missing') continue
    for (const recordId of f.recordIds)
      out.push(await repairOne(store, schemeId, f.key, recordId, sources.get(recordId), opts))
  }
  return out
}

async function repairOne(
  store: Store,
  schemeId: string,
  key: string,
  recordId: string,
  source: SourceRecord | undefined,
  opts: { idCheck: boolean },
): Promise<RepairEntry> {
  const ref = { schemeId, recordId }
  const rec = await store.ledger.getRecord(ref)
  if (rec === undefined) {
    if (source === undefined)
      return { key, recordId, action: 'skipped', detail: 'not in the ledger and no source content to store' }
    const r = await store.ledger.upsertSourceRecords(
      schemeId,
      [{ id: source.id, number: source.number, content: source.content }],
      { idCheck: opts.idCheck },
    )
    const effect = r.outcomes[0]?.effect
    return effect === 'rejected'
      ? { key, recordId, action: 'skipped', detail: r.outcomes[0]?.error?.message ?? 'refused by the ledger' }
      : { key, recordId, action: 'inserted' }
  }
  if (rec.resolvedAt !== null && rec.status === 'error')
    return { key, recordId, action: 'skipped', detail: `resolved by a person: ${rec.resolvedNote ?? ''}` }
  if (rec.status === 'error') {
    const r = await store.ledger.requeue(schemeId, { ids: [recordId] })
    return r.requeued.includes(recordId)
      ? { key, recordId, action: 'requeued' }
      : { key, recordId, action: 'skipped', detail: r.skipped[0]?.reason ?? 'not requeued' }
  }
  if (rec.status === 'waiting' || rec.status === 'queued' || rec.status === 'unknown')
    return { key, recordId, action: 'already_queued', detail: rec.status }
  const reopened = await store.ledger.reopen(ref, {
    code: 'ERR_RECONCILE_MISSING',
    message: 'reconcile found no target document; probe, then write',
    event: 'reopened_by_reconcile',
  })
  return reopened
    ? { key, recordId, action: 'reopened', detail: `was ${rec.status} with target id ${rec.targetId ?? '(none)'}` }
    : { key, recordId, action: 'skipped', detail: 'changed meanwhile' }
}
