/**
 * The engine's store ports over the real store (src/store). Only shape conversions live here:
 * nulls become absent fields, refs become (scheme, id) pairs, leases are remembered per name.
 */
import { storeQualitySummary } from '../../quality/summary.js'
import type { Lease, LedgerRecord as StoreRecord, Store } from '../../store/index.js'
import type { EnginePorts, LedgerRecord, RecordStatus, RunCounters } from '../ports.js'

function toRecord(r: StoreRecord): LedgerRecord {
  return {
    schemeId: r.schemeId,
    id: r.id,
    number: r.number ?? r.id,
    content: r.content,
    status: r.status,
    attempts: r.attempts,
    ...(r.payload === null ? {} : { payload: r.payload }),
    payloadEdited: r.payloadEdited,
    ...(r.targetId === null ? {} : { targetId: r.targetId }),
    ...(r.response === null || r.response === undefined ? {} : { response: r.response }),
    ...(r.businessKey === null ? {} : { businessKey: r.businessKey }),
    ...(r.nextAttemptAt === null ? {} : { nextAttemptAt: r.nextAttemptAt }),
    ...(r.lastError === null ? {} : { lastError: r.lastError }),
    changedAfterSync: r.changedAfterSync,
    ...(r.resolvedAt === null ? {} : { resolvedAt: r.resolvedAt }),
    ...(r.resolvedNote === null ? {} : { resolvedNote: r.resolvedNote }),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.claimToken === null ? {} : { claimToken: r.claimToken }),
  }
}

/** Run counter stage of a run's vendor calls and throttled answers (read by the `throttled` alert rule). */
export const BUDGET_STAGE = 'budget'

const ref = (schemeId: string, recordId: string) => ({ schemeId, recordId })

/** Counters per stage as integers, the shape the run table keeps. */
function counterDelta(c: RunCounters): Record<string, number> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => Number.isInteger(v) && v !== 0))
}

export function storePorts(store: Store): EnginePorts {
  return portsOver(store, { ledger: store.ledger, windows: store.windows }, new Map<string, Lease>())
}

type LedgerHandle = Store['ledger']
type WindowsHandle = Store['windows']

