/**
 * Target stage: claim due records, map them, check them, and write each document exactly once.
 *
 * Exactly-once rests on three rules: the business key comes from the mapped payload (so it is a
 * deterministic function of the source record); the ledger records a write intent (`unknown`)
 * before the request leaves, so a crash after sending is recovered by a probe; and any record
 * whose previous outcome is unknown is probed by its key before it may be written again.
 */
import type { FerryError } from '../core/errors.js'
import { GroupAlreadyWritten } from './errors.js'
import { writeBatches } from './batch-writer.js'
import type { EngineScheme, LedgerRecord, RunCounters, WriteUnit } from './ports.js'
import { pause } from '../core/sleep.js'
import { claimTtl, type TargetStageDeps } from './target-stage-deps.js'
import { UnitWriter } from './target-stage-writer.js'
import { UnitFeed } from './unit-feed.js'

export type { TargetStageDeps } from './target-stage-deps.js'

export interface TargetStageOptions {
  /** True while the source stage may still add records; the stage waits for more until false. */
  readonly sourceRunning?: () => boolean
  /** Resolves when the source stage stored something new (or finished). */
  readonly nextSourceEvent?: () => Promise<void>
}

/**
 * Wait until every record this run requeued for pacing is due again; false when there is none.
 * A clock that does not move while the stage waits (a frozen test clock) ends the wait: the
 * records stay queued for the next run rather than the stage spinning.
 */
async function waitForPaced(deps: TargetStageDeps, writer: UnitWriter): Promise<boolean> {
  const due = writer.pacedUntil
  if (due === undefined) return false
  writer.pacedUntil = undefined
  const before = deps.clock.now().getTime()
  const wait = due.getTime() - before
  if (wait <= 0) return true
  await (deps.sleep ?? pause)(wait, deps.signal)
  return deps.clock.now().getTime() > before
}

/**
 * Claim up to `batch` due records. Grouped schemes (groupCalculate) claim whole header groups
 * (`claimGroups`, which also returns members whose document was already written, parked here): a
 * group split across batches would be planned twice under one business key and the second document
 * answered `already_exists`, its rows lost.
 */
async function claimBatch(
  deps: TargetStageDeps,
  scheme: EngineScheme,
  batch: number,
  grouped: boolean,
  counters: RunCounters,
): Promise<LedgerRecord[]> {
  const ledger = deps.ports.ledger
  const opts = () => ({ now: deps.clock.now(), ttlMs: claimTtl(deps) })
  deps.lookups?.batchClaimed()
  if (grouped) {
    // Whole groups only; loop past claims that held nothing but late members.
    for (;;) {
      const { records, late } = await ledger.claimGroups(scheme.id, batch, opts())
      for (const l of late) {
        const err = GroupAlreadyWritten([
          l.record.id,
          l.writtenAs.businessKey ?? `(group of ${l.writtenAs.recordId})`,
          l.writtenAs.targetId ?? 'unknown',
        ])
        await ledger.markFailed(
          { schemeId: scheme.id, recordId: l.record.id },
          { kind: err.kind, code: err.code, message: err.message, nextAttemptAt: null },
        )
        counters.failed++
      }
      if (records.length > 0 || late.length === 0) return records
    }
  }
  return (await ledger.claimReady(scheme.id, batch, opts())).records
}

/**
 * Drain due records until none is due and the source stage has finished. Returns the first system
 * error (a bug) if one occurred; record-level failures are in the ledger.
 *
 * Single writes go through a {@link UnitFeed}: the next batch is claimed as soon as fewer units wait
 * than the in-flight limit, while the previous batch's tail is still being written, so the pool
 * stays full across batch boundaries. An empty claim ends the stage only once nothing is in flight:
 * the tail's outcomes (a retry due at once, a short backoff, a pacing requeue) are claimed or waited
 * for as they were when batches went one after the other.
 */
export async function runTargetStage(
  deps: TargetStageDeps,
  scheme: EngineScheme,
  counters: RunCounters,
  opts: TargetStageOptions = {},
): Promise<FerryError | undefined> {
  const target = scheme.target
  if (target === undefined) return undefined
  const writer = new UnitWriter(deps, scheme, target, counters)
  const batch = deps.batchSize ?? 100
  const groupKey = target.groupKey
  const grouped = groupKey !== undefined
  let keysFresh = groupKey === undefined
  type Fed = { unit: WriteUnit; records: LedgerRecord[] }
  const feed =
    target.batch === undefined
      ? new UnitFeed<Fed>(
          deps.concurrency,
          () => writer.stopped || deps.signal?.aborted === true,
          async ({ unit, records }) => {
            await writer.process(unit, records)
            deps.onUnit?.(counters)
          },
        )
      : undefined
  let error: FerryError | undefined
  for (;;) {
    if (writer.stopped || feed?.failure !== undefined || deps.signal?.aborted === true) break
    if (feed !== undefined && !feed.wantsMore()) {
      await feed.moves()
      continue
    }
    if ((await deps.ports.schemes.pausedReason(scheme.id)) !== undefined) break
    const sourceRunning = opts.sourceRunning?.() ?? false
    const wake = sourceRunning ? opts.nextSourceEvent?.() : undefined
    if (grouped && sourceRunning) {
      // A header group's records may still be arriving: group only once the source has finished.
      await (wake ?? new Promise((r) => setTimeout(r, 50)))
      continue
    }
    if (!keysFresh && groupKey !== undefined) {
      // Records stored before group keys existed, or under an older headerGroup, get today's key.
      await deps.ports.ledger.refreshGroupKeys(scheme.id, groupKey.prefix, (c) => groupKey.of(c))
      keysFresh = true
    }
    const claimed = await claimBatch(deps, scheme, batch, grouped, counters)
    if (claimed.length === 0) {
      if (feed !== undefined && !feed.idle) {
        // Units in flight may requeue records (due at once, or paced): claim again once they are
        // done, or sooner when the source stored something new.
        await (wake === undefined ? feed.settled() : Promise.race([feed.settled(), wake]))
        continue
      }
      if (!sourceRunning) {
        // A backfill is done only when nothing waits on pacing: wait for throttled records here.
        if (await waitForPaced(deps, writer)) continue
        break
      }
      await (wake ?? new Promise((r) => setTimeout(r, 50)))
      continue
    }
    const byId = new Map(claimed.map((r) => [r.id, r]))
    const units = target.plan(claimed)
    if (feed !== undefined) {
      feed.add(
        units.map((unit) => ({
          unit,
          records: unit.recordIds.map((id) => byId.get(id)).filter((r): r is LedgerRecord => r !== undefined),
        })),
      )
      continue
    }
    if (target.batch !== undefined) {
      // operation batchArraySave: several units per call (src/engine/batch-writer.ts).
      error = await writeBatches({ writer, deps, target, batch: target.batch, units, byId, counters })
      if (error !== undefined) break
    }
  }
  const failed = await feed?.close()
  return error ?? failed
}
