/**
 * Source stage: plan windows from LAST_SYNC_TIME to now, fetch each window page by page, filter,
 * and upsert into the ledger one page at a time (bounded memory). A window is closed in the
 * cursor only after every page was fetched AND stored; the first failure stops the stage so the
 * cursor never moves past a window that is not complete.
 */
import { toFerryError, type FerryError } from '../core/errors.js'
import type { SourceRuntime, TimeWindow } from '../connectors/contract.js'
import { NoStartTime } from './errors.js'
import type { Clock, EngineLogger, EnginePorts, EngineScheme, RunCounters, SourceRecord } from './ports.js'
import type { LookupEvents } from './lookup-cache.js'

export interface SourceStageDeps {
  readonly ports: EnginePorts
  readonly clock: Clock
  readonly log: EngineLogger
  readonly runtime: SourceRuntime
  /** Told when records are stored, so lookups into this scheme's collection are answered afresh. */
  readonly lookups?: Pick<LookupEvents, 'recordsStored'>
  /** Called after each stored page (progress bars, waking the target stage). */
  readonly onPage?: (c: RunCounters) => void
  readonly signal?: AbortSignal
}

export interface SourceStageResult {
  readonly windowsPlanned: number
  readonly windowsClosed: number
  readonly error?: FerryError
}

export interface SourceRange {
  readonly from?: Date
  readonly to?: Date
}

/** Where the next incremental run begins: the closed prefix's end, else the configured start. */
export async function resolveFrom(deps: SourceStageDeps, scheme: EngineScheme): Promise<Date> {
  const last = await deps.ports.windows.lastSyncTime(scheme.id, scheme.source.api, scheme.schedule.start)
  if (last !== undefined) return last
  throw NoStartTime([scheme.id], { location: `schemes.${scheme.id}.start` })
}

/** The explicit range of a `--from/--to` backfill: only rows whose time falls in [from, to) are admitted. */
interface Admission {
  readonly from: Date
  readonly to?: Date
}

/**
 * Split a page for an explicit range. Rows outside it (re-read by the window overlap) are not the
 * backfill's: records the ledger already holds are still upserted (drift on a written record is
 * flagged; a waiting one gets its new content), new ones are not stored. A row without a readable
 * time is admitted, as nothing shows it is outside.
 */
async function admitted(
  deps: SourceStageDeps,
  scheme: EngineScheme,
  counters: RunCounters,
  rows: readonly Record<string, unknown>[],
  admission: Admission | undefined,
): Promise<SourceRecord[]> {
  const timeOf = deps.runtime.rowTime?.bind(deps.runtime)
  if (admission === undefined || timeOf === undefined) return await scheme.source.toRecords(rows)
  const inside: Record<string, unknown>[] = []
  const outside: Record<string, unknown>[] = []
  for (const row of rows) {
    const t = timeOf(scheme.source.api, row)
    const out = t !== undefined && (t < admission.from || (admission.to !== undefined && t >= admission.to))
    ;(out ? outside : inside).push(row)
  }
  const records = await scheme.source.toRecords(inside)
  for (const r of await scheme.source.toRecords(outside)) {
    if ((await deps.ports.ledger.getRecord({ schemeId: scheme.id, recordId: r.id })) !== undefined) records.push(r)
    else counters.outOfRange++
  }
  return records
}

/** Fetch every page of one read and store it; returns false (with the error) on failure. */
async function fetchAndStore(
  deps: SourceStageDeps,
  scheme: EngineScheme,
  counters: RunCounters,
  req: { window?: TimeWindow; params: Record<string, unknown>; admission?: Admission },
): Promise<void> {
  const { ports, clock, runtime } = deps
  for await (const page of runtime.read({
    api: scheme.source.api,
    params: req.params,
    ...(req.window === undefined ? {} : { window: req.window }),
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
  })) {
    counters.pages++
    counters.fetched += page.rows.length
    const records = await admitted(deps, scheme, counters, page.rows, req.admission)
    counters.kept += records.length
    if (records.length > 0) {
      let r
      try {
        r = await ports.ledger.upsertSourceRecords(scheme.id, records, {
          idCheck: scheme.source.idCheck,
          now: clock.now(),
        })
      } finally {
        deps.lookups?.recordsStored(scheme.id)
      }
      counters.inserted += r.counts.inserted
      counters.unchanged += r.counts.unchanged
      counters.updated += r.counts.updated_before_sync + r.counts.requeued_after_sync
      counters.changedAfterSync += r.counts.changed_after_sync
      for (const bad of r.outcomes) {
        if (bad.effect !== 'rejected') continue
        counters.rejected++
        deps.log.warn(
          { scheme: scheme.id, id: bad.id, reason: bad.error?.message ?? 'rejected' },
          'source record refused by the ledger',
        )
      }
    }
    deps.onPage?.(counters)
  }
}