function portsOver(
  store: Store,
  h: { ledger: LedgerHandle; windows: WindowsHandle },
  held: Map<string, Lease>,
  beforeWrite?: () => void,
): EnginePorts {
  const ledger = h.ledger
  return {
    fenced(name, check) {
      const lease = held.get(name)
      if (lease === undefined) return undefined
      return portsOver(store, store.fenced({ lease: name, token: lease.token }), held, check)
    },
    ledger: {
      async upsertSourceRecords(schemeId, records, opts) {
        const r = await ledger.upsertSourceRecords(schemeId, records, { idCheck: opts.idCheck })
        return {
          inserted: r.counts.inserted,
          unchanged: r.counts.unchanged,
          updated: r.counts.updated_before_sync + r.counts.requeued_after_sync,
          changedAfterSync: r.counts.changed_after_sync,
          rejected: r.outcomes
            .filter((o) => o.effect === 'rejected')
            .map((o) => ({ id: o.id, message: o.error?.message ?? 'rejected' })),
        }
      },
      async claimReady(schemeId, opts) {
        const claim = await ledger.claimReady(schemeId, opts.limit, { now: opts.now, ttlMs: opts.ttlMs })
        return claim.records.map(toRecord)
      },
      async claimGroups(schemeId, opts) {
        const claim = await ledger.claimGroups(schemeId, opts.limit, { now: opts.now, ttlMs: opts.ttlMs })
        return {
          records: claim.records.map(toRecord),
          late: claim.late.map((l) => ({
            record: toRecord(l.record),
            writtenAs: {
              recordId: l.writtenAs.recordId,
              ...(l.writtenAs.businessKey === null ? {} : { businessKey: l.writtenAs.businessKey }),
              ...(l.writtenAs.targetId === null ? {} : { targetId: l.writtenAs.targetId }),
            },
          })),
        }
      },
      refreshGroupKeys: (schemeId, prefix, keyOf) => ledger.refreshGroupKeys(schemeId, prefix, keyOf),
      releaseClaims: (schemeId) => ledger.releaseClaims(schemeId),
      async markWritten(schemeId, id, w) {
        await ledger.markWritten(ref(schemeId, id), {
          targetId: w.targetId,
          response: w.response,
          businessKey: w.businessKey,
          payload: w.payload,
        })
      },
      // The payload is saved in the outcome's own transaction: the write intent is one commit.
      async markDuplicate(schemeId, id, w) {
        await ledger.markDuplicate(
          ref(schemeId, id),
          {
            response: w.response,
            ...(w.targetId === undefined ? {} : { targetId: w.targetId }),
            ...(w.message === undefined ? {} : { message: w.message }),
          },
          { payload: w.payload, businessKey: w.businessKey },
        )
      },
      async markUnknown(schemeId, id, w) {
        beforeWrite?.()
        await ledger.markUnknown(
          ref(schemeId, id),
          {
            code: w.error.code,
            message: w.error.message,
            probeAt: w.probeAt,
            ...(w.claim === undefined ? {} : { claim: w.claim }),
          },
          { payload: w.payload, businessKey: w.businessKey },
        )
      },
      async markFailed(schemeId, id, w) {
        await ledger.markFailed(
          ref(schemeId, id),
          {
            kind: w.error.kind,
            code: w.error.code,
            message: w.error.message,
            nextAttemptAt: w.nextAttemptAt ?? null,
            ...(w.uncount === true ? { uncount: true } : {}),
          },
          w.payload === undefined ? undefined : { payload: w.payload },
        )
      },
      async markWrittenParked(schemeId, id, w) {
        await ledger.markFailed(
          ref(schemeId, id),
          {
            kind: w.error.kind,
            code: w.error.code,
            message: w.error.message,
            nextAttemptAt: null,
            targetId: w.targetId,
            response: w.response,
          },
          { payload: w.payload, businessKey: w.businessKey },
        )
      },
      async listRecords(schemeId, q) {
        const page = await ledger.listRecords(schemeId, {
          ...(q.status === undefined ? {} : { status: q.status }),
          ...(q.search === undefined ? {} : { search: q.search }),
          ...(q.limit === undefined ? {} : { limit: q.limit }),
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        })
        return {
          records: page.records.map(toRecord),
          ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
        }
      },
      async getRecord(schemeId, id) {
        const r = await ledger.getRecord(ref(schemeId, id))
        return r === undefined ? undefined : toRecord(r)
      },
      async requeue(schemeId, ids) {
        const r = await ledger.requeue(schemeId, ids === undefined ? { allFailed: true } : { ids })
        return r.requeued
      },
      async editPayload(schemeId, id, payload) {
        await ledger.editPayload(ref(schemeId, id), payload)
      },
      async resolve(schemeId, id, note) {
        await ledger.resolve(ref(schemeId, id), note)
      },
      async countByStatus(schemeId) {
        const c = await ledger.counts(schemeId)
        const out: Partial<Record<RecordStatus, number>> = {}
        for (const s of ['waiting', 'queued', 'done', 'duplicate', 'error', 'unknown'] as const)
          if (c[s] > 0) out[s] = c[s]
        return out
      },
    },
    cursor: {
      async lastSyncTime(schemeId, api, start) {
        const from = start ?? (await h.windows.list(schemeId, api))[0]?.start
        return from === undefined ? undefined : h.windows.lastSyncTime(schemeId, api, from)
      },
      closeWindow: (schemeId, api, window) => h.windows.close(schemeId, api, window),
    },
    leases: {
      async acquire(name, holder, ttlMs) {
        const l = await store.leases.acquire(name, holder, ttlMs)
        if (l !== undefined) held.set(name, l)
        return l !== undefined
      },
      async renew(name, _holder, ttlMs) {
        const l = held.get(name)
        if (l === undefined) return false
        const next = await store.leases.renew(l, ttlMs)
        if (next === undefined) {
          held.delete(name)
          return false
        }
        held.set(name, next)
        return true
      },
      async release(name) {
        const l = held.get(name)
        if (l === undefined) return
        held.delete(name)
        await store.leases.release(l)
      },
      async holder(name) {
        return (await store.leases.holder(name))?.holder
      },
    },
    schemeState: {
      async pausedReason(schemeId) {
        const s = await store.schemes.get(schemeId)
        return s?.paused === true ? (s.pauseReason ?? 'paused') : undefined
      },
      pause: (schemeId, reason) => store.schemes.pause(schemeId, reason),
      resume: (schemeId) => store.schemes.resume(schemeId),
    },
    runs: {
      start: (schemeId, stage, params) => store.runs.start(schemeId, stage, params),
      async finish(runId, r) {
        await store.runs.add(runId, r.stage, counterDelta(r.counters))
        if (r.budget !== undefined)
          await store.runs.add(runId, BUDGET_STAGE, { calls: r.budget.calls, throttled: r.budget.throttled })
        if (r.quality !== undefined && r.quality.length > 0) await storeQualitySummary(store, runId, r.quality)
        await store.runs.finish(
          runId,
          r.status === 'ok' ? 'succeeded' : r.status,
          r.error === undefined ? undefined : { code: r.error.code, message: r.error.message },
        )
      },
    },
  }
}
