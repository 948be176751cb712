/**
 * Storing fetched source records in the ledger, one transaction per batch. The rules that keep a
 * record from reaching the target twice live here (see {@link UpsertEffect}).
 */
import type { Kysely, SqliteDatabase } from 'kysely'
import { MAX_JSON_DEPTH, depthProblem } from '../core/limits.js'
import { canonicalHash, canonicalJson } from './canonical.js'
import { getPath, indexContent, keyText, lookupFields } from './collections.js'
import type { StoreContext } from './context.js'
import { inWriteTx, toMs } from './context.js'
import { sqliteHandle } from './dialect.js'
import { RecordBadSource } from './errors.js'
import type { SourceRecordInput, UpsertEffect, UpsertOutcome, UpsertResult } from './ledger-types.js'
import { SETTLED_STATUSES } from './ledger-types.js'
import type { RecordStatus } from './ledger-types.js'
import type { RecordTable, StoreDatabase } from './schema.js'

export interface UpsertOptions {
  /**
   * The scheme's `idCheck` (default true): a record already in the target is never queued again;
   * a changed later version is kept and flagged instead. With false, a changed version of a
   * synced record is queued to be written again.
   */
  readonly idCheck?: boolean
  /** The caller's clock (the engine's); defaults to the store clock. */
  readonly now?: Date
}

type Existing = Pick<
  RecordTable,
  'status' | 'content_hash' | 'pending_hash' | 'payload_edited' | 'claimed_until' | 'resolved_at'
> & { seq: number }

const CHUNK = 400

export async function upsertSourceRecords(
  ctx: StoreContext,
  schemeId: string,
  records: readonly SourceRecordInput[],
  opts: UpsertOptions = {},
): Promise<UpsertResult> {
  const idCheck = opts.idCheck ?? true
  const at = opts.now === undefined ? undefined : toMs(opts.now, 'now')
  const outcomes: UpsertOutcome[] = []
  const valid: Incoming[] = []
  records.forEach((r, i) => {
    const id = r.id === null || r.id === undefined ? '' : String(r.id).trim()
    const content = r.content as unknown
    if (id === '' || content === null || typeof content !== 'object' || Array.isArray(content)) {
      const e = RecordBadSource(
        [id === '' ? 'the source record has no id value' : `source record "${id}" content is not an object`],
        { location: `[${i}]${id === '' ? '.id' : '.content'}` },
      )
      outcomes.push({
        id,
        effect: 'rejected',
        error: { code: e.code, message: e.message, ...(e.location === undefined ? {} : { location: e.location }) },
      })
      return
    }
    const deep = depthProblem(content)
    if (deep !== undefined) {
      const e = RecordBadSource(
        [`source record "${id}" content nests deeper than ${MAX_JSON_DEPTH} levels at ${deep.path}`],
        { location: `[${i}].content` },
      )
      outcomes.push({
        id,
        effect: 'rejected',
        error: { code: e.code, message: e.message, ...(e.location === undefined ? {} : { location: e.location }) },
      })
      return
    }
    const num = r.number === null || r.number === undefined ? null : String(r.number)
    // The hash is of the same canonical text that is stored: sorted and serialised once, not twice.
    const json = canonicalJson(r.content)
    valid.push({
      id,
      number: num,
      content: r.content,
      json,
      hash: canonicalHash(json),
      ...(r.groupKey === undefined ? {} : { group: r.groupKey }),
    })
  })

  // On SQLite the rows are inserted on the handle the write transaction holds (insertNewSqlite).
  const sqlite = sqliteHandle(ctx.db)
  for (let i = 0; i < valid.length; i += CHUNK) {
    const chunk = valid.slice(i, i + CHUNK)
    const done = await inWriteTx(
      ctx,
      async (trx) => {
        const now = at ?? ctx.now()
        const fields = await lookupFields(trx, schemeId)
        const rows = await trx
          .selectFrom('records')
          .select([
            'seq',
            'record_id',
            'status',
            'content_hash',
            'pending_hash',
            'payload_edited',
            'claimed_until',
            'resolved_at',
          ])
          .where('scheme_id', '=', schemeId)
          .where('record_id', 'in', [...new Set(chunk.map((r) => r.id))])
          .execute()
        const existing = new Map<string, Existing>(rows.map((r) => [r.record_id, { ...r, seq: Number(r.seq) }]))
        const fresh = await insertNew(
          sqlite === undefined ? trx : sqlite,
          schemeId,
          chunk.filter((r) => !existing.has(r.id)),
          existing,
          now,
          fields,
        )
        const out: UpsertOutcome[] = []
        for (const r of chunk) {
          const effect = fresh.delete(r)
            ? 'inserted'
            : await applyOne(trx, schemeId, r, existing.get(r.id)!, { now, idCheck, fields })
          out.push({ id: r.id, effect })
        }
        return out
        // Lazy: a page lost on power failure is fetched again, since the window that holds it is
        // closed by a later, durable commit.
      },
      'lazy',
    )
    outcomes.push(...done)
  }
  const counts: Record<UpsertEffect, number> = {
    inserted: 0,
    unchanged: 0,
    updated_before_sync: 0,
    changed_after_sync: 0,
    requeued_after_sync: 0,
    rejected: 0,
  }
  for (const o of outcomes) counts[o.effect]++
  return { outcomes, counts }
}

