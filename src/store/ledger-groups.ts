/**
 * Claiming for grouped schemes (groupCalculate). One header group becomes one target document, so
 * the ledger hands a group out whole or not at all:
 *
 * - a group with a member that is not due yet (a retry scheduled later, an unknown outcome whose
 *   probe is later, a claim held by another writer) is held back, due members included, until the
 *   whole group can go together;
 * - parked (`error`) members of a group that goes out are handed out with it, so retrying one
 *   record of a grouped document retries the document;
 * - a member that became due after its group was written (a line added to an order later, a
 *   record fetched by a later run) cannot be merged into a document that exists: it is claimed
 *   and returned as `late` with the document it missed, for the engine to park with a clear error
 *   instead of writing a second document under the same key (answered "already exists", which
 *   would mark it a duplicate although its rows never reached the target).
 *
 * Records without a group key (stored before migration 3) are claimed one by one as before; the
 * engine fills their keys first with {@link refreshGroupKeys}.
 */
import { sql } from 'kysely'
import type { Kysely, Selectable } from 'kysely'
import type { StoreContext } from './context.js'
import { inWriteTx, pageSize, toMs } from './context.js'
import { dueRecords, newClaimToken, type ClaimOptions } from './ledger-claims.js'
import { CLAIMABLE_STATUSES, SETTLED_STATUSES, UNSETTLED_STATUSES, toLedgerRecord } from './ledger-types.js'
import type { LedgerRecord, RecordStatus } from './ledger-types.js'
import type { RecordTable, StoreDatabase } from './schema.js'

export interface LateMember {
  readonly record: LedgerRecord
  /** The group's document that was written before this record became due. */
  readonly writtenAs: {
    readonly businessKey: string | null
    readonly targetId: string | null
    readonly recordId: string
  }
}

export interface GroupClaim {
  readonly token: string
  /** Whole groups (plus records without a group key) in arrival order; `attempts` counts this attempt. */
  readonly records: LedgerRecord[]
  /** Claimed members of groups already written; the caller must park them. */
  readonly late: LateMember[]
}

type Row = Selectable<RecordTable>

const CHUNK = 500

/** {@link dueRecords} for a row already read (the group members the due query did not return). */
function isDue(r: Row, now: number): boolean {
  return (
    CLAIMABLE_STATUSES.includes(r.status as RecordStatus) &&
    r.resolved_at === null &&
    r.next_attempt_at !== null &&
    Number(r.next_attempt_at) <= now &&
    isFree(r, now)
  )
}

function isFree(r: Row, now: number): boolean {
  return r.claimed_until === null || Number(r.claimed_until) <= now
}

/** A member that keeps its group back: still to be attempted, but not now or not by us. */
function isPendingLater(r: Row, now: number): boolean {
  return CLAIMABLE_STATUSES.includes(r.status as RecordStatus) && r.resolved_at === null && !isDue(r, now)
}

async function membersOf(
  trx: Kysely<StoreDatabase>,
  schemeId: string,
  keys: readonly string[],
  rowLocks: boolean,
): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>()
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('records')
      .selectAll()
      .where('scheme_id', '=', schemeId)
      .where('group_key', 'in', keys.slice(i, i + CHUNK))
      // PostgreSQL: lock the members and read them as committed now, so a write intent that
      // renewed a member's claim after the due query ran is seen, not overwritten by this claim.
      .$if(rowLocks, (qb) => qb.forUpdate())
      .execute()
    // Sorted here, not by the query: with `order by seq` SQLite walked the scheme's whole ledger
    // in seq order (records_list) instead of looking the groups up (records_group), so every
    // claim cost time in proportion to all records ever stored, done ones included.
    rows.sort((a, b) => Number(a.seq) - Number(b.seq))
    for (const r of rows) {
      const k = r.group_key as string
      const list = out.get(k)
      if (list === undefined) out.set(k, [r])
      else list.push(r)
    }
  }
  return out
}

/**
 * Claim due records of a grouped scheme group by group (see the file comment). Stops once at
 * least `limit` records are claimed or no due record is left; held groups are skipped, so they
 * never starve the groups behind them.
 */
