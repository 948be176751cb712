/**
 * The failed-record queue and the ledger as people see it: paged listing with text search,
 * one record with its history, requeue, payload edits, manual resolution, counts and the ledger
 * invariants. Every read is paged so a scheme's whole ledger is never held in memory.
 */
import { sql } from 'kysely'
import { MAX_EDIT_BYTES, MAX_JSON_DEPTH, depthProblem } from '../core/limits.js'
import type { StoreContext } from './context.js'
import { inWriteTx, pageSize, parseCursor } from './context.js'
import { PayloadLimit, RecordNotFound, RecordSettled, StoreBadInput } from './errors.js'
import { RECORD_STATUSES, SETTLED_STATUSES, toLedgerRecord } from './ledger-types.js'
import type { LedgerRecord, RecordRef, RecordStatus } from './ledger-types.js'

export interface ListFilter {
  readonly status?: RecordStatus | readonly RecordStatus[]
  /** Case-insensitive substring of the number, the id or the last error message. */
  readonly search?: string
  readonly changedAfterSync?: boolean
  readonly limit?: number
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string
}

export interface RecordPage {
  readonly records: LedgerRecord[]
  /** Present when there may be more; pass it back as `cursor`. */
  readonly nextCursor?: string
}

export interface RecordEvent {
  readonly at: Date
  readonly event: string
  readonly detail: Record<string, unknown> | null
}

export type StatusCounts = Record<RecordStatus, number> & {
  inFlight: number
  changedAfterSync: number
  resolved: number
  total: number
}

