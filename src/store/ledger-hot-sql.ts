/**
 * The ledger statements run for every record the target stage writes (payload, intent, outcome,
 * event), as SQL text instead of Kysely's query builder. Building and compiling these through
 * the builder cost as much CPU as SQLite spent running them (0.3 ms per bill in the overhead
 * bench's profile); the text is fixed per statement shape, so SQLite's statement cache also hits.
 * Plain identifiers and `RETURNING` mean the same on SQLite (≥ 3.35) and PostgreSQL; values are
 * always parameters.
 */
import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
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

export async function insertEvent(
  trx: Kysely<StoreDatabase>,
  ref: RecordRef,
  at: number,
  name: string,
  detail: string | null,
): Promise<void> {
  await sql`insert into record_events (scheme_id, record_id, at, event, detail) values (${ref.schemeId}, ${ref.recordId}, ${at}, ${name}, ${detail})`.execute(
    trx,
  )
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
): Promise<string | undefined> {
  const newStatus =
    status === 'queued' ? sql`case when status = 'unknown' then 'unknown' else 'queued' end` : sql`${status}`
  const uncount =
    values.uncount === true ? sql`attempts = case when attempts > 0 then attempts - 1 else 0 end, ` : sql``
  const { rows } = await sql<{ status: string }>`update records set status = ${newStatus}, ${uncount}${sets({
    next_attempt_at: values.next,
    claim_token: null,
    claimed_until: null,
    error_code: values.code,
    error_kind: values.kind,
    error_message: values.message,
    updated_at: values.now,
    response: values.response,
    target_id: values.targetId,
  })} where scheme_id = ${ref.schemeId} and record_id = ${ref.recordId} and ${NOT_SETTLED} returning status`.execute(
    trx,
  )
  return rows[0]?.status
}
