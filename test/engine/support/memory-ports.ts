/* eslint-disable @typescript-eslint/require-await -- in-memory fakes implement async ports synchronously */
/**
 * In-memory implementation of the engine's store ports, for driving the pipeline in unit tests.
 * It follows the ledger rules the engine relies on (idCheck, claim, statuses) so tests exercise
 * the orchestration; the real store has its own contract suite.
 */
import { createHash } from 'node:crypto'
import type { TimeWindow } from '../../../src/connectors/contract.js'
import type { EnginePorts, LedgerRecord, RecordStatus, RunCounters, SourceRecord } from '../../../src/engine/ports.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex')

export class MemoryPorts implements EnginePorts {
  readonly records = new Map<string, Mutable<LedgerRecord> & { hash: string; claimedUntil?: number }>()
  readonly windows = new Map<string, TimeWindow[]>()
  readonly leaseMap = new Map<string, { holder: string; until: number }>()
  readonly paused = new Map<string, string>()
  readonly runLog: { id: string; schemeId: string; stage: string; status?: string; counters?: RunCounters }[] = []

  private k(s: string, id: string) {
    return `${s}\u0000${id}`
  }

  ledger: EnginePorts['ledger'] = {
    upsertSourceRecords: async (schemeId, records: readonly SourceRecord[], opts) => {
      const r = { inserted: 0, unchanged: 0, updated: 0, changedAfterSync: 0 }
      for (const rec of records) {
        const h = hash(rec.content)
        const cur = this.records.get(this.k(schemeId, rec.id))
        if (cur === undefined) {
          this.records.set(this.k(schemeId, rec.id), {
            schemeId,
            id: rec.id,
            number: rec.number,
            content: rec.content,
            hash: h,
            status: 'waiting',
            attempts: 0,
            createdAt: opts.now,
          })
          r.inserted++
        } else if (cur.hash === h) {
          r.unchanged++
        } else if (opts.idCheck && (cur.status === 'done' || cur.status === 'duplicate')) {
          cur.changedAfterSync = true
          r.changedAfterSync++
        } else {
          cur.content = rec.content
          cur.hash = h
          r.updated++
        }
      }
      return r
    },
    claimReady: async (schemeId, opts) => {
      const out: LedgerRecord[] = []
      for (const r of this.records.values()) {
        if (out.length >= opts.limit) break
        if (r.schemeId !== schemeId) continue
        const free = r.claimedUntil === undefined || r.claimedUntil <= opts.now.getTime()
        const due =
          r.status === 'waiting' ||
          ((r.status === 'queued' || r.status === 'unknown') &&
            r.nextAttemptAt !== undefined &&
            r.nextAttemptAt <= opts.now)
        if (!due || !free) continue
        r.attempts++
        r.claimedUntil = opts.now.getTime() + opts.ttlMs
        out.push({ ...r })
      }
      return out
    },
    markWritten: async (schemeId, id, w) => {
      this.settle(schemeId, id, 'done', w)
    },
    markDuplicate: async (schemeId, id, w) => {
      this.settle(schemeId, id, 'duplicate', w)
    },
    markUnknown: async (schemeId, id, w) => {
      const r = this.get(schemeId, id)
      if (r.status === 'done' || r.status === 'duplicate') return
      Object.assign(r, {
        status: 'unknown',
        payload: w.payload,
        businessKey: w.businessKey,
        nextAttemptAt: w.probeAt,
        lastError: w.error,
        claimedUntil: undefined,
      })
    },
    markFailed: async (schemeId, id, w) => {
      const r = this.get(schemeId, id)
      if (r.status === 'done' || r.status === 'duplicate') return
      const status: RecordStatus =
        w.nextAttemptAt === undefined ? 'error' : r.status === 'unknown' ? 'unknown' : 'queued'
      Object.assign(r, {
        status,
        lastError: w.error,
        nextAttemptAt: w.nextAttemptAt,
        claimedUntil: undefined,
        ...(w.uncount === true ? { attempts: Math.max(0, r.attempts - 1) } : {}),
      })
      if (w.payload !== undefined && r.payloadEdited !== true) r.payload = w.payload
    },
    markWrittenParked: async (schemeId, id, w) => {
      const r = this.get(schemeId, id)
      if (r.status === 'done' || r.status === 'duplicate') return
      Object.assign(r, {
        status: 'error',
        payload: w.payload,
        businessKey: w.businessKey,
        targetId: w.targetId,
        response: w.response,
        lastError: w.error,
        nextAttemptAt: undefined,
        claimedUntil: undefined,
      })
    },
    listRecords: async (schemeId, q) => ({
      records: [...this.records.values()]
        .filter(
          (r) =>
            r.schemeId === schemeId &&
            (q.status === undefined || r.status === q.status) &&
            (q.search === undefined ||
              r.number.includes(q.search) ||
              r.id.includes(q.search) ||
              (r.lastError?.message.includes(q.search) ?? false)),
        )
        .slice(0, q.limit ?? 1e9)
        .map((r) => ({ ...r })),
    }),
    getRecord: async (schemeId, id) => {
      const r = this.records.get(this.k(schemeId, id))
      return r === undefined ? undefined : { ...r }
    },
    requeue: async (schemeId, ids) => {
      const out: string[] = []
      for (const r of this.records.values()) {
        if (
          r.schemeId !== schemeId ||
          (r.status !== 'error' && ids === undefined) ||
          r.status === 'done' ||
          r.status === 'duplicate'
        )
          continue
        if (ids !== undefined && !ids.includes(r.id)) continue
        Object.assign(r, { status: 'waiting', nextAttemptAt: undefined, attempts: 0 })
        out.push(r.id)
      }
      return out
    },
    editPayload: async (schemeId, id, payload) => {
      const r = this.get(schemeId, id)
      r.payload = payload
      r.payloadEdited = true
    },
    resolve: async (schemeId, id, note) => {
      const r = this.get(schemeId, id)
      r.resolvedAt = new Date()
      r.resolvedNote = note
    },
    countByStatus: async (schemeId) => {
      const out: Partial<Record<RecordStatus, number>> = {}
      for (const r of this.records.values()) if (r.schemeId === schemeId) out[r.status] = (out[r.status] ?? 0) + 1
      return out
    },
  }

