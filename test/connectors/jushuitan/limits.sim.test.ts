import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_START_MS } from '../../../simulators/data/generate.js'
import { COUNT, DAY, HOUR, harness, ids, rowsOf, type Harness } from './helpers.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const PARTNERS = '/open/wms/partner/query'
const vendor = (code: number, msg: string) => ({ kind: 'vendor' as const, body: { code, msg, data: null } })
const throttledCodes = (hh: Harness) => hh.sim.log.entries().filter((e) => e.code === 199 || e.code === 200).length

describe('聚水潭 rate limits and budgets against the simulator (spec §11.5 scenario 3)', () => {
  it('makes 150 calls from 10 concurrent readers at the default limits with zero 199/200 answers', async () => {
    h = await harness({ sim: { generate: { orders: 60, days: 2 } }, config: { maxPagesPerWindow: 100 } })
    const started = h.sim.clock.now()
    // 10 readers share the connection's budget, 15 one-hour windows each: 150 count queries.
    await Promise.all(
      Array.from({ length: 10 }, async (_x, r) => {
        for (let i = 0; i < 15; i++) {
          const start = DEFAULT_START_MS + (r * 15 + i) * (HOUR / 4)
          await rowsOf(
            h!.rt.source.read({
              api: COUNT,
              window: { start: new Date(start), end: new Date(start + HOUR / 4) },
              params: {},
            }),
          )
        }
      }),
    )
    const counters = h.sim.log.counters()[COUNT]!
    expect(counters.accepted).toBe(150)
    expect(counters.throttled).toBe(0)
    expect(throttledCodes(h)).toBe(0)
    // 150 calls under 90/min needs more than one simulated minute: the per-minute limit was really exercised.
    expect(h.sim.clock.now() - started).toBeGreaterThan(60_000)
    expect(h.budget.stats().penalties).toBe(0)
  })

  it('recovers from real 199 answers when its budget is set above the vendor limit, and slows down', async () => {
    h = await harness({ sim: { generate: { orders: 60, days: 2 } }, budget: { perSecond: 50, inFlight: 10 } })
    const windows = Array.from({ length: 10 }, (_x, i) => {
      const start = DEFAULT_START_MS + i * HOUR
      return { start: new Date(start), end: new Date(start + HOUR) }
    })
    const results = await Promise.all(
      windows.map((w) => rowsOf(h!.rt.source.read({ api: COUNT, window: w, params: {} }))),
    )
    expect(throttledCodes(h)).toBeGreaterThan(0)
    expect(h.budget.stats().penalties).toBeGreaterThan(0)
    // Every throttle it fed into the budget, and every call, went through its call observer too.
    expect(h.observed.filter((o) => o === 'throttled')).toHaveLength(h.budget.stats().penalties)
    expect(h.observed.filter((o) => o.startsWith(`call ${COUNT} `))).toHaveLength(
      h.sim.log.entries().filter((e) => e.endpoint === COUNT).length,
    )
    expect(h.sim.log.counters()[COUNT]!.accepted).toBe(10)
    const all = results.flat()
    expect(new Set(ids(all)).size).toBe(all.length)
  })

  it('absorbs a forced burst of 199 and 200 answers: it slows the budget, waits, and completes', async () => {
    h = await harness()
    h.sim.faults.set([
      { endpoint: PARTNERS, when: { calls: [1, 2] }, fault: vendor(199, '调用太频繁，请稍后再试!') },
      { endpoint: PARTNERS, when: { calls: [3] }, fault: vendor(200, '调用频次超过限制!') },
    ])
    const started = h.sim.clock.now()
    const rows = await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    expect(rows).toHaveLength(h.sim.dataset.jst.partners.length)
    expect(h.budget.stats().penalties).toBe(3)
    // The 200 (per-minute quota) lowered the minute cap, but the budget held callers only until its
    // minute window had room again (here at once: three calls are far under any cap), not a whole minute.
    expect(h.budget.stats().learned.perMinute).toBeLessThan(90)
    expect(h.sim.clock.now() - started).toBeLessThan(10_000)
    expect(h.sim.log.entries().map((e) => e.outcome)).toEqual(['fault', 'fault', 'fault', 'accepted'])
  })

  it('signs with a timestamp taken after the budget wait, so a long throttle never makes it stale', async () => {
    h = await harness()
    h.budget.penalise(15 * 60_000)
    const rows = await rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))
    expect(rows.length).toBeGreaterThan(0)
    expect(h.sim.log.entries().map((e) => e.code)).toEqual([0])
  })

  it('gives up with a rate_limited ERR_JST_RATE_LIMITED carrying the wait once retries are spent', async () => {
    h = await harness({ config: { rateLimitRetries: 2 } })
    h.sim.faults.set([{ endpoint: PARTNERS, when: { always: true }, fault: vendor(199, '调用太频繁，请稍后再试!') }])
    await expect(rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_RATE_LIMITED',
      kind: 'rate_limited',
      details: { vendorCode: 199, retryAfterMs: 1000 },
    })
    expect(h.sim.log.entries()).toHaveLength(3)
  })

  it('treats code 200 with a parameter message as a parameter error, not a throttle', async () => {
    h = await harness()
    h.sim.faults.set([{ endpoint: PARTNERS, when: { always: true }, fault: vendor(200, '参数错误') }])
    await expect(rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_PARAMS',
      kind: 'config',
    })
    expect(h.sim.log.entries()).toHaveLength(1)
    expect(h.budget.stats().penalties).toBe(0)
  })
})

