/**
 * Record search for the service: the filters of `ferry records` (status, text) plus the last
 * error's code and an `updated` time range, and the failed-record queue's size and oldest age
 * for metrics. Paged by sequence number like every ledger read.
 */
import { sql } from 'kysely'
import type { StoreContext } from './context.js'
import { pageSize, parseCursor, toMs } from './context.js'
import { StoreBadInput } from './errors.js'
import { RECORD_STATUSES, toLedgerRecord, type LedgerRecord, type RecordStatus } from './ledger-types.js'

export interface RecordSearch {
  readonly status?: RecordStatus
  /** Case-insensitive substring of the number or the id. */
  readonly number?: string
  readonly errorCode?: string
  /** Last change of the record, inclusive start, exclusive end. */
  readonly updatedFrom?: Date
  readonly updatedTo?: Date
  readonly limit?: number
  readonly cursor?: string
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export class RecordSearchRepo {
  constructor(private readonly ctx: StoreContext) {}

  async search(schemeId: string, q: RecordSearch): Promise<{ records: LedgerRecord[]; nextCursor?: string }> {
    const limit = pageSize(q.limit, 50, 1000)
    if (q.status !== undefined && !RECORD_STATUSES.includes(q.status))
      throw StoreBadInput([`unknown status "${String(q.status)}"; expected one of ${RECORD_STATUSES.join(', ')}`])
    const from = q.updatedFrom === undefined ? undefined : toMs(q.updatedFrom, 'updatedFrom')
    const to = q.updatedTo === undefined ? undefined : toMs(q.updatedTo, 'updatedTo')
    const needle = q.number?.trim().toLowerCase()
    const rows = await this.ctx.db
      .selectFrom('records')
      .selectAll()
      .where('scheme_id', '=', schemeId)
      .where('seq', '>', parseCursor(q.cursor))
      .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status ?? 'error'))
      .$if(q.errorCode !== undefined, (qb) => qb.where('error_code', '=', q.errorCode ?? ''))
      .$if(from !== undefined, (qb) => qb.where('updated_at', '>=', from ?? 0))
      .$if(to !== undefined, (qb) => qb.where('updated_at', '<', to ?? 0))
      .$if(needle !== undefined && needle !== '', (qb) =>
        qb.where((eb) => {
          const pattern = `%${escapeLike(needle ?? '')}%`
          const like = (col: 'number' | 'record_id') =>
            sql<boolean>`lower(coalesce(${sql.ref(col)}, '')) like ${pattern} escape '\\'`
          return eb.or([like('number'), like('record_id')])
        }),
      )
      .orderBy('seq')
      .limit(limit)
      .execute()
    const now = this.ctx.now()
    const records = rows.map((r) => toLedgerRecord(r, now))
    const last = records.at(-1)
    return records.length === limit && last !== undefined ? { records, nextCursor: String(last.seq) } : { records }
  }

  /** The failed-record queue (status error, not resolved): how many, and when the oldest was parked. */
  async failedQueue(schemeId: string): Promise<{ size: number; oldest: Date | undefined }> {
    const row = await this.ctx.db
      .selectFrom('records')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('updated_at').as('oldest')])
      .where('scheme_id', '=', schemeId)
      .where('status', '=', 'error')
      .where('resolved_at', 'is', null)
      .executeTakeFirstOrThrow()
    return {
      size: Number(row.n),
      oldest: row.oldest === null || row.oldest === undefined ? undefined : new Date(Number(row.oldest)),
    }
  }
}