export interface InvariantViolation {
  readonly rule: 'done_has_target_id' | 'done_has_response' | 'target_id_one_business_key'
  readonly recordId: string
  readonly detail: string
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export async function listRecords(ctx: StoreContext, schemeId: string, f: ListFilter = {}): Promise<RecordPage> {
  const limit = pageSize(f.limit, 50, 1000)
  const statuses =
    f.status === undefined
      ? undefined
      : Array.isArray(f.status)
        ? (f.status as readonly RecordStatus[])
        : [f.status as RecordStatus]
  for (const s of statuses ?? [])
    if (!RECORD_STATUSES.includes(s))
      throw StoreBadInput([`unknown status "${s}"; expected one of ${RECORD_STATUSES.join(', ')}`])
  const needle = f.search?.trim().toLowerCase()
  const rows = await ctx.db
    .selectFrom('records')
    .selectAll()
    .where('scheme_id', '=', schemeId)
    .where('seq', '>', parseCursor(f.cursor))
    .$if(statuses !== undefined, (qb) => qb.where('status', 'in', [...(statuses ?? [])]))
    .$if(f.changedAfterSync !== undefined, (qb) =>
      qb.where('changed_after_sync', '=', f.changedAfterSync === true ? 1 : 0),
    )
    .$if(needle !== undefined && needle !== '', (qb) =>
      qb.where((eb) => {
        const pattern = `%${escapeLike(needle ?? '')}%`
        // SQLite has no default LIKE escape character, so name it for both dialects.
        const like = (col: 'number' | 'record_id' | 'error_message') =>
          sql<boolean>`lower(coalesce(${sql.ref(col)}, '')) like ${pattern} escape '\\'`
        return eb.or([like('number'), like('record_id'), like('error_message')])
      }),
    )
    .orderBy('seq')
    .limit(limit)
    .execute()
  const now = ctx.now()
  const records = rows.map((r) => toLedgerRecord(r, now))
  const last = records.at(-1)
  return records.length === limit && last !== undefined ? { records, nextCursor: String(last.seq) } : { records }
}

/** Every record matching the filter, page by page; memory stays bounded by `pageSize`. */
export async function* iterateRecords(
  ctx: StoreContext,
  schemeId: string,
  f: Omit<ListFilter, 'cursor' | 'limit'> = {},
  size = 500,
): AsyncGenerator<LedgerRecord> {
  let cursor: string | undefined
  do {
    const page = await listRecords(ctx, schemeId, { ...f, limit: size, ...(cursor === undefined ? {} : { cursor }) })
    yield* page.records
    cursor = page.nextCursor
  } while (cursor !== undefined)
}

export async function getRecord(ctx: StoreContext, ref: RecordRef): Promise<LedgerRecord | undefined> {
  const row = await ctx.db
    .selectFrom('records')
    .selectAll()
    .where('scheme_id', '=', ref.schemeId)
    .where('record_id', '=', ref.recordId)
    .executeTakeFirst()
  return row === undefined ? undefined : toLedgerRecord(row, ctx.now())
}

/** The record's history (stored, attempts, outcomes, edits), oldest first, at most `limit`. */
export async function recordEvents(ctx: StoreContext, ref: RecordRef, limit = 200): Promise<RecordEvent[]> {
  const rows = await ctx.db
    .selectFrom('record_events')
    .select(['at', 'event', 'detail'])
    .where('scheme_id', '=', ref.schemeId)
    .where('record_id', '=', ref.recordId)
    .orderBy('seq')
    .limit(pageSize(limit, 200, 1000))
    .execute()
  return rows.map((r) => ({
    at: new Date(Number(r.at)),
    event: r.event,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  }))
}

/**
 * Queue records for a new attempt now (attempt ladder restarts). `allFailed` takes every
 * unresolved `error` record. Settled records are skipped and reported, never re-queued;
 * `unknown` ones stay unknown (they will be probed first).
 */
export async function requeue(
  ctx: StoreContext,
  schemeId: string,
  which: { ids: readonly string[] } | { allFailed: true },
): Promise<{ requeued: string[]; skipped: { id: string; reason: string }[] }> {
  const requeued: string[] = []
  const skipped: { id: string; reason: string }[] = []
  if ('allFailed' in which) {
    let after = 0
    for (;;) {
      const page = await inWriteTx(ctx, async (trx) => {
        const rows = await trx
          .selectFrom('records')
          .select(['seq', 'record_id'])
          .where('scheme_id', '=', schemeId)
          .where('status', '=', 'error')
          .where('resolved_at', 'is', null)
          .where('seq', '>', after)
          .orderBy('seq')
          .limit(500)
          .execute()
        if (rows.length > 0)
          await reset(
            trx,
            rows.map((r) => Number(r.seq)),
            ctx.now(),
          )
        return rows
      })
      requeued.push(...page.map((r) => r.record_id))
      if (page.length < 500) break
      after = Number(page.at(-1)?.seq)
    }
    return { requeued, skipped }
  }
  await inWriteTx(ctx, async (trx) => {
    for (const id of which.ids) {
      const row = await trx
        .selectFrom('records')
        .select(['seq', 'status', 'resolved_at'])
        .where('scheme_id', '=', schemeId)
        .where('record_id', '=', id)
        .executeTakeFirst()
      if (row === undefined) skipped.push({ id, reason: 'not found' })
      else if (SETTLED_STATUSES.includes(row.status as RecordStatus))
        skipped.push({ id, reason: `already ${row.status}` })
      else {
        await reset(trx, [Number(row.seq)], ctx.now())
        requeued.push(id)
      }
    }
  })
  return { requeued, skipped }
}

async function reset(trx: Parameters<Parameters<typeof inWriteTx>[1]>[0], seqs: number[], now: number): Promise<void> {
  // `unknown` keeps its status so the writer probes before writing; others go back to waiting.
  await trx
    .updateTable('records')
    .set((eb) => ({
      status: eb.case().when('status', '=', 'unknown').then('unknown').else('waiting').end(),
      attempts: 0,
      next_attempt_at: now,
      claim_token: null,
      claimed_until: null,
      resolved_at: null,
      resolved_note: null,
      updated_at: now,
    }))
    .where('seq', 'in', seqs)
    .execute()
  const rows = await trx.selectFrom('records').select(['scheme_id', 'record_id']).where('seq', 'in', seqs).execute()
  await trx
    .insertInto('record_events')
    .values(
      rows.map((r) => ({ scheme_id: r.scheme_id, record_id: r.record_id, at: now, event: 'requeued', detail: null })),
    )
    .execute()
}

/** Replace the mapped payload by hand; the writer then sends it as is. Not allowed once settled. */
export async function editPayload(ctx: StoreContext, ref: RecordRef, payload: Record<string, unknown>): Promise<void> {
  // A person's edit is input like any other: bounded before it is stored and later hashed and mapped.
  const deep = depthProblem(payload)
  if (deep !== undefined) throw PayloadLimit([`nests deeper than ${MAX_JSON_DEPTH} levels`], { location: deep.path })
  const json = JSON.stringify(payload)
  if (Buffer.byteLength(json) > MAX_EDIT_BYTES)
    throw PayloadLimit([`is ${Buffer.byteLength(json)} bytes, more than ${MAX_EDIT_BYTES}`])
  await inWriteTx(ctx, async (trx) => {
    const row = await trx
      .selectFrom('records')
      .select(['seq', 'status'])
      .where('scheme_id', '=', ref.schemeId)
      .where('record_id', '=', ref.recordId)
      .executeTakeFirst()
    if (row === undefined) throw RecordNotFound([ref.schemeId, ref.recordId])
    if (SETTLED_STATUSES.includes(row.status as RecordStatus)) throw RecordSettled([ref.recordId, row.status])
    const now = ctx.now()
    await trx
      .updateTable('records')
      .set({ payload: json, payload_edited: 1, updated_at: now })
      .where('seq', '=', row.seq)
      .execute()
    await trx
      .insertInto('record_events')
      .values({ scheme_id: ref.schemeId, record_id: ref.recordId, at: now, event: 'edited', detail: null })
      .execute()
  })
}

/**
 * A person settles the record: a failed one is taken out of the queue (never claimed again until
 * requeued), a changed-after-sync flag is acknowledged.
 */
export async function resolve(ctx: StoreContext, ref: RecordRef, note: string): Promise<void> {
  await inWriteTx(ctx, async (trx) => {
    const now = ctx.now()
    const res = await trx
      .updateTable('records')
      .set({
        resolved_at: now,
        resolved_note: note,
        changed_after_sync: 0,
        claim_token: null,
        claimed_until: null,
        updated_at: now,
      })
      .where('scheme_id', '=', ref.schemeId)
      .where('record_id', '=', ref.recordId)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) throw RecordNotFound([ref.schemeId, ref.recordId])
    await trx
      .insertInto('record_events')
      .values({
        scheme_id: ref.schemeId,
        record_id: ref.recordId,
        at: now,
        event: 'resolved',
        detail: JSON.stringify({ note }),
      })
      .execute()
  })
}

