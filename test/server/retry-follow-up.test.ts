/**
 * A retry issued while a target run holds the scheme's lease: that run may have made its last
 * claim already, so the service follows it with a run of its own instead of leaving the records
 * to the next scheduled tick (minutes away).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, testService, type TestService } from './support.js'

const LOSS = 'jst-count-to-jdy-check-loss'
// Another process's holder (another host name): never taken over as a crashed local process.
const OTHER = 'other-host:4242:test'

describe('a retry while a target run holds the lease', () => {
  let t: TestService
  const op = () => bearer(t.tokens.operator)
  const record = async (id: string) =>
    (await t.svc.app.inject({ method: 'GET', url: `/api/v1/schemes/${LOSS}/records/${id}`, headers: op() })).json<{
      record: { status: string; inFlight: boolean }
    }>().record
  const settle = async (runId: string) => {
    await t.svc.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/events`, headers: op() })
  }
  beforeAll(async () => {
    t = await testService({ orders: 120, days: 5, seed: 17 })
    for (const s of ['jdy-materials', 'jdy-stores', LOSS]) {
      const r = await t.svc.app.inject({ method: 'POST', url: `/api/v1/schemes/${s}/runs`, headers: op(), payload: {} })
      expect(r.statusCode, r.body).toBe(202)
      await settle(r.json<{ runId: string }>().runId)
    }
  }, 90_000)
  afterAll(async () => {
    await t.close()
  })

  it('is written by a run that starts once the lease is let go, not left for the next scheduled tick', async () => {
    const parked = (
      await t.svc.app.inject({ method: 'GET', url: `/api/v1/schemes/${LOSS}/records?status=error`, headers: op() })
    ).json<{ records: { id: string }[] }>().records
    expect(parked.length).toBeGreaterThanOrEqual(2)
    const [one, two] = [parked[0]!.id, parked[1]!.id]
    const material = t.sandbox.dataset.jdy.materials[0]!
    const store = t.sandbox.dataset.jdy.stores[0]!
    const fixed = (id: string) => ({
      payload: {
        bill_no: id,
        bill_date: '2026-11-01',
        remark: 'fixed by hand',
        material_entity: [{ material_id: material.id, unit_id: material.base_unit_id, stock_id: store.id, qty: 1 }],
      },
    })
    const lease = await t.svc.host.ports.leases.acquire(`scheme:${LOSS}:target`, OTHER, 60_000)
    expect(lease).toBeDefined()
    const edits = []
    for (const id of [one, two]) {
      const r = await t.svc.app.inject({
        method: 'POST',
        url: `/api/v1/schemes/${LOSS}/records/${id}/edit`,
        headers: op(),
        payload: fixed(id),
      })
      expect(r.statusCode, r.body).toBe(202)
      edits.push(r.json<{ runId: string | null; note?: string }>())
    }
    // Both join the one follow-up; nothing is written while the other holder keeps the lease.
    for (const e of edits) {
      expect(e.runId).toBeNull()
      expect(e.note).toMatch(/another starts when it ends/)
    }
    expect((await record(one)).status).toBe('waiting')
    const before = (await t.svc.app.inject({ method: 'GET', url: `/api/v1/runs?scheme=${LOSS}`, headers: op() })).json<{
      runs: { id: string }[]
    }>().runs.length

    await t.svc.host.ports.leases.release(lease!)
    await expect.poll(async () => (await record(one)).status, { timeout: 15_000, interval: 100 }).toBe('done')
    expect((await record(two)).status).toBe('done')
    const runs = (await t.svc.app.inject({ method: 'GET', url: `/api/v1/runs?scheme=${LOSS}`, headers: op() })).json<{
      runs: { id: string; status: string; params: { stages?: string[] } }[]
    }>().runs
    expect(runs.length, 'one follow-up run for both retries').toBe(before + 1)
    await settle(runs[0]!.id)
    expect(t.sandbox.jdy.bills.list().filter((b) => b.bill_no === one || b.bill_no === two)).toHaveLength(2)
  }, 60_000)
})
