/**
 * The ledger statements run for every record the target stage writes (payload, intent, outcome,
 * event), as SQL text instead of Kysely's query builder. Building and compiling these through
 * the builder cost as much CPU as SQLite spent running them (0.3 ms per bill in the overhead
 * bench's profile); the text is fixed per statement shape, so SQLite's statement cache also hits.
 * Plain identifiers and `RETURNING` mean the same on SQLite (≥ 3.35) and PostgreSQL; values are
 * always parameters.
 */
import { CompiledQuery, sql } from 'kysely'
import type { Kysely, RawBuilder, SqliteDatabase } from 'kysely'
import type { Fence } from './context.js'
import type { RecordRef } from './ledger-types.js'
import { SETTLED_STATUSES } from './ledger-types.js'
import type { StoreDatabase } from './schema.js'

const NOT_SETTLED = sql`status not in (${sql.join([...SETTLED_STATUSES])})`

/** ` , col = value` for each present entry; undefined entries are left out (the column keeps its value). */
function sets(values: Record<string, unknown>): RawBuilder<unknown> {
  return sql.join(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => sql`${sql.raw(k)} = ${v}`),
    sql`, `,
  )
}

/**
 * Where a hot statement runs: in a write transaction (`trx`) and, on SQLite, on the store's
 * better-sqlite3 handle, which that transaction holds (dialect.ts, `sqliteHandle`).
 */
export interface HotTx {
  readonly trx: Kysely<StoreDatabase>
  readonly sqlite: SqliteDatabase | undefined
}

/** `?` placeholders numbered for PostgreSQL (`$1`, `$2`, …); the hot texts hold no `?` elsewhere. */
const pgTexts = new Map<string, string>()
function pgText(text: string): string {
  let t = pgTexts.get(text)
  if (t === undefined) {
    let n = 0
    t = text.replace(/\?/g, () => `$${++n}`)
    pgTexts.set(text, t)
  }
  return t
}

/**
 * Run one statement of fixed text with `?` parameters. On SQLite it is a prepared statement run
 * synchronously on the handle (prepared once: the handle reuses statements by text), skipping
 * Kysely's query building, compiling and promise hops; on PostgreSQL the same text goes through
 * Kysely as a compiled query. Returns the rows (`returning`) and the number of rows changed.
 */
async function hot<R>(tx: HotTx, text: string, params: readonly unknown[]): Promise<{ rows: R[]; changes: number }> {
  if (tx.sqlite !== undefined) {
    const stmt = tx.sqlite.prepare(text)
    if (stmt.reader) {
      const rows = stmt.all(params) as R[]
      return { rows, changes: rows.length }
    }
    return { rows: [], changes: Number(stmt.run(params).changes) }
  }
  const r = await tx.trx.executeQuery<R>(CompiledQuery.raw(pgText(text), [...params]))
  return { rows: [...r.rows], changes: Number(r.numAffectedRows ?? r.rows.length) }
}

const INSERT_EVENT = 'insert into record_events (scheme_id, record_id, at, event, detail) values (?, ?, ?, ?, ?)'

export async function insertEvent(
  tx: HotTx,
  ref: RecordRef,
  at: number,
  name: string,
  detail: string | null,
): Promise<void> {
  await hot(tx, INSERT_EVENT, [ref.schemeId, ref.recordId, at, name, detail])
}

/**
 * The one text of a statement shape, kept: the statement cache finds a prepared statement by its
 * text, and a text built anew for each record is a fresh string that must be flattened and hashed
 * before every lookup (0.02 ms per bill in the overhead bench's profile).
 */
function interned(texts: Map<number, string>, shape: number, built: string): string {
  const known = texts.get(shape)
  // The shape bits are written beside the conditions that build the text; should they ever
  // disagree, a text of another length is not taken for this one (a length needs no flattening).
  if (known !== undefined && known.length === built.length) return known
  texts.set(shape, built)
  return built
}

const SETTLE_TEXTS = new Map<number, string>()
const UNSETTLE_TEXTS = new Map<number, string>()

const NOT_SETTLED_TEXT = `status not in (${SETTLED_STATUSES.map((s) => `'${s}'`).join(', ')})`
/** On SQLite, the fencing check folded into the statement (see context.ts, `checkFence`). */
const FENCE_TEXT = ' and exists (select 1 from leases where name = ? and token = ?)'

/**
 * The one statement of a `done` / `duplicate` mark on its usual path: settles the record only when
 * it is not settled, no other record holds the target id under another business key, and (when
 * `fence` is given) the lease still carries the token, i.e. exactly when the step-by-step path
 * (fence check, {@link settleRow}, {@link otherOwner}) would succeed, with the same changes.
 * False when it changed nothing: the caller then takes the step-by-step path to learn why.
 */
