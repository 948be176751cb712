import { describe, expect, it } from 'vitest'
import type { FaultRule } from '../../../simulators/common/index.js'
import { COUNT, harness, PARTNER, type Harness } from './harness.js'
import { businessFields, postForm, type Reply } from './tiny-client.js'

/** One attempt; transport failures (throw, non-2xx, non-JSON) and codes 150/199/200 count as retryable. */
async function attempt(h: Harness, biz: Record<string, unknown>): Promise<{ reply?: Reply; retryable: boolean }> {
  h.sim.clock.advance(250)
  try {
    const f = businessFields(h.sim.credentials, biz, Math.floor(h.sim.clock.now() / 1000))
    const reply = await postForm(`${h.sim.url}${COUNT}`, f, { signal: AbortSignal.timeout(400) })
    if (reply.status !== 200 || reply.json === undefined) return { retryable: true }
    if ([150, 199, 200].includes(reply.json.code)) return { retryable: true }
    return { reply, retryable: false }
  } catch {
    return { retryable: true }
  }
}

/** Read windows in order with up to `tries` attempts per page; the watermark moves only after a whole window. */
async function run(h: Harness, windows: [string, string][], tries = 6) {
  const rows: { io_id: number }[] = []
  let watermark: string | undefined
  for (const [begin, end] of windows) {
    const windowRows: { io_id: number }[] = []
    for (let page = 1; ; page++) {
      let got: Reply | undefined
      for (let i = 0; i < tries && got === undefined; i++)
        got = (await attempt(h, { modified_begin: begin, modified_end: end, page_index: page, page_size: 50 })).reply
      if (got === undefined) return { rows, watermark, failedAt: begin }
      expect(got.json?.code).toBe(0)
      windowRows.push(...(got.json?.data.datas as { io_id: number }[]))
      if (!got.json?.data.has_next) break
    }
    rows.push(...windowRows)
    watermark = end
  }
  return { rows, watermark }
}

const WINDOWS: [string, string][] = [
  ['2026-11-01 00:00:00', '2026-11-02 23:59:59'],
  ['2026-11-03 00:00:00', '2026-11-04 23:59:59'],
  ['2026-11-05 00:00:00', '2026-11-07 23:59:59'],
]

describe('JST simulator transport faults (spec §11.4, §11.5 scenario 10)', () => {
  it('lets a retrying client read every order exactly once through 502, reset, truncated, non-JSON, 150, 199 and a hang', async () => {
    const faults: FaultRule[] = [
      { endpoint: COUNT, when: { calls: [2] }, fault: { kind: 'http_error', status: 502 } },
      { endpoint: COUNT, when: { calls: [3] }, fault: { kind: 'reset' } },
      { endpoint: COUNT, when: { calls: [5] }, fault: { kind: 'truncated' } },
      { endpoint: COUNT, when: { calls: [6] }, fault: { kind: 'non_json' } },
      {
        endpoint: COUNT,
        when: { calls: [8] },
        fault: { kind: 'vendor', body: { code: 150, msg: '内部处理异常！', data: null } },
      },
      {
        endpoint: COUNT,
        when: { calls: [9, 10] },
        fault: { kind: 'vendor', body: { code: 199, msg: '调用太频繁，请稍后再试!', data: null } },
      },
      { endpoint: COUNT, when: { calls: [11] }, fault: { kind: 'hang', ms: 1500 } },
      { endpoint: COUNT, when: { calls: [12] }, fault: { kind: 'http_error', status: 504 } },
    ]
    const h = await harness({ faults, generate: { orders: 150, days: 7 } })
    const result = await run(h, WINDOWS)
    expect(result.watermark).toBe(WINDOWS[2]![1])
    const ids = result.rows.map((r) => r.io_id)
    expect(ids.length).toBe(new Set(ids).size)
    expect([...ids].sort()).toEqual(
      h.sim.orders
        .latest()
        .map((o) => o.io_id)
        .sort(),
    )
    const faulted = h.sim.log.counters()[COUNT]?.faults ?? {}
    expect(Object.values(faulted).reduce((a, b) => a + b, 0)).toBe(9)
  })

  it('keeps the watermark at the last complete window when a window keeps failing', async () => {
    const h = await harness({ generate: { orders: 60, days: 7 } })
    const first = await run(h, WINDOWS.slice(0, 1))
    expect(first.watermark).toBe(WINDOWS[0]![1])
    h.sim.faults.set([{ endpoint: COUNT, when: { always: true }, fault: { kind: 'http_error', status: 503 } }])
    const second = await run(h, WINDOWS)
    expect(second.watermark).toBeUndefined()
    expect(second.failedAt).toBe(WINDOWS[0]![0])
  })

  it('sends 502/503/504 as HTML pages and forced codes in the real envelope', async () => {
    const h = await harness({
      faults: [
        { endpoint: PARTNER, when: { calls: [1] }, fault: { kind: 'http_error', status: 503 } },
        {
          endpoint: PARTNER,
          when: { calls: [2] },
          fault: {
            kind: 'vendor',
            body: { code: 100, msg: '验证失败！无效的access_token或access_token已过期', data: null },
          },
        },
      ],
    })
    const first = await h.call(PARTNER, {})
    expect(first.status).toBe(503)
    expect(first.text).toContain('<html>')
    expect((await h.call(PARTNER, {})).json?.code).toBe(100)
    expect((await h.call(PARTNER, {})).json?.code).toBe(0)
  })

  it('draws probabilistic faults from the seed: the same seed faults the same calls', async () => {
    const pattern = async (seed: number) => {
      const h = await harness({
        seed,
        rateLimit: { perSecond: 1000, perMinute: 100_000 },
        faults: [{ endpoint: PARTNER, when: { probability: 0.3 }, fault: { kind: 'http_error', status: 502 } }],
      })
      const out: number[] = []
      for (let i = 0; i < 30; i++) out.push((await h.call(PARTNER, {})).status)
      return out
    }
    const a = await pattern(7)
    expect(a).toEqual(await pattern(7))
    expect(a.filter((s) => s === 502).length).toBeGreaterThan(0)
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(0)
  })
})
