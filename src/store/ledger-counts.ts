/**
 * How many records a scheme has, by status, and how many are claimed, changed after their sync,
 * or resolved by a person. Asked by every run summary, `GET /schemes` and each metrics scrape, so
 * no part may read every record: the statuses come from records_ready alone, live claims from the
 * unsettled records (settling a record always ends its claim), and the two rare flags from their
 * partial indexes (migration 16), which the literal predicates below let SQLite use.
 */
import { sql, type Expression, type SqlBool } from 'kysely'
import type { StoreContext } from './context.js'
import type { StatusCounts } from './ledger-admin.js'
import { RECORD_STATUSES, UNSETTLED_STATUSES } from './ledger-types.js'
import type { RecordStatus } from './ledger-types.js'

export async function countByStatus(ctx: StoreContext, schemeId: string): Promise<StatusCounts> {
  const now = ctx.now()
  const rows = await ctx.db
    .selectFrom('records')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('scheme_id', '=', schemeId)
    .groupBy('status')
    .execute()
  // Each a count the planner answers from an index (see above).
  const countWhere = async (where: Expression<SqlBool>[]) => {
    const r = await ctx.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('scheme_id', '=', schemeId)
      .where((eb) => eb.and(where))
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }
  const inFlight = await countWhere([
    sql<boolean>`status in (${sql.join(UNSETTLED_STATUSES)})`,
    sql<boolean>`claimed_until > ${now}`,
  ])
  const changed = await countWhere([sql<boolean>`changed_after_sync = 1`])
  const resolved = await countWhere([sql<boolean>`resolved_at is not null`])
  const counts = Object.fromEntries(RECORD_STATUSES.map((s) => [s, 0])) as Record<RecordStatus, number>
  let total = 0
  for (const r of rows) {
    counts[r.status as RecordStatus] = Number(r.n)
    total += Number(r.n)
  }
  return { ...counts, inFlight, changedAfterSync: changed, resolved, total }
}