describe('聚水潭 transport faults and vendor errors against the simulator (spec §11.5 scenario 10)', () => {
  const window = { start: new Date(DEFAULT_START_MS), end: new Date(DEFAULT_START_MS + DAY) }

  it('survives a reset, a 502 page, a truncated body, a non-JSON body, a hang and a 150 with every order exactly once', async () => {
    h = await harness({
      sim: { generate: { orders: 120, days: 1 } },
      config: { maxPagesPerWindow: 10, retries: 6, timeoutMs: 300 },
    })
    h.sim.faults.set([
      { endpoint: COUNT, when: { calls: [1] }, fault: { kind: 'reset' } },
      { endpoint: COUNT, when: { calls: [2] }, fault: { kind: 'http_error', status: 502 } },
      { endpoint: COUNT, when: { calls: [4] }, fault: { kind: 'truncated' } },
      { endpoint: COUNT, when: { calls: [6] }, fault: { kind: 'non_json' } },
      { endpoint: COUNT, when: { calls: [7] }, fault: { kind: 'hang', ms: 1_500 } },
      { endpoint: COUNT, when: { calls: [9] }, fault: vendor(150, '内部处理异常！') },
    ])
    const rows = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} }))
    expect(ids(rows)).toEqual(ids(h.sim.orders.visible()))
    expect(new Set(ids(rows)).size).toBe(rows.length)
    expect(h.rt.internals.caller.stats.transientRetries).toBe(6)
  })

  it('fails the read with a transient error, not a partial success, when faults outlast the retries', async () => {
    h = await harness({ sim: { generate: { orders: 120, days: 1 } }, config: { maxPagesPerWindow: 10, retries: 2 } })
    h.sim.faults.set([{ endpoint: COUNT, when: { from: 2 }, fault: { kind: 'http_error', status: 503 } }])
    const err = await rowsOf(h.rt.source.read({ api: COUNT, window, params: {} })).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_HTTP_SERVER', kind: 'transient' })
  })

  it('re-signs once with a fresh timestamp on 180 and reports ERR_JST_TIMESTAMP when the skew persists', async () => {
    h = await harness()
    h.sim.clock.skewMs = 11 * 60_000
    await expect(rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_TIMESTAMP',
      kind: 'transient',
    })
    expect(h.sim.log.entries().map((e) => e.code)).toEqual([180, 180])
  })

  it('reports a wrong app secret as ERR_JST_SIGNATURE after a single call', async () => {
    h = await harness({ config: { appSecret: '0'.repeat(32) } })
    await expect(rowsOf(h.rt.source.read({ api: PARTNERS, params: {} }))).rejects.toMatchObject({
      code: 'ERR_JST_SIGNATURE',
      kind: 'config',
    })
    expect(h.sim.log.entries()).toHaveLength(1)
  })
})
