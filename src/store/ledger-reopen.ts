/**
 * Reopening a settled record: the one way back from `done`/`duplicate`. Reconcile calls it with
 * proof that the target document is gone; the record becomes `unknown`, so the target stage probes
 * by business key before it writes, and a document that reappeared meanwhile is never written twice.
 */
import type { StoreContext } from './context.js'
import { inWriteTx } from './context.js'
import type { ReopenRequest } from './ledger-port.js'
import { SETTLED_STATUSES } from './ledger-types.js'
import type { RecordRef } from './ledger-types.js'

export async function reopen(ctx: StoreContext, ref: RecordRef, why: ReopenRequest): Promise<boolean> {
  return inWriteTx(ctx, async (trx) => {
    const now = ctx.now()
    const before = await trx
      .selectFrom('records')
      .select('target_id')
      .where('scheme_id', '=', ref.schemeId)
      .where('record_id', '=', ref.recordId)
      .executeTakeFirst()
    const res = await trx
      .updateTable('records')
      .set({
        status: 'unknown',
        target_id: null,
        response: null,
        done_at: null,
        attempts: 0,
        next_attempt_at: now,
        claim_token: null,
        claimed_until: null,
        error_code: why.code,
        error_kind: 'data',
        error_message: why.message,
        updated_at: now,
      })
      .where('scheme_id', '=', ref.schemeId)
      .where('record_id', '=', ref.recordId)
      .where('status', 'in', [...SETTLED_STATUSES])
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await trx
      .insertInto('record_events')
      .values({
        scheme_id: ref.schemeId,
        record_id: ref.recordId,
        at: now,
        event: why.event,
        detail: JSON.stringify({ previousTargetId: before?.target_id ?? null }),
      })
      .execute()
    return true
  })
}