export async function claimGroups(
  ctx: StoreContext,
  schemeId: string,
  limit: number,
  opts: ClaimOptions = {},
): Promise<GroupClaim> {
  const n = pageSize(limit, 100, 5000)
  const now = opts.now === undefined ? ctx.now() : toMs(opts.now, 'now')
  const until = now + (opts.ttlMs ?? 300_000)
  const token = newClaimToken(ctx)
  return inWriteTx(
    ctx,
    async (trx) => {
      // Grouped claims of one scheme take turns: two writers must never split a group between them.
      if (ctx.caps.advisoryLocks)
        await sql`select pg_advisory_xact_lock(hashtext(${`ferry:claim-groups:${schemeId}`}))`.execute(trx)
      const take: Row[] = []
      const late: { row: Row; written: Row }[] = []
      const seenKeys = new Set<string>()
      let after: { at: number; seq: number } | undefined
      while (take.length + late.length < n) {
        let q = dueRecords(trx, schemeId, now).select(['seq', 'group_key', 'next_attempt_at'])
        if (after !== undefined) {
          const a = after
          q = q.where((eb) =>
            eb.or([
              eb('next_attempt_at', '>', a.at),
              eb.and([eb('next_attempt_at', '=', a.at), eb('seq', '>', a.seq)]),
            ]),
          )
        }
        const due = await q.orderBy('next_attempt_at').orderBy('seq').limit(n).execute()
        if (due.length === 0) break
        const last = due[due.length - 1]!
        after = { at: Number(last.next_attempt_at), seq: Number(last.seq) }

        const ungrouped = due.filter((d) => d.group_key === null).map((d) => Number(d.seq))
        if (ungrouped.length > 0)
          take.push(...(await trx.selectFrom('records').selectAll().where('seq', 'in', ungrouped).execute()))
        const keys = [
          ...new Set(due.map((d) => d.group_key).filter((k): k is string => k !== null && !seenKeys.has(k))),
        ]
        keys.forEach((k) => seenKeys.add(k))
        const groups = await membersOf(trx, schemeId, keys, ctx.caps.skipLocked)
        for (const key of keys) {
          const members = (groups.get(key) ?? []).filter((m) => m.resolved_at === null)
          const written = members.find((m) => SETTLED_STATUSES.includes(m.status as RecordStatus))
          if (written !== undefined) {
            for (const m of members) {
              if (!isDue(m, now)) continue
              // An unknown member was part of the written document's attempt: its probe settles it.
              if (m.status === 'unknown') take.push(m)
              else late.push({ row: m, written })
            }
            continue
          }
          if (members.some((m) => isPendingLater(m, now))) continue
          take.push(...members.filter((m) => isDue(m, now) || (m.status === 'error' && isFree(m, now))))
        }
        if (due.length < n) break
      }
      const seqs = [...take, ...late.map((l) => l.row)].map((r) => Number(r.seq))
      const claimed = new Map<number, Row>()
      for (let i = 0; i < seqs.length; i += CHUNK) {
        const rows = await trx
          .updateTable('records')
          .set({ claim_token: token, claimed_until: until, attempts: sql<number>`attempts + 1`, updated_at: now })
          .where('seq', 'in', seqs.slice(i, i + CHUNK))
          .returningAll()
          .execute()
        for (const r of rows) claimed.set(Number(r.seq), r)
      }
      // Arrival order, so a document's rows keep the order of its records whatever their retry history.
      const records = take
        .map((r) => toLedgerRecord(claimed.get(Number(r.seq)) ?? r, now))
        .sort((a, b) => a.seq - b.seq)
      return {
        token,
        records,
        late: late.map((l) => ({
          record: toLedgerRecord(claimed.get(Number(l.row.seq)) ?? l.row, now),
          writtenAs: {
            businessKey: l.written.business_key,
            targetId: l.written.target_id,
            recordId: l.written.record_id,
          },
        })),
      }
      // Lazy, as claimReady: a lost claim only frees the records again, and nothing is sent before
      // a durable write intent, which syncs the claim too.
    },
    'lazy',
  )
}

/**
 * Give every unsettled record of a grouped scheme the group key the scheme computes today:
 * records stored before keys existed have none, and a scheme whose `headerGroup` changed has
 * keys under another prefix. Settled records keep the key of the document they went into.
 * Returns how many keys were written.
 */
export async function refreshGroupKeys(
  ctx: StoreContext,
  schemeId: string,
  prefix: string,
  keyOf: (content: Record<string, unknown>) => string,
): Promise<number> {
  // The stale records' numbers first, found through records_ready (`in` the unsettled statuses,
  // no order): a query ordered or paged by seq made SQLite walk every record the scheme ever
  // stored, once per target run. Then their contents a chunk at a time, in arrival order.
  const stale = await ctx.db
    .selectFrom('records')
    .select('seq')
    .where('scheme_id', '=', schemeId)
    .where('status', 'in', UNSETTLED_STATUSES)
    .where((eb) => eb.or([eb('group_key', 'is', null), eb('group_key', 'not like', `${prefix}%`)]))
    .execute()
  const seqs = stale.map((r) => Number(r.seq)).sort((a, b) => a - b)
  let changed = 0
  for (let i = 0; i < seqs.length; i += CHUNK) {
    const rows = await ctx.db
      .selectFrom('records')
      .select(['seq', 'content', 'group_key'])
      .where('seq', 'in', seqs.slice(i, i + CHUNK))
      .execute()
    rows.sort((a, b) => Number(a.seq) - Number(b.seq))
    await inWriteTx(ctx, async (trx) => {
      for (const r of rows) {
        const key = keyOf(JSON.parse(r.content) as Record<string, unknown>)
        if (key === r.group_key) continue
        // Only while still unsettled: a writer may have settled it since the read above.
        await trx
          .updateTable('records')
          .set({ group_key: key })
          .where('seq', '=', r.seq)
          .where('status', 'not in', [...SETTLED_STATUSES])
          .execute()
        changed++
      }
    })
  }
  return changed
}
