/**
 * Spec §3.3 and §7 "Rate limit" / "Fault injection": the per-book limit, injected vendor errors,
 * transport faults, and the bill that is stored while its response is lost (timeout-after-commit).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import type { FaultRule } from '../../../simulators/common/faults.js'
import { jdyVendorFault, type JdySimulator } from '../../../simulators/kingdee-jdy/index.js'
import { JdyTestClient } from './jdy-client.js'
import { bill, setup } from './fixtures.js'

const SAVE = '/jdy/v2/scm/inv_check_loss_bill'
const MATERIALS = '/jdy/v2/bd/material'
const MINUTE = Date.UTC(2026, 10, 20, 8, 0, 0)

let sim: JdySimulator | undefined
let client: JdyTestClient
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe('per-book rate limit', () => {
  it('throttles the call past perMinute with 429 and Retry-After, and serves again in the next minute', async () => {
    const clock = createClock({ start: MINUTE, frozen: true })
    ;({ sim, client } = await setup({ clock, rateLimit: { perMinute: 5 } }))
    for (let i = 0; i < 5; i++) expect((await client.call('GET', MATERIALS)).status).toBe(200)
    const sixth = await client.call('GET', MATERIALS)
    expect(sixth.status).toBe(429)
    expect(sixth.headers.get('retry-after')).toBe('60')
    expect(sim.log.counters()[MATERIALS]).toMatchObject({ accepted: 5, throttled: 1 })
    clock.advance(60_000)
    expect((await client.call('GET', MATERIALS)).status).toBe(200)
  })

  it('counts a sliding minute on arrival when asked: a burst that straddles a clock minute is throttled', async () => {
    const clock = createClock({ start: MINUTE + 30_000, frozen: true })
    ;({ sim, client } = await setup({ clock, rateLimit: { perMinute: 5, window: 'sliding' } }))
    for (let i = 0; i < 5; i++) expect((await client.call('GET', MATERIALS)).status).toBe(200)
    // Past the clock minute a fixed window would be empty again; the sliding one still holds all five.
    clock.advance(40_000)
    const throttled = await client.call('GET', MATERIALS)
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('20')
    clock.advance(20_000)
    expect((await client.call('GET', MATERIALS)).status).toBe(200)
  })

  it('allows 500 business calls per minute per book by default and throttles the 501st', async () => {
    const clock = createClock({ start: MINUTE, frozen: true })
    ;({ sim, client } = await setup({ clock }))
    const statuses: number[] = []
    for (let batch = 0; batch < 20; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 25 }, () => client.call('GET', MATERIALS, { query: { page_size: '1' } })),
      )
      statuses.push(...replies.map((r) => r.status))
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(500)
    expect((await client.call('GET', MATERIALS)).status).toBe(429)
  })

  it('counts each book separately', async () => {
    const clock = createClock({ start: MINUTE, frozen: true })
    const base = {
      clientId: '300001',
      accountName: '账套',
      domain: 'https://tf.jdy.com',
      status: 1,
      serviceId: '1',
      groupName: 'g',
    }
    ;({ sim, client } = await setup({
      clock,
      rateLimit: { perMinute: 2 },
      clients: [{ clientId: '300001', clientSecret: 'c'.repeat(32) }],
      books: [
        { ...base, outerInstanceId: 'OI-A', accountId: 'A', appKey: 'keyA0001' },
        { ...base, outerInstanceId: 'OI-B', accountId: 'B', appKey: 'keyB0001' },
      ],
    }))
    await client.call('GET', MATERIALS)
    await client.call('GET', MATERIALS)
    expect((await client.call('GET', MATERIALS)).status).toBe(429)
    const other = new JdyTestClient(sim.url, sim.books[1]!, () => clock.now())
    await other.login()
    expect((await other.call('GET', MATERIALS)).status).toBe(200)
  })

  it('uses the configured throttle status', async () => {
    ;({ sim, client } = await setup({
      clock: createClock({ start: MINUTE, frozen: true }),
      rateLimit: { perMinute: 1, httpStatus: 503 },
    }))
    await client.call('GET', MATERIALS)
    expect((await client.call('GET', MATERIALS)).status).toBe(503)
  })
})

describe('injected vendor errors', () => {
  it.each([
    [5006, 519, '熔断'],
    [5007, 519, '过载'],
    [2000002000, 200, '系统错误,请到开发者社区提单反馈'],
  ] as const)(
    'answers errcode %i when a fault rule says so, without running the endpoint',
    async (errcode, status, text) => {
      const faults: FaultRule[] = [{ endpoint: `POST ${SAVE}`, when: { calls: [1] }, fault: jdyVendorFault(errcode) }]
      ;({ sim, client } = await setup({ faults }))
      const r = await client.call('POST', SAVE, { body: bill() })
      expect(r.status).toBe(status)
      expect(r.json).toMatchObject({ errcode, description_cn: expect.stringContaining(text) })
      expect(sim.bills.list()).toHaveLength(0)
      expect((await client.call('POST', SAVE, { body: bill() })).json.errcode).toBe(0)
    },
  )
})

describe('timeout-after-commit on save', () => {
  it('stores the bill and destroys the connection; the bill is then found by number', async () => {
    ;({ sim, client } = await setup())
    sim.faults.set([
      {
        endpoint: `POST ${SAVE}`,
        when: { calls: [1] },
        fault: { kind: 'reset', afterCommit: true },
        label: 'reset_after_commit',
      },
    ])
    await expect(client.call('POST', SAVE, { body: bill() })).rejects.toThrow()
    expect(sim.bills.list().map((b) => b.bill_no)).toEqual(['PK-T-0001'])
    const d = await client.call('GET', '/jdy/v2/scm/inv_check_loss_bill_detail', { query: { number: 'PK-T-0001' } })
    expect(d.json.data.bill_status).toBe('Z')
    // A blind re-POST hits the duplicate error: the reconcile path must look before it writes.
    expect((await client.call('POST', SAVE, { body: bill() })).json.description).toContain('组合值与其他表单重复')
    expect(sim.log.entries({ endpoint: SAVE, outcome: 'fault' })).toHaveLength(1)
  })

  it('stores the bill and holds the reply past the client timeout', async () => {
    ;({ sim, client } = await setup())
    sim.faults.set([
      { endpoint: `POST ${SAVE}`, when: { calls: [1] }, fault: { kind: 'hang', ms: 30_000, afterCommit: true } },
    ])
    await expect(client.call('POST', SAVE, { body: bill(), signal: AbortSignal.timeout(1_000) })).rejects.toThrow()
    expect(sim.bills.list()).toHaveLength(1)
  })

  it('stores the bill and cuts the JSON reply short with a truncated-body fault', async () => {
    ;({ sim, client } = await setup())
    sim.faults.set([{ endpoint: `POST ${SAVE}`, when: { calls: [1] }, fault: { kind: 'truncated' } }])
    const r = await client.call('POST', SAVE, { body: bill() })
    expect(r.status).toBe(200)
    expect(r.json).toBeUndefined()
    expect(sim.bills.list()).toHaveLength(1)
  })
})

describe('transport faults', () => {
  it('answers 502 with an HTML page and stores nothing', async () => {
    ;({ sim, client } = await setup())
    sim.faults.set([{ endpoint: `POST ${SAVE}`, when: { calls: [1] }, fault: { kind: 'http_error', status: 502 } }])
    const r = await client.call('POST', SAVE, { body: bill() })
    expect(r.status).toBe(502)
    expect(r.text).toContain('<html>')
    expect(sim.bills.list()).toHaveLength(0)
  })

  it('resets the connection before handling and stores nothing', async () => {
    ;({ sim, client } = await setup())
    sim.faults.set([{ endpoint: `POST ${SAVE}`, when: { calls: [1] }, fault: { kind: 'reset' } }])
    await expect(client.call('POST', SAVE, { body: bill() })).rejects.toThrow()
    expect(sim.bills.list()).toHaveLength(0)
  })

  it('replays the same seeded random faults for the same seed', async () => {
    const outcomes = async (): Promise<number[]> => {
      const s = await setup({
        seed: 42,
        faults: [{ endpoint: MATERIALS, when: { probability: 0.5 }, fault: { kind: 'http_error', status: 503 } }],
      })
      const out: number[] = []
      for (let i = 0; i < 12; i++) out.push((await s.client.call('GET', MATERIALS)).status)
      await s.sim.close()
      return out
    }
    const a = await outcomes()
    expect(a).toContain(503)
    expect(a).toContain(200)
    expect(await outcomes()).toEqual(a)
  })
})