export async function settleWhenClear(
  tx: HotTx,
  ref: RecordRef,
  values: {
    status: string
    targetId: string | null
    response: string
    now: number
    businessKey?: string
    payload?: string
  },
  fence: Fence | undefined,
): Promise<boolean> {
  const params: unknown[] = [values.status, values.targetId, values.response, values.now, values.now]
  let set =
    'update records set status = ?, target_id = ?, response = ?, done_at = ?, updated_at = ?, claim_token = null, claimed_until = null, next_attempt_at = null, error_code = null, error_kind = null, error_message = null'
  if (values.businessKey !== undefined) {
    set += ', business_key = ?'
    params.push(values.businessKey)
  }
  if (values.payload !== undefined) {
    set += ', payload = ?'
    params.push(values.payload)
  }
  let where = ` where scheme_id = ? and record_id = ? and ${NOT_SETTLED_TEXT}`
  params.push(ref.schemeId, ref.recordId)
  if (values.targetId !== null) {
    // The business key the record has after this update; no key: any other holder of the id clashes.
    const key = values.businessKey === undefined ? 'records.business_key' : '?'
    where += ` and not exists (select 1 from records o where o.scheme_id = ? and o.target_id = ? and o.seq != records.seq and (${
      values.businessKey === undefined ? 'records.business_key is null or ' : ''
    }o.business_key is null or o.business_key != ${key}))`
    params.push(ref.schemeId, values.targetId)
    if (values.businessKey !== undefined) params.push(values.businessKey)
  }
  if (fence !== undefined) {
    where += FENCE_TEXT
    params.push(fence.lease, fence.token)
  }
  const shape =
    (values.businessKey === undefined ? 0 : 1) |
    (values.payload === undefined ? 0 : 2) |
    (values.targetId === null ? 0 : 4) |
    (fence === undefined ? 0 : 8)
  return (await hot(tx, interned(SETTLE_TEXTS, shape, set + where), params)).changes === 1
}

/**
 * The claim a write intent is made under: the intent changes the record only while the record's
 * claim still carries `token` (no other writer claimed it since), and renews the claim to `until`.
 */
export interface IntentClaim {
  readonly token: string
  readonly until: number
}

/**
 * The one statement of an `unknown` / `queued` / `error` mark on its usual path: the mapped
 * payload (unless a person edited it) and the status in one update, only when the record is not
 * settled and (when `fence` is given) the lease still carries the token. Same changes as
 * {@link updatePayload} followed by {@link unsettleRow}; undefined when it changed nothing, and
 * the caller then takes that step-by-step path.
 */
export async function unsettleWhenClear(
  tx: HotTx,
  ref: RecordRef,
  status: 'queued' | 'error' | 'unknown',
  values: {
    next: number | null
    code: string
    kind: string
    message: string
    now: number
    response?: string
    uncount?: boolean
    targetId?: string
  },
  save: { payload: string; businessKey?: string } | undefined,
  fence: Fence | undefined,
  claim?: IntentClaim,
): Promise<string | undefined> {
  const params: unknown[] = []
  let text = 'update records set status = '
  if (status === 'queued') text += "case when status = 'unknown' then 'unknown' else 'queued' end"
  else {
    text += '?'
    params.push(status)
  }
  if (values.uncount === true) text += ', attempts = case when attempts > 0 then attempts - 1 else 0 end'
  // A write intent keeps its claim (renewed to `claim.until`) until the outcome is marked, so no
  // other writer claims the record, and probes it, while the request is on its way.
  text += ', next_attempt_at = ?, '
  params.push(values.next)
  if (claim === undefined) text += 'claim_token = null, claimed_until = null'
  else {
    text += 'claimed_until = ?'
    params.push(claim.until)
  }
  text += ', error_code = ?, error_kind = ?, error_message = ?, updated_at = ?'
  params.push(values.code, values.kind, values.message, values.now)
  if (values.response !== undefined) {
    text += ', response = ?'
    params.push(values.response)
  }
  if (values.targetId !== undefined) {
    text += ', target_id = ?'
    params.push(values.targetId)
  }
  if (save !== undefined) {
    text += ', payload = case when payload_edited = 0 then ? else payload end'
    params.push(save.payload)
    if (save.businessKey !== undefined) {
      text += ', business_key = case when payload_edited = 0 then ? else business_key end'
      params.push(save.businessKey)
    }
  }
  text += ` where scheme_id = ? and record_id = ? and ${NOT_SETTLED_TEXT}`
  params.push(ref.schemeId, ref.recordId)
  if (claim !== undefined) {
    text += ' and claim_token = ?'
    params.push(claim.token)
  }
  if (fence !== undefined) {
    text += FENCE_TEXT
    params.push(fence.lease, fence.token)
  }
  const shape =
    (status === 'queued' ? 1 : 0) |
    (values.uncount === true ? 2 : 0) |
    (claim === undefined ? 0 : 4) |
    (values.response === undefined ? 0 : 8) |
    (values.targetId === undefined ? 0 : 16) |
    (save === undefined ? 0 : 32) |
    (save?.businessKey === undefined ? 0 : 64) |
    (fence === undefined ? 0 : 128)
  const { rows } = await hot<{ status: string }>(
    tx,
    interned(UNSETTLE_TEXTS, shape, `${text} returning status`),
    params,
  )
  return rows[0]?.status
}

