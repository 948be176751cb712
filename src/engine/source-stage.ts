/**
 * Source stage: plan windows from LAST_SYNC_TIME to now, fetch each window page by page, filter,
 * and upsert into the ledger one page at a time (bounded memory). A window is closed in the
 * cursor only after every page was fetched AND stored; the first failure stops the stage so the
 * cursor never moves past a window that is not complete.
 */
import { toFerryError, type FerryError } from '../core/errors.js'
import type { SourceRuntime, TimeWindow } from '../connectors/contract.js'
import { NoStartTime } from './errors.js'
import type { Clock, EngineLogger, EnginePorts, EngineScheme, RunCounters } from './ports.js'

export interface SourceStageDeps {
  readonly ports: EnginePorts
  readonly clock: Clock
  readonly log: EngineLogger
  readonly runtime: SourceRuntime
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
  const last = await deps.ports.cursor.lastSyncTime(scheme.id, scheme.source.api, scheme.schedule.start)
  if (last !== undefined) return last
  throw NoStartTime([scheme.id], { location: `schemes.${scheme.id}.start` })
}

/** Fetch every page of one read and store it; returns false (with the error) on failure. */
async function fetchAndStore(
  deps: SourceStageDeps, scheme: EngineScheme, counters: RunCounters,
  req: { window?: TimeWindow; params: Record<string, unknown> },
): Promise<void> {
  const { ports, clock, runtime } = deps
  for await (const page of runtime.read({ api: scheme.source.api, params: req.params,
    ...(req.window === undefined ? {} : { window: req.window }), ...(deps.signal === undefined ? {} : { signal: deps.signal }) })) {
    counters.pages++
    counters.fetched += page.rows.length
    const records = await scheme.source.toRecords(page.rows)
    counters.kept += records.length
    if (records.length > 0) {
      const r = await ports.ledger.upsertSourceRecords(scheme.id, records, { idCheck: scheme.source.idCheck, now: clock.now() })
      counters.inserted += r.inserted
      counters.unchanged += r.unchanged
      counters.updated += r.updated
      counters.changedAfterSync += r.changedAfterSync
      for (const bad of r.rejected ?? []) {
        counters.rejected++
        deps.log.warn({ scheme: scheme.id, id: bad.id, reason: bad.message }, 'source record refused by the ledger')
      }
    }
    deps.onPage?.(counters)
  }
}

/**
 * Run the incremental source stage (or a backfill of [from, to)). Windows are closed in order;
 * on failure the error is returned (not thrown) together with how far the stage got.
 */
export async function runSourceStage(deps: SourceStageDeps, scheme: EngineScheme, counters: RunCounters, range: SourceRange = {}): Promise<SourceStageResult> {
  const { ports, clock, runtime, log } = deps
  let from: Date
  try {
    from = range.from ?? await resolveFrom(deps, scheme)
  } catch (e) {
    return { windowsPlanned: 0, windowsClosed: 0, error: toFerryError(e) }
  }
  const to = range.to ?? clock.now()
  const windows = from < to ? runtime.planWindows(scheme.source.api, from, to) : []
  let closed = 0
  for (const window of windows) {
    if (deps.signal?.aborted === true) break
    try {
      const params = await scheme.source.renderRequest({ lastSyncTime: window.start, currentTime: window.end, now: clock.now() })
      await fetchAndStore(deps, scheme, counters, { window, params })
      await ports.cursor.closeWindow(scheme.id, scheme.source.api, window)
      closed++
      counters.windows++
    } catch (e) {
      const error = toFerryError(e)
      log.warn({ scheme: scheme.id, window: { start: window.start.toISOString(), end: window.end.toISOString() }, code: error.code, kind: error.kind },
        'window fetch failed; cursor stays before this window')
      return { windowsPlanned: windows.length, windowsClosed: closed, error }
    }
  }
  return { windowsPlanned: windows.length, windowsClosed: closed }
}

/**
 * `omissionRemedy`: re-run the source query with `takeOverRequest` overriding request fields.
 * It never moves the cursor; the ledger's id check keeps already-known records from being
 * written twice.
 */
export async function runRemedyStage(deps: SourceStageDeps, scheme: EngineScheme, counters: RunCounters): Promise<SourceStageResult> {
  if (scheme.source.renderRemedyRequest === undefined) return { windowsPlanned: 0, windowsClosed: 0 }
  try {
    const now = deps.clock.now()
    const last = await deps.ports.cursor.lastSyncTime(scheme.id, scheme.source.api, scheme.schedule.start)
    const params = await scheme.source.renderRemedyRequest({ lastSyncTime: last ?? now, currentTime: now, now })
    await fetchAndStore(deps, scheme, counters, { params })
    return { windowsPlanned: 1, windowsClosed: 0 }
  } catch (e) {
    return { windowsPlanned: 1, windowsClosed: 0, error: toFerryError(e) }
  }
}
