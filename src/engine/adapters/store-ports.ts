/**
 * The engine's store ports over the real store (src/store). The ledger is the store's own
 * (`Ledger` implements the ledger port): it is handed over as it is, unconverted. What is left
 * here is not the ledger: the lease tokens this process holds (by lease name, for fencing), the
 * closed windows with the scheme's first start, pause state, and a run's counters, budget and
 * quality summary written when it finishes.
 */
import { storeQualitySummary } from '../../quality/summary.js'
import type { Lease, Store } from '../../store/index.js'
import type { EnginePorts, RunCounters } from '../ports.js'

/** Run counter stage of a run's vendor calls and throttled answers (read by the `throttled` alert rule). */
export const BUDGET_STAGE = 'budget'

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
): EnginePorts {
  return {
    fenced(name) {
      const lease = held.get(name)
      if (lease === undefined) return undefined
      return portsOver(store, store.fenced({ lease: name, token: lease.token }), held)
    },
    ledger: h.ledger,
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
