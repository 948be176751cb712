/**
 * Inserting the records a source batch sees for the first time, with their collection-index rows
 * and `stored` events: on SQLite as fixed multi-row texts on the handle, elsewhere through the
 * query builder. ledger-upsert.ts decides what each incoming record becomes; this file stores the
 * new ones.
 */
import type { Kysely, SqliteDatabase } from 'kysely'
import { getPath, keyText } from './collections.js'
import type { RecordTable, StoreDatabase } from './schema.js'

/** What the upsert knows of a stored record while it decides (or of one inserted in this batch). */
export type Existing = Pick<
  RecordTable,
  'status' | 'content_hash' | 'pending_hash' | 'payload_edited' | 'claimed_until' | 'resolved_at'
> & { seq: number }

/** A fetched record, canonicalised and hashed. */
export type Incoming = {
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
export async function insertNew(
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
