import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import { kingdeeJdy } from '../../../src/connectors/kingdee-jdy/index.js'
import { billPayload, collect, startHarness, type Harness } from './harness.js'

const BILL = '/jdy/v2/scm/inv_check_loss_bill'
const SAVE = `POST ${BILL}`
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const frozen = () => createClock({ frozen: true, start: Date.UTC(2026, 10, 20, 2, 0, 0) })

describe('JDY rate limits and throttling (spec §3.2, §3.3)', () => {
  it('keeps the default per-book budget below 500/min: 260 bills (over 500 calls) in steady state draw zero throttle answers', async () => {
    // A detail read per bill (existingBills: each) doubles the calls, so 260 bills make over 500.
    h = await startHarness({ clock: frozen() }, { existingBills: 'each' })
    for (let i = 1; i <= 260; i++) {
      const out = await h.target.write({ api: BILL, key: `PK-${i}`, payload: billPayload(`PK-${i}`) })
      expect(out.kind).toBe('ok')
    }
    const log = h.sim.log.entries()
    expect(log.length).toBeGreaterThan(500)
    expect(log.filter((e) => e.outcome === 'throttled')).toEqual([])
    expect(kingdeeJdy.budget.perMinute).toBeLessThan(500)
  })

  it('signs each call only after its budget slot is granted, so a queue longer than 5 minutes never draws 4006', async () => {
    h = await startHarness({ clock: frozen() }, {}, { perMinute: 1, inFlight: 1 })
    const keys = Array.from({ length: 8 }, (_, i) => `PK-Q${i + 1}`)
    const probes = await Promise.all(keys.map((k) => h!.target.probe(BILL, k)))
    expect(probes.every((p) => !p.exists)).toBe(true)
    const details = h.sim.log.entries({ endpoint: '/jdy/v2/scm/inv_check_loss_bill_detail' })
    expect(details).toHaveLength(8)
    // Together the probes queued well over 5 minutes (simulated) for their slots.
    expect(h.budget.stats().waitedMs).toBeGreaterThanOrEqual(7 * 60_000)
    expect(h.sim.log.entries().filter((e) => e.code === 4006)).toEqual([])
  })

  it('meets a 429 by slowing the book budget and sending the save again once the window frees, within the same call', async () => {
    // The read before each save (existingBills: each) fills the 3-call minute, so the second save meets a 429.
    h = await startHarness({ clock: frozen(), rateLimit: { perMinute: 3 } }, { existingBills: 'each' })
    expect((await h.target.write({ api: BILL, key: 'PK-1', payload: billPayload('PK-1') })).kind).toBe('ok')
    const start = h.sim.clock.now()
    const out = await h.target.write({ api: BILL, key: 'PK-2', payload: billPayload('PK-2') })
    expect(out.kind).toBe('ok')
    expect(h.sim.log.entries().some((e) => e.outcome === 'throttled')).toBe(true)
    expect(h.budget.stats().penalties).toBeGreaterThan(0)
    expect(h.budget.stats().learned.perMinute).toBeLessThan(kingdeeJdy.budget.perMinute!)
    // It waited on the simulator's clock for the minute to free, not for a failure-ladder rung.
    expect(h.sim.clock.now() - start).toBeLessThan(125_000)
    expect(h.sim.bills.list(h.sim.credentials.outerInstanceId)).toHaveLength(2)
  })

  it('reports every call, the 429 and the budget waits through its call observer, with paths but never queries', async () => {
    h = await startHarness({ clock: frozen(), rateLimit: { perMinute: 3 } }, { existingBills: 'each' })
    for (const key of ['PK-1', 'PK-2']) await h.target.write({ api: BILL, key, payload: billPayload(key) })
    const calls = h.observed.flatMap((o) => (o.fact === 'call' ? [o] : []))
    expect(calls).toContainEqual({ fact: 'call', endpoint: BILL, outcome: '2xx' })
    expect(calls).toContainEqual({ fact: 'call', endpoint: BILL, outcome: '4xx' })
    expect(calls.every((c) => !c.endpoint.includes('?'))).toBe(true)
    // One observed call per request the simulator saw.
    expect(calls).toHaveLength(h.sim.log.entries().length)
    const throttles = h.observed.filter((o) => o.fact === 'throttled')
    expect(throttles.length).toBe(h.budget.stats().penalties)
    expect(throttles.length).toBeGreaterThan(0)
    const waited = h.observed.reduce((ms, o) => ms + (o.fact === 'budgetWait' ? o.ms : 0), 0)
    expect(waited).toBeGreaterThan(0)
  })

  it('rides out a 429 burst from concurrent writes: every bill lands exactly once after the waits', async () => {
    h = await startHarness({ clock: frozen(), rateLimit: { perMinute: 8 } })
    const keys = Array.from({ length: 12 }, (_, i) => `PK-B${i + 1}`)
    const results = new Map<string, string>()
    let pending = keys
    for (let round = 0; pending.length > 0 && round < 20; round++) {
      const outs = await Promise.all(
        pending.map((k) => h!.target.write({ api: BILL, key: k, payload: billPayload(k) })),
      )
      outs.forEach((o, i) => results.set(pending[i]!, o.kind))
      expect(outs.every((o) => ['ok', 'already_exists', 'rate_limited'].includes(o.kind))).toBe(true)
      pending = pending.filter((_k, i) => outs[i]!.kind === 'rate_limited')
    }
    expect(pending).toEqual([])
    expect(h.sim.log.entries().some((e) => e.outcome === 'throttled')).toBe(true)
    expect(h.budget.stats().penalties).toBeGreaterThan(0)
    const bills = h.sim.bills.list(h.sim.credentials.outerInstanceId)
    expect(bills.map((b) => b.bill_no).sort()).toEqual([...keys].sort())
  })

  it.each([
    ['gateway 5006 circuit-broken', 519, 5006],
    ['gateway 5007 overload', 519, 5007],
  ])(
    'sends a save refused with %s again after the wait: one bill, the budget penalised',
    async (_n, status, errcode) => {
      h = await startHarness({
        clock: frozen(),
        faults: [
          {
            endpoint: SAVE,
            when: { calls: [1] },
            fault: { kind: 'vendor', status, body: { errcode, description: '系统繁忙' } },
          },
        ],
      })
      const out = await h.target.write({ api: BILL, key: 'PK-X', payload: billPayload('PK-X') })
      expect(out.kind).toBe('ok')
      expect(h.budget.stats().penalties).toBe(1)
      expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')).toHaveLength(2)
      expect(h.sim.bills.list(h.sim.credentials.outerInstanceId)).toHaveLength(1)
    },
  )

  it('hands a save answered 2000002000 back as rate_limited instead of sending it again (the backend may have run it)', async () => {
    h = await startHarness({
      clock: frozen(),
      faults: [
        {
          endpoint: SAVE,
          when: { calls: [1] },
          fault: { kind: 'vendor', status: 200, body: { errcode: 2000002000, description: '系统繁忙' } },
        },
      ],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-X', payload: billPayload('PK-X') })
    expect(out).toMatchObject({ kind: 'rate_limited', code: 'ERR_JDY_RATE_LIMITED', vendorCode: 2000002000 })
    expect(out.retryAfterMs).toBeGreaterThan(0)
    expect(h.budget.stats().penalties).toBe(1)
    expect((await h.target.write({ api: BILL, key: 'PK-X', payload: billPayload('PK-X') })).kind).toBe('ok')
  })

  it('treats gateway 5004 (API timeout) on a save as unknown_outcome, since the backend may have run it', async () => {
    h = await startHarness({
      faults: [
        {
          endpoint: SAVE,
          when: { calls: [1] },
          fault: {
            kind: 'vendor',
            status: 519,
            body: { errcode: 5004, description: 'API timeout' },
            afterCommit: true,
          },
        },
      ],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-G', payload: billPayload('PK-G') })
    expect(out.kind).toBe('unknown_outcome')
    expect(await h.target.probe(BILL, 'PK-G')).toMatchObject({ exists: true })
  })

  it('retries a 5xx page on a read within the call, with a short backoff', async () => {
    h = await startHarness({
      clock: frozen(),
      faults: [
        {
          endpoint: '/jdy/v2/scm/inv_check_loss_bill_detail',
          when: { calls: [1] },
          fault: { kind: 'http_error', status: 503 },
        },
      ],
    })
    const start = h.sim.clock.now()
    await expect(h.target.probe(BILL, 'PK-H')).resolves.toMatchObject({ exists: false })
    expect(h.sim.clock.now() - start).toBeLessThan(5_000)
    expect(h.lines.some((l) => l.msg === 'jdy fast retry')).toBe(true)
  })

  it('fails a read as transient only when 5xx pages outlast the fast retries (the probe throws, it does not guess)', async () => {
    h = await startHarness({
      clock: frozen(),
      faults: [
        {
          endpoint: '/jdy/v2/scm/inv_check_loss_bill_detail',
          when: { calls: [1, 2, 3, 4, 5] },
          fault: { kind: 'http_error', status: 503 },
        },
      ],
    })
    const start = h.sim.clock.now()
    await expect(h.target.probe(BILL, 'PK-H')).rejects.toMatchObject({ kind: 'transient' })
    // A few tries within about half a minute, then the engine's ladder takes over.
    expect(h.sim.clock.now() - start).toBeLessThan(60_000)
    const out = await h.target.write({ api: BILL, key: 'PK-H', payload: billPayload('PK-H') })
    expect(out.kind).toBe('ok')
  })

  it('reads the pre-check again after a 429 and then sends the save once', async () => {
    h = await startHarness(
      {
        clock: frozen(),
        faults: [
          {
            endpoint: '/jdy/v2/scm/inv_check_loss_bill_detail',
            when: { calls: [1] },
            fault: { kind: 'vendor', status: 429, body: { errcode: 429, description: 'API rate limit exceeded' } },
          },
        ],
      },
      { existingBills: 'each' },
    )
    const out = await h.target.write({ api: BILL, key: 'PK-I', payload: billPayload('PK-I') })
    expect(out.kind).toBe('ok')
    expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')).toHaveLength(1)
  })

  it('reads a master-data page again after a 429 instead of failing the read', async () => {
    h = await startHarness({
      clock: frozen(),
      faults: [
        {
          endpoint: '/jdy/v2/bd/store',
          when: { calls: [1] },
          fault: { kind: 'vendor', status: 429, body: { errcode: 429, description: 'API rate limit exceeded' } },
        },
      ],
    })
    expect((await collect(h.runtime.readers!.store!())).rows).toHaveLength(2)
    expect(h.budget.stats().penalties).toBe(1)
  })

  it('reads a master-data page again after a 503 instead of failing the run', async () => {
    h = await startHarness({
      clock: frozen(),
      faults: [{ endpoint: '/jdy/v2/bd/store', when: { calls: [1] }, fault: { kind: 'http_error', status: 503 } }],
    })
    expect((await collect(h.runtime.readers!.store!())).rows).toHaveLength(2)
  })
})
