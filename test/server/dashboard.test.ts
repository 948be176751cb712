/**
 * The console's aggregates over real HTTP (the app listening on port 0): the dashboard's figures
 * per scheme, and a stored reconciliation with its differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOSS, oracle } from '../e2e/support.js'
import { bearer, testService, type TestService } from './support.js'

interface Stats {
  id: string
  timeZone: string
  lagSeconds: number | null
  lastSyncTime: string | null
  days: { day: string; read: number; written: number; calls: number; throttled: number }[]
  failedByCode: { code: string; count: number }[]
  throttled: { calls: number; throttled: number }
  lastRun: { id: string; status: string } | null
  reconcile: { runId: string; differences: number; counts: Record<string, number>; from: string } | null
}

describe('dashboard aggregates over HTTP', () => {
  let t: TestService
  let base = ''
  const get = async <T>(path: string, token = t.tokens.viewer): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${base}/api/v1${path}`, { headers: bearer(token) })
    return { status: r.status, body: (await r.json()) as T }
  }
  const post = async <T>(path: string, body: unknown, token = t.tokens.operator) => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: r.status, body: (await r.json()) as T }
  }
  const runDone = async (runId: string) => {
    for (;;) {
      const r = await get<{ status: string }>(`/runs/${runId}`)
      if (r.body.status !== 'running') return r.body.status
      await new Promise((res) => setTimeout(res, 100))
    }
  }

  beforeAll(async () => {
    t = await testService({ orders: 120, days: 3, seed: 17 })
    base = await t.svc.app.listen({ port: 0, host: '127.0.0.1' })
  }, 60_000)
  afterAll(async () => {
    await t.close()
  })

  // The schemes run once, by whichever test needs them first.
  let ran: Promise<void> | undefined
  const ranOnce = () =>
    (ran ??= (async () => {
      for (const id of ['jdy-materials', 'jdy-stores', LOSS]) {
        const r = await post<{ runId: string }>(`/schemes/${id}/runs`, {})
        expect(r.status).toBe(202)
        expect(await runDone(r.body.runId)).toBe('succeeded')
      }
    })())

  it('shows a scheme that never ran with zero counts, no lag, no last run and no reconciliation', async () => {
    const fresh = await testService({ orders: 10, days: 1, seed: 3 })
    try {
      const url = await fresh.svc.app.listen({ port: 0, host: '127.0.0.1' })
      const res = await fetch(`${url}/api/v1/dashboard?scheme=${LOSS}&days=7`, { headers: bearer(fresh.tokens.viewer) })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { days: number; schemes: Stats[] }
      expect(body.days).toBe(7)
      const s = body.schemes[0]!
      expect(s).toMatchObject({ id: LOSS, lagSeconds: null, lastRun: null, reconcile: null, failedByCode: [] })
      expect(s.days).toHaveLength(7)
      expect(s.days.every((d) => d.read === 0 && d.written === 0)).toBe(true)
      expect(s.days.at(-1)!.day).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    } finally {
      await fresh.close()
    }
  })

  it('counts records read and written per day, failed records by code, vendor calls and the lag after a run', async () => {
    await ranOnce()
    const parked = oracle(t.sandbox.jst.orders.latest(), t.sandbox.dataset.jdy).parked
    const ledger = (await get<{ ledger: Record<string, number> }>(`/schemes/${LOSS}`)).body.ledger
    const all = (await get<{ schemes: Stats[] }>('/dashboard')).body.schemes
    expect(all.map((s) => s.id).sort()).toEqual(['jdy-materials', 'jdy-stores', LOSS].sort())
    const s = all.find((x) => x.id === LOSS)!
    // Every record was read and (but the parked ones) written today, in the scheme's zone.
    const today = s.days.at(-1)!
    const total = Object.values(ledger).reduce((a, b) => a + b, 0)
    expect(today.read).toBe(total)
    expect(today.written).toBe(ledger.done ?? 0)
    expect(s.days.slice(0, -1).every((d) => d.read === 0)).toBe(true)
    expect(s.failedByCode).toEqual([{ code: 'ERR_LOOKUP_MISSING', count: parked.size }])
    // The budget counters the runs recorded: the same sums as the runs' own counters.
    const runs = (await get<{ runs: { id: string }[] }>(`/runs?scheme=${LOSS}`)).body.runs
    let calls = 0
    let throttled = 0
    for (const run of runs) {
      const c = (await get<{ counters: Record<string, Record<string, number>> }>(`/runs/${run.id}`)).body.counters
      calls += c.budget?.calls ?? 0
      throttled += c.budget?.throttled ?? 0
    }
    expect(calls).toBeGreaterThan(0)
    expect(s.throttled).toEqual({ calls, throttled })
    expect(today.calls).toBe(calls)
    expect(s.lastRun).toMatchObject({ id: runs[0]!.id, status: 'succeeded' })
    expect(s.lagSeconds).not.toBeNull()
    expect(s.lagSeconds!).toBeGreaterThanOrEqual(0)
    expect(s.lastSyncTime).not.toBeNull()
  }, 90_000)

  it('gives the latest reconciliation as the status, and its differences page by page', async () => {
    await ranOnce()
    const to = new Date(Date.now() + 3_600_000).toISOString()
    const from = new Date(Date.now() - 5 * 86_400_000).toISOString()
    // The target loses a written bill: the reconciliation must report it missing.
    const bill = t.sandbox.jdy.bills.list()[0]!
    t.sandbox.jdy.bills.bills.delete(bill.id)
    const job = await post<{ jobId: string }>(`/schemes/${LOSS}/reconcile`, { from, to })
    expect(job.status).toBe(202)
    for (;;) {
      const j = await get<{ status: string }>(`/jobs/${job.body.jobId}`)
      if (j.body.status !== 'running') {
        expect(j.body.status).toBe('succeeded')
        break
      }
      await new Promise((res) => setTimeout(res, 100))
    }
    const s = (await get<{ schemes: Stats[] }>(`/dashboard?scheme=${LOSS}`)).body.schemes[0]!
    expect(s.reconcile).not.toBeNull()
    expect(s.reconcile!.counts.missing).toBeGreaterThanOrEqual(1)
    expect(s.reconcile!.differences).toBe(
      (s.reconcile!.counts.missing ?? 0) +
        (s.reconcile!.counts.extra ?? 0) +
        (s.reconcile!.counts.mismatched ?? 0) +
        (s.reconcile!.counts.duplicate ?? 0),
    )
    const first = await get<{ differences: { kind: string; key: string; code: string }[]; nextCursor?: string }>(
      `/schemes/${LOSS}/reconcile/${s.reconcile!.runId}?limit=1`,
    )
    expect(first.status).toBe(200)
    expect(first.body.differences).toHaveLength(1)
    const seen = [...first.body.differences]
    let cursor = first.body.nextCursor
    while (cursor !== undefined) {
      const next = await get<{ differences: { kind: string; key: string }[]; nextCursor?: string }>(
        `/schemes/${LOSS}/reconcile/${s.reconcile!.runId}?limit=1&cursor=${cursor}`,
      )
      seen.push(...(next.body.differences as typeof seen))
      cursor = next.body.nextCursor
    }
    expect(seen.length).toBe(s.reconcile!.differences)
    expect(seen.some((d) => d.kind === 'missing' && d.key === bill.bill_no)).toBe(true)
  }, 90_000)

  it('answers 404 for a run that is not a reconciliation of the scheme, and refuses a viewer who starts one', async () => {
    await ranOnce()
    const runs = (await get<{ runs: { id: string; kind: string }[] }>(`/runs?scheme=${LOSS}`)).body.runs
    const run = runs.find((r) => r.kind !== 'reconcile')!
    const r = await get<{ code: string }>(`/schemes/${LOSS}/reconcile/${run.id}`)
    expect(r.status).toBe(404)
    expect(r.body.code).toBe('ERR_API_NOT_FOUND')
    const refused = await post<{ code: string }>(
      `/schemes/${LOSS}/reconcile`,
      { from: '2026-01-01', to: '2026-01-02' },
      t.tokens.viewer,
    )
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('ERR_AUTH_FORBIDDEN')
  })
})