/**
 * Run the incremental source stage (or a backfill of [from, to)). Windows are closed in order;
 * on failure the error is returned (not thrown) together with how far the stage got.
 */
export async function runSourceStage(
  deps: SourceStageDeps,
  scheme: EngineScheme,
  counters: RunCounters,
  range: SourceRange = {},
): Promise<SourceStageResult> {
  const { ports, clock, runtime, log } = deps
  let from: Date
  try {
    from = range.from ?? (await resolveFrom(deps, scheme))
  } catch (e) {
    return { windowsPlanned: 0, windowsClosed: 0, error: toFerryError(e) }
  }
  const to = range.to ?? clock.now()
  const windows = from < to ? runtime.planWindows(scheme.source.api, from, to) : []
  // An explicit --from admits only its range; an incremental run admits the overlap too (late commits).
  const admission: Admission | undefined =
    range.from === undefined ? undefined : { from: range.from, ...(range.to === undefined ? {} : { to: range.to }) }
  let closed = 0
  for (const window of windows) {
    if (deps.signal?.aborted === true) break
    try {
      const params = await scheme.source.renderRequest({
        lastSyncTime: window.start,
        currentTime: window.end,
        now: clock.now(),
      })
      await fetchAndStore(deps, scheme, counters, { window, params, ...(admission === undefined ? {} : { admission }) })
      // Rows before an explicit --from were not admitted, so that stretch is not closed either.
      const start = admission !== undefined && window.start < admission.from ? admission.from : window.start
      if (start < window.end) await ports.windows.close(scheme.id, scheme.source.api, { start, end: window.end })
      closed++
      counters.windows++
    } catch (e) {
      const error = toFerryError(e)
      log.warn(
        {
          scheme: scheme.id,
          window: { start: window.start.toISOString(), end: window.end.toISOString() },
          code: error.code,
          kind: error.kind,
        },
        'window fetch failed; cursor stays before this window',
      )
      return { windowsPlanned: windows.length, windowsClosed: closed, error }
    }
  }
  if (counters.outOfRange > 0) {
    log.info(
      { scheme: scheme.id, outOfRange: counters.outOfRange, from: from.toISOString(), to: to.toISOString() },
      'rows read outside the explicit range (window overlap) were not admitted',
    )
  }
  return { windowsPlanned: windows.length, windowsClosed: closed }
}

/**
 * `omissionRemedy`: re-run the source query with `takeOverRequest` overriding request fields.
 * It never moves the cursor; the ledger's id check keeps already-known records from being
 * written twice.
 */
export async function runRemedyStage(
  deps: SourceStageDeps,
  scheme: EngineScheme,
  counters: RunCounters,
): Promise<SourceStageResult> {
  if (scheme.source.renderRemedyRequest === undefined) return { windowsPlanned: 0, windowsClosed: 0 }
  try {
    const now = deps.clock.now()
    const last = await deps.ports.windows.lastSyncTime(scheme.id, scheme.source.api, scheme.schedule.start)
    const params = await scheme.source.renderRemedyRequest({ lastSyncTime: last ?? now, currentTime: now, now })
    await fetchAndStore(deps, scheme, counters, { params })
    return { windowsPlanned: 1, windowsClosed: 0 }
  } catch (e) {
    return { windowsPlanned: 1, windowsClosed: 0, error: toFerryError(e) }
  }
}