type Incoming = {
  id: string
  number: string | null
  content: Record<string, unknown>
  json: string
  hash: string
  group?: string | null
}

/**
 * The rows {@link insertNew} stores, as fixed texts run on SQLite's handle: the query builder's
 * multi-row statement (26 columns × 50 rows) was built, compiled and prepared anew for every page
 * (its text is too long for the statement cache), and cost the source stage more than SQLite's
 * own work. Here each text depends only on the number of rows (at most {@link ROWS_PER_INSERT}),
 * so a page's statements are prepared once and reused. The values are those of the builder path.
 */
const ROWS_PER_INSERT = 50
const INSERT_RECORDS = {
  head:
    'insert into records (scheme_id, record_id, number, content, content_hash, group_key, status, attempts, ' +
    'next_attempt_at, changed_after_sync, payload_edited, created_at, updated_at) values ',
  row: "(?, ?, ?, ?, ?, ?, 'waiting', 0, ?, 0, 0, ?, ?)",
  tail: ' returning seq, record_id',
}
const INSERT_INDEX = {
  head: 'insert into collection_index (collection_id, key_field, key_value, ref_seq) values ',
  row: '(?, ?, ?, ?)',
  tail: '',
}
const INSERT_STORED = {
  head: 'insert into record_events (scheme_id, record_id, at, event, detail) values ',
  row: "(?, ?, ?, 'stored', ?)",
  tail: '',
}

/** Insert `rows` (each its parameters) in statements of at most {@link ROWS_PER_INSERT} rows; the returned rows, if any. */
function insertRows(db: SqliteDatabase, shape: typeof INSERT_INDEX, rows: readonly unknown[][]): unknown[] {
  const out: unknown[] = []
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT)
    const stmt = db.prepare(shape.head + Array<string>(part.length).fill(shape.row).join(', ') + shape.tail)
    const params = part.flat()
    if (stmt.reader) out.push(...stmt.all(params))
    else stmt.run(params)
  }
  return out
}

/**
 * After the insert: each fresh record is known to the rest of the batch as stored and waiting (a
 * later duplicate of its id updates it), and its collection-index entries, one per indexed field
 * it has, are returned for either store path to write in its own row shape.
 */
function noteInserted(
  inserted: readonly { seq: number | bigint; record_id: string }[],
  fresh: readonly Incoming[],
  existing: Map<string, Existing>,
  fields: readonly string[],
): { field: string; value: string; seq: number }[] {
  const seqOf = new Map(inserted.map((row) => [row.record_id, Number(row.seq)]))
  const index: { field: string; value: string; seq: number }[] = []
  for (const r of fresh) {
    const seq = seqOf.get(r.id) ?? -1
    existing.set(r.id, {
      seq,
      status: 'waiting',
      content_hash: r.hash,
      pending_hash: null,
      payload_edited: 0,
      claimed_until: null,
      resolved_at: null,
    })
    for (const field of fields) {
      const value = keyText(getPath(r.content, field))
      if (value !== undefined) index.push({ field, value, seq })
    }
  }
  return index
}

/** {@link insertNew} on SQLite: prepared statements on the handle the write transaction holds. */
function insertNewSqlite(
  db: SqliteDatabase,
  schemeId: string,
  fresh: readonly Incoming[],
  existing: Map<string, Existing>,
  now: number,
  fields: readonly string[],
): void {
  const inserted = insertRows(
    db,
    INSERT_RECORDS,
    fresh.map((r) => [schemeId, r.id, r.number, r.json, r.hash, r.group ?? null, now, now, now]),
  ) as { seq: number | bigint; record_id: string }[]
  const index = noteInserted(inserted, fresh, existing, fields)
  insertRows(
    db,
    INSERT_INDEX,
    index.map((e) => [schemeId, e.field, e.value, e.seq]),
  )
  insertRows(
    db,
    INSERT_STORED,
    fresh.map((r) => [schemeId, r.id, now, JSON.stringify({ hash: r.hash })]),
  )
}

/**
 * Insert the first occurrence of every id not stored yet (a backfill is mostly inserts): on
 * SQLite row by row through prepared statements, elsewhere in multi-row statements. Returns the
 * inserted inputs; later duplicates of an id in the same batch are handled as updates of the row
 * inserted here.
 */
