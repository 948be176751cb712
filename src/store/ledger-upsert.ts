/**
 * Storing fetched source records in the ledger, one transaction per batch. The rules that keep a
 * record from reaching the target twice live here (see {@link UpsertEffect}).
 */
import type { Kysely } from 'kysely'
import { MAX_JSON_DEPTH, depthProblem } from '../core/limits.js'
import { canonicalHash, canonicalJson } from './canonical.js'
import { indexContent, lookupFields } from './collections.js'
import type { StoreContext } from './context.js'
import { inWriteTx, toMs } from './context.js'
import { sqliteHandle } from './dialect.js'
import { RecordBadSource } from './errors.js'
import type { SourceRecordInput, UpsertEffect, UpsertOutcome, UpsertResult } from './ledger-types.js'
import { SETTLED_STATUSES } from './ledger-types.js'
import type { RecordStatus } from './ledger-types.js'
import type { StoreDatabase } from './schema.js'
import { insertNew, type Existing, type Incoming } from './ledger-insert.js'

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
