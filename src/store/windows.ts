/**
 * Windows already closed, per scheme and API: an interval set of [start, end) that the source
 * stage adds to only after a window was fully fetched and stored. LAST_SYNC_TIME is the end of the
 * contiguous closed run from a start, so a failed window in the middle holds the cursor back.
 */
import { sql } from 'kysely'
import type { TimeWindow } from '../connectors/contract.js'
import type { StoreContext } from './context.js'
import { inWriteTx, toMs } from './context.js'
import { StoreBadInput } from './errors.js'
import { contiguousEnd, gapsBetween, mergeInterval } from './intervals.js'
import type { Interval } from './intervals.js'

/** The engine's port to closed-window interval sets per scheme and API (engine-ports.ts). */
export interface CursorPort {
  /**
   * LAST_SYNC_TIME: end of the contiguous closed run from `start` (or, without a start, from the
   * earliest closed window); undefined when there is neither.
   */
  lastSyncTime(schemeId: string, api: string, start?: Date): Promise<Date | undefined>
  /** Record a window as fully fetched and stored. */
  close(schemeId: string, api: string, window: TimeWindow): Promise<void>
}

export class WindowRepo implements CursorPort {
  constructor(private readonly ctx: StoreContext) {}

  /** Record [start, end) as closed, merging it with any window it overlaps or touches. */
  async close(schemeId: string, api: string, window: TimeWindow): Promise<void> {
    const start = toMs(window.start, 'window start')
    const end = toMs(window.end, 'window end')
    if (end <= start) throw StoreBadInput([`window end ${window.end.toISOString()} must be after its start`])
    await inWriteTx(this.ctx, async (trx) => {
      // Two processes closing neighbouring windows at once must not both miss each other's row.
      if (this.ctx.caps.advisoryLocks)
        await sql`select pg_advisory_xact_lock(hashtext(${`ferry:windows:${schemeId}:${api}`}))`.execute(trx)
      // Only neighbours can merge, and they start no later than `end`; read those alone.
      const near = await trx
        .selectFrom('closed_windows')
        .select(['start_ms', 'end_ms'])
        .where('scheme_id', '=', schemeId)
        .where('api', '=', api)
        .where('start_ms', '<=', end)
        .where('end_ms', '>=', start)
        .execute()
      const merged = mergeInterval(
        near.map((r) => ({ start: r.start_ms, end: r.end_ms })),
        { start, end },
      )
      const m = merged.find((iv) => iv.start <= start && iv.end >= end)
      if (m === undefined) return
      if (near.length > 0) {
        await trx
          .deleteFrom('closed_windows')
          .where('scheme_id', '=', schemeId)
          .where('api', '=', api)
          .where(
            'start_ms',
            'in',
            near.map((r) => r.start_ms),
          )
          .execute()
      }
      await trx
        .insertInto('closed_windows')
        .values({ scheme_id: schemeId, api, start_ms: m.start, end_ms: m.end })
        .execute()
    })
  }

  /**
   * End of the closed run that covers `from` without a gap (LAST_SYNC_TIME); `from` when nothing
   * covers it. Without `from`, the run from the earliest closed window (undefined when there is none).
   */
  lastSyncTime(schemeId: string, api: string, from: Date): Promise<Date>
  lastSyncTime(schemeId: string, api: string, from?: Date): Promise<Date | undefined>
  async lastSyncTime(schemeId: string, api: string, from?: Date): Promise<Date | undefined> {
    const first =
      from ??
      (await this.ctx.db
        .selectFrom('closed_windows')
        .select('start_ms')
        .where('scheme_id', '=', schemeId)
        .where('api', '=', api)
        .orderBy('start_ms')
        .executeTakeFirst()
        .then((r) => (r === undefined ? undefined : new Date(r.start_ms))))
    if (first === undefined) return undefined
    const f = toMs(first, 'from')
    let cursor = f
    // Windows are merged on close, so this is normally one step; the loop guards against
    // touching windows left unmerged by an older writer.
    for (;;) {
      const row = await this.ctx.db
        .selectFrom('closed_windows')
        .select(['start_ms', 'end_ms'])
        .where('scheme_id', '=', schemeId)
        .where('api', '=', api)
        .where('start_ms', '<=', cursor)
        .where('end_ms', '>', cursor)
        .orderBy('end_ms', 'desc')
        .executeTakeFirst()
      if (row === undefined) return new Date(cursor)
      cursor = contiguousEnd([{ start: row.start_ms, end: row.end_ms }], cursor)
    }
  }

  /** The parts of [from, to) not closed yet, oldest first. */
  async gaps(schemeId: string, api: string, from: Date, to: Date): Promise<TimeWindow[]> {
    const f = toMs(from, 'from')
    const t = toMs(to, 'to')
    if (t <= f) return []
    const rows = await this.ctx.db
      .selectFrom('closed_windows')
      .select(['start_ms', 'end_ms'])
      .where('scheme_id', '=', schemeId)
      .where('api', '=', api)
      .where('start_ms', '<', t)
      .where('end_ms', '>', f)
      .orderBy('start_ms')
      .execute()
    return gapsBetween(
      rows.map((r): Interval => ({ start: r.start_ms, end: r.end_ms })),
      f,
      t,
    ).map((g) => ({ start: new Date(g.start), end: new Date(g.end) }))
  }

  /** Every closed window of a scheme and API (merged), for display; at most 10,000. */
  async list(schemeId: string, api: string): Promise<TimeWindow[]> {
    const rows = await this.ctx.db
      .selectFrom('closed_windows')
      .select(['start_ms', 'end_ms'])
      .where('scheme_id', '=', schemeId)
      .where('api', '=', api)
      .orderBy('start_ms')
      .limit(10_000)
      .execute()
    return rows.map((r) => ({ start: new Date(r.start_ms), end: new Date(r.end_ms) }))
  }
}