/** Payload and business key, unless a person edited the payload. True when the row changed. */
export async function updatePayload(
  trx: Kysely<StoreDatabase>,
  ref: RecordRef,
  now: number,
  payload: string,
  businessKey: string | undefined,
): Promise<boolean> {
  const res = await sql`update records set ${sets({ payload, updated_at: now, business_key: businessKey })}
    where scheme_id = ${ref.schemeId} and record_id = ${ref.recordId} and payload_edited = 0`.execute(trx)
  return Number(res.numAffectedRows ?? 0) === 1
}

/** Settle an unsettled record (`done` / `duplicate`); undefined when it was settled already or does not exist. */
export async function settleRow(
  trx: Kysely<StoreDatabase>,
  ref: RecordRef,
  values: {
    status: string
    targetId: string | null
    response: string
    now: number
    businessKey?: string
    payload?: string
  },
): Promise<{ seq: number; business_key: string | null } | undefined> {
  const { rows } = await sql<{ seq: number; business_key: string | null }>`update records set ${sets({
    status: values.status,
    target_id: values.targetId,
    response: values.response,
    done_at: values.now,
    updated_at: values.now,
    claim_token: null,
    claimed_until: null,
    next_attempt_at: null,
    error_code: null,
    error_kind: null,
    error_message: null,
    business_key: values.businessKey,
    payload: values.payload,
  })} where scheme_id = ${ref.schemeId} and record_id = ${ref.recordId} and ${NOT_SETTLED} returning seq, business_key`.execute(
    trx,
  )
  const row = rows[0]
  return row === undefined ? undefined : { seq: Number(row.seq), business_key: row.business_key }
}

/** Another record holding `targetId` under a different (or no) business key, if any. */
export async function otherOwner(
  trx: Kysely<StoreDatabase>,
  ref: RecordRef,
  targetId: string,
  seq: number,
  businessKey: string | null,
): Promise<string | undefined> {
  const keyClash = businessKey === null ? sql`` : sql` and (business_key is null or business_key != ${businessKey})`
  const { rows } = await sql<{ record_id: string }>`select record_id from records
    where scheme_id = ${ref.schemeId} and target_id = ${targetId} and seq != ${seq}${keyClash} limit 1`.execute(trx)
  return rows[0]?.record_id
}

/**
 * Mark an unsettled record `unknown`, `error` or `queued` (a record whose last attempt may have
 * landed stays `unknown`). Returns the status set, or undefined when it was settled or does not exist.
 */
export async function unsettleRow(
  trx: Kysely<StoreDatabase>,
  ref: RecordRef,
  status: 'queued' | 'error' | 'unknown',
  values: {
    next: number | null
    code: string
    kind: string
    message: string
    now: number
    response?: string
    uncount?: boolean
    targetId?: string
  },
  claim?: IntentClaim,
): Promise<string | undefined> {
  const newStatus =
    status === 'queued' ? sql`case when status = 'unknown' then 'unknown' else 'queued' end` : sql`${status}`
  const uncount =
    values.uncount === true ? sql`attempts = case when attempts > 0 then attempts - 1 else 0 end, ` : sql``
  const { rows } = await sql<{ status: string }>`update records set status = ${newStatus}, ${uncount}${sets({
    next_attempt_at: values.next,
    claim_token: claim === undefined ? null : undefined,
    claimed_until: claim === undefined ? null : claim.until,
    error_code: values.code,
    error_kind: values.kind,
    error_message: values.message,
    updated_at: values.now,
    response: values.response,
    target_id: values.targetId,
  })} where scheme_id = ${ref.schemeId} and record_id = ${ref.recordId} and ${NOT_SETTLED}${
    claim === undefined ? sql`` : sql` and claim_token = ${claim.token}`
  } returning status`.execute(trx)
  return rows[0]?.status
}