/** Check the ledger invariants: every done record has a target id and a response; a target id belongs to one business key. */
export async function checkInvariants(ctx: StoreContext, schemeId: string, limit = 100): Promise<InvariantViolation[]> {
  const out: InvariantViolation[] = []
  const bad = await ctx.db
    .selectFrom('records')
    .select(['record_id', 'target_id', 'response'])
    .where('scheme_id', '=', schemeId)
    .where('status', '=', 'done')
    .where((eb) =>
      eb.or([
        eb('target_id', 'is', null),
        eb('target_id', '=', ''),
        eb('response', 'is', null),
        eb('response', '=', 'null'),
      ]),
    )
    .limit(limit)
    .execute()
  for (const r of bad) {
    if (r.target_id === null || r.target_id === '')
      out.push({ rule: 'done_has_target_id', recordId: r.record_id, detail: 'done without a target id' })
    if (r.response === null || r.response === 'null')
      out.push({ rule: 'done_has_response', recordId: r.record_id, detail: 'done without a response' })
  }
  // Records of one grouped document share its target id and its business key; a target id held
  // under two keys, or by a record without a key next to another record, is a mix-up.
  const shared = await ctx.db
    .selectFrom('records')
    .select((eb) => [
      'target_id',
      eb.fn.countAll<number>().as('n'),
      sql<number>`count(distinct business_key)`.as('keys'),
    ])
    .where('scheme_id', '=', schemeId)
    .where('target_id', 'is not', null)
    .groupBy('target_id')
    .having((eb) =>
      eb.and([
        eb(eb.fn.countAll(), '>', 1),
        eb.or([eb(sql`count(distinct business_key)`, '>', 1), eb(eb.fn.count('business_key'), '<', eb.fn.countAll())]),
      ]),
    )
    .limit(limit)
    .execute()
  for (const s of shared) {
    out.push({
      rule: 'target_id_one_business_key',
      recordId: '',
      detail: `target ${String(s.target_id)} is mapped by ${Number(s.n)} records under ${Number(s.keys)} business keys (or without one)`,
    })
  }
  return out
}