  cursor: EnginePorts['cursor'] = {
    lastSyncTime: async (schemeId, api, start) => {
      const ws = [...(this.windows.get(`${schemeId}|${api}`) ?? [])].sort(
        (a, b) => a.start.getTime() - b.start.getTime(),
      )
      const from = start ?? ws[0]?.start
      if (from === undefined) return undefined
      let end = from
      for (const w of ws) {
        if (w.start <= end) {
          if (w.end > end) end = w.end
        } else if (w.start > end) break
      }
      return end
    },
    closeWindow: async (schemeId, api, w) => {
      const key = `${schemeId}|${api}`
      this.windows.set(key, [...(this.windows.get(key) ?? []), w])
    },
  }

  leases: EnginePorts['leases'] = {
    acquire: async (name, holder, ttl) => {
      const cur = this.leaseMap.get(name)
      if (cur !== undefined && cur.holder !== holder && cur.until > Date.now()) return false
      this.leaseMap.set(name, { holder, until: Date.now() + ttl })
      return true
    },
    renew: async (name, holder, ttl) => this.leases.acquire(name, holder, ttl),
    release: async (name, holder) => {
      if (this.leaseMap.get(name)?.holder === holder) this.leaseMap.delete(name)
    },
    holder: async (name) => this.leaseMap.get(name)?.holder,
  }

  schemeState: EnginePorts['schemeState'] = {
    pausedReason: async (id) => this.paused.get(id),
    pause: async (id, reason) => {
      this.paused.set(id, reason)
    },
    resume: async (id) => {
      this.paused.delete(id)
    },
  }

  runs: EnginePorts['runs'] = {
    start: async (schemeId, stage) => {
      const id = `run-${this.runLog.length + 1}`
      this.runLog.push({ id, schemeId, stage })
      return id
    },
    finish: async (id, r) => {
      const run = this.runLog.find((x) => x.id === id)
      if (run !== undefined) {
        run.status = r.status
        run.counters = r.counters
      }
    },
  }

  private settle(
    schemeId: string,
    id: string,
    status: RecordStatus,
    w: { payload: Record<string, unknown>; businessKey: string; targetId?: string; response: unknown },
  ) {
    const r = this.get(schemeId, id)
    if (r.status === 'done' || r.status === 'duplicate') return
    Object.assign(r, {
      status,
      payload: w.payload,
      businessKey: w.businessKey,
      targetId: w.targetId,
      response: w.response,
      nextAttemptAt: undefined,
      lastError: undefined,
      claimedUntil: undefined,
    })
  }

  private get(schemeId: string, id: string) {
    const r = this.records.get(this.k(schemeId, id))
    if (r === undefined) throw new Error(`no record ${id}`)
    return r
  }
}