async function insertNew(
  trx: Kysely<StoreDatabase> | SqliteDatabase,
  schemeId: string,
  candidates: readonly Incoming[],
  existing: Map<string, Existing>,
  now: number,
  fields: readonly string[],
): Promise<Set<Incoming>> {
  const seen = new Set<string>()
  const fresh = candidates.filter((r) => !seen.has(r.id) && seen.add(r.id))
  if (fresh.length === 0) return new Set()
  if (!('insertInto' in trx)) {
    insertNewSqlite(trx, schemeId, fresh, existing, now, fields)
    return new Set(fresh)
  }
  const inserted = await trx
    .insertInto('records')
    .values(
      fresh.map((r) => ({
        scheme_id: schemeId,
        record_id: r.id,
        number: r.number,
        content: r.json,
        content_hash: r.hash,
        pending_content: null,
        pending_hash: null,
        changed_after_sync: 0,
        payload: null,
        payload_edited: 0,
        business_key: null,
        group_key: r.group ?? null,
        target_id: null,
        response: null,
        status: 'waiting',
        attempts: 0,
        next_attempt_at: now,
        claim_token: null,
        claimed_until: null,
        error_code: null,
        error_kind: null,
        error_message: null,
        resolved_at: null,
        resolved_note: null,
        created_at: now,
        updated_at: now,
        done_at: null,
      })),
    )
    .returning(['seq', 'record_id'])
    .execute()
  const index = noteInserted(inserted, fresh, existing, fields).map((e) => ({
    collection_id: schemeId,
    key_field: e.field,
    key_value: e.value,
    ref_seq: e.seq,
  }))
  for (let i = 0; i < index.length; i += 500)
    await trx
      .insertInto('collection_index')
      .values(index.slice(i, i + 500))
      .execute()
  await trx
    .insertInto('record_events')
    .values(
      fresh.map((r) => ({
        scheme_id: schemeId,
        record_id: r.id,
        at: now,
        event: 'stored',
        detail: JSON.stringify({ hash: r.hash }),
      })),
    )
    .execute()
  return new Set(fresh)
}

async function applyOne(
  trx: Kysely<StoreDatabase>,
  schemeId: string,
  r: Incoming,
  cur: Existing,
  o: { now: number; idCheck: boolean; fields: readonly string[] },
): Promise<UpsertEffect> {
  const key = (qb: Kysely<StoreDatabase>) => qb.updateTable('records').where('seq', '=', cur.seq)
  const event = (name: string, detail?: Record<string, unknown>) =>
    trx
      .insertInto('record_events')
      .values({
        scheme_id: schemeId,
        record_id: r.id,
        at: o.now,
        event: name,
        detail: detail === undefined ? null : JSON.stringify(detail),
      })
      .execute()

  if (cur.content_hash === r.hash || cur.pending_hash === r.hash) return 'unchanged'

  const settled = SETTLED_STATUSES.includes(cur.status as RecordStatus)
  const inFlight = cur.claimed_until !== null && Number(cur.claimed_until) > o.now
  // A record in the target, possibly in it (unknown, in flight), or settled by a person keeps its
  // synced content: the new version is parked beside it and flagged for a person to see.
  if ((settled && o.idCheck) || cur.status === 'unknown' || inFlight || cur.resolved_at !== null) {
    await key(trx)
      .set({ pending_content: r.json, pending_hash: r.hash, changed_after_sync: 1, updated_at: o.now })
      .execute()
    cur.pending_hash = r.hash
    await event('changed_after_sync', { hash: r.hash })
    return 'changed_after_sync'
  }
  const requeue = settled
  await key(trx)
    .set({
      number: r.number,
      content: r.json,
      content_hash: r.hash,
      pending_content: null,
      ...(r.group === undefined ? {} : { group_key: r.group }),
      pending_hash: null,
      changed_after_sync: 0,
      // A mapped payload is stale once the content changes; a person's edit is kept unless the
      // record is being written again after a sync.
      ...(cur.payload_edited === 1 && !requeue ? {} : { payload: null, payload_edited: 0 }),
      ...(cur.status === 'error' || requeue
        ? {
            status: 'waiting',
            attempts: 0,
            next_attempt_at: o.now,
            error_code: null,
            error_kind: null,
            error_message: null,
          }
        : {}),
      updated_at: o.now,
    })
    .execute()
  cur.content_hash = r.hash
  cur.pending_hash = null
  if (requeue || cur.status === 'error') cur.status = 'waiting'
  if (o.fields.length > 0) await indexContent(trx, schemeId, cur.seq, r.content, o.fields)
  await event(requeue ? 'requeued_after_sync' : 'updated', { hash: r.hash })
  return requeue ? 'requeued_after_sync' : 'updated_before_sync'
}
