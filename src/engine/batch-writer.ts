/**
 * The write path of `operation: batchArraySave`: prepared units go to the target `rows` at a time,
 * their payloads in one array under `rowsKey`, and each unit is settled from its row of the batch
 * answer. Exactly-once holds as for single writes: every unit whose outcome is unknown is probed
 * first; the write intent of every record in a call is recorded before the call leaves; a call
 * that fails after it may have been sent leaves each of its rows unknown, probed by key. Calls go
 * out up to the target's in-flight limit at once (`concurrency`), as single writes do.
 */
import { toFerryError, type FerryError } from '../core/errors.js'
import type { TargetRuntime, WriteOutcome } from '../connectors/contract.js'
import { TargetNoBatch } from './errors.js'
import { pool } from './pool.js'
import type { LedgerRecord, RunCounters, SchemeTarget, WriteUnit } from './ports.js'

/**
 * What the batch writer uses of the target stage's `UnitWriter` and deps (target-stage-writer.ts),
 * named here so this file does not import the stage that imports it.
 */
export interface BatchUnitWriter {
  readonly stopped: boolean
  settleLanded(unit: WriteUnit, records: readonly LedgerRecord[]): Promise<boolean>
  prepare(
    unit: WriteUnit,
    records: readonly LedgerRecord[],
  ): Promise<{ payload: Record<string, unknown>; key: string } | undefined>
  settleByProbe(records: readonly LedgerRecord[], payload: Record<string, unknown>, key: string): Promise<boolean>
  /** Record the write intent under the records' claim; false when another writer claimed them since. */
  intent(
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    message: string,
  ): Promise<boolean>
  settle(
    unit: WriteUnit,
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    answered: WriteOutcome,
  ): Promise<void>
}

export interface BatchWriterDeps {
  readonly runtime: TargetRuntime
  /** Calls in flight at once (the target's in-flight limit). */
  readonly concurrency: number
  readonly signal?: AbortSignal
  readonly leaseCheck?: () => void
  readonly onUnit?: (c: RunCounters) => void
}

interface Prepared {
  unit: WriteUnit
  records: readonly LedgerRecord[]
  payload: Record<string, unknown>
  key: string
}

export interface BatchRun {
  readonly writer: BatchUnitWriter
  readonly deps: BatchWriterDeps
  readonly target: SchemeTarget
  readonly batch: { readonly rows: number; readonly rowsKey: string }
  readonly units: readonly WriteUnit[]
  readonly byId: ReadonlyMap<string, LedgerRecord>
  readonly counters: RunCounters
}

/** Write one claimed batch's units in calls of `rows`; returns a system error (a bug) if one occurred. */
export async function writeBatches(b: BatchRun): Promise<FerryError | undefined> {
  const { writer, deps, target, batch } = b
  const writeBatch = deps.runtime.writeBatch?.bind(deps.runtime)
  try {
    if (writeBatch === undefined) {
      return TargetNoBatch([target.api], { location: 'target.metadata.operation.method' })
    }
    const ready: Prepared[] = []
    for (const unit of b.units) {
      const records = unit.recordIds.map((id) => b.byId.get(id)).filter((r): r is LedgerRecord => r !== undefined)
      if (records.length === 0) continue
      // Written before (its afterWrite hook failed): only afterWrite runs again, nothing is sent.
      if (await writer.settleLanded(unit, records)) continue
      const p = await writer.prepare(unit, records)
      if (p === undefined) continue
      // A previous attempt may have reached the target: look before writing again.
      if (records.some((r) => r.status === 'unknown') && (await writer.settleByProbe(records, p.payload, p.key)))
        continue
      ready.push({ unit, records, ...p })
    }
    const chunks: Prepared[][] = []
    for (let i = 0; i < ready.length; i += batch.rows) chunks.push(ready.slice(i, i + batch.rows))
    // Up to the target's in-flight limit of calls at once, as single writes are: each call is one
    // request against the credential's budget, however many rows it carries.
    await pool(chunks, deps.concurrency, async (all) => {
      if (writer.stopped) return
      // Rows whose claim another writer took since are left out of the call (see UnitWriter.intent).
      const sent: Prepared[] = []
      for (const c of all)
        if (await writer.intent(c.records, c.payload, c.key, 'batch sent, outcome not recorded yet')) sent.push(c)
      const chunk = sent
      if (chunk.length === 0) return
      let outcomes: WriteOutcome[]
      try {
        deps.leaseCheck?.()
        outcomes = await writeBatch({
          api: target.api,
          rowsKey: batch.rowsKey,
          items: chunk.map((c) => ({ payload: c.payload, key: c.key })),
          ...(deps.signal === undefined ? {} : { signal: deps.signal }),
        })
      } catch (e) {
        const err = toFerryError(e)
        outcomes = chunk.map(() => ({ kind: 'unknown_outcome', message: err.message, code: err.code }))
      }
      for (const [j, c] of chunk.entries()) {
        const o = outcomes[j] ?? { kind: 'unknown_outcome', message: 'the batch answer has fewer rows than were sent' }
        await writer.settle(c.unit, c.records, c.payload, c.key, o)
      }
      deps.onUnit?.(b.counters)
    })
    return undefined
  } catch (e) {
    return toFerryError(e)
  }
}
