import { describe, expect, it } from 'vitest'
import { harness, PARTNER, T0 } from './harness.js'

describe('JST simulator rate limits per app_key (spec §8.2, §11.5 scenario 3)', () => {
  it('answers some 199s to 10 parallel calls in one second', async () => {
    const { sim, call } = await harness()
    const replies = await Promise.all(Array.from({ length: 10 }, () => call(PARTNER, {})))
    const codes = replies.map((r) => r.json?.code)
    expect(codes.filter((c) => c === 0)).toHaveLength(5)
    expect(codes.filter((c) => c === 199)).toHaveLength(5)
    expect(replies.find((r) => r.json?.code === 199)?.json?.msg).toBe('调用太频繁，请稍后再试!')
    expect(sim.log.counters()[PARTNER]).toMatchObject({ accepted: 5, throttled: 5 })
  })

  it('answers 200 once 100 calls were made within one minute', async () => {
    const { sim, call } = await harness()
    const codes: (number | undefined)[] = []
    for (let i = 0; i < 120; i++) {
      codes.push((await call(PARTNER, {})).json?.code)
      sim.clock.advance(300) // 3.3 calls per second: under the per-second cap
    }
    expect(codes.slice(0, 100).every((c) => c === 0)).toBe(true)
    expect(codes.slice(100).every((c) => c === 200)).toBe(true)
    sim.clock.set(T0 + 60_000)
    expect((await call(PARTNER, {})).json?.code).toBe(0)
  })

  it('sees no 199/200 in steady state when the client keeps a 4/s and 90/min budget', async () => {
    const { sim, call } = await harness()
    // The client's limiter, waiting on the simulated clock: a sliding log of its own calls.
    const sent: number[] = []
    const acquire = () => {
      for (;;) {
        const now = sim.clock.now()
        const lastSecond = sent.filter((t) => t > now - 1000).length
        const lastMinute = sent.filter((t) => t > now - 60_000).length
        if (lastSecond < 4 && lastMinute < 90) {
          sent.push(now)
          return
        }
        sim.clock.advance(50)
      }
    }
    for (let i = 0; i < 130; i++) {
      acquire()
      expect((await call(PARTNER, {})).json?.code).toBe(0)
    }
    expect(sim.log.counters()[PARTNER]?.throttled).toBe(0)
  })

  it('lets twice the per-second limit through across a fixed-window boundary but not with a sliding window', async () => {
    const burst = async (window: 'fixed' | 'sliding') => {
      const { sim, call } = await harness({ rateLimit: { window } })
      sim.clock.set(T0 + 900)
      const codes: (number | undefined)[] = []
      for (let i = 0; i < 5; i++) codes.push((await call(PARTNER, {})).json?.code)
      sim.clock.set(T0 + 1100)
      for (let i = 0; i < 5; i++) codes.push((await call(PARTNER, {})).json?.code)
      return codes.filter((c) => c === 0).length
    }
    expect(await burst('fixed')).toBe(10)
    expect(await burst('sliding')).toBe(5)
  })

  it('counts rejected calls against the window only when countRejected is on', async () => {
    const run = async (countRejected: boolean) => {
      const { sim, call } = await harness({
        rateLimit: { perSecond: 100, perMinute: 3, countRejected, window: 'sliding' },
      })
      for (let i = 0; i < 3; i++) expect((await call(PARTNER, {})).json?.code).toBe(0)
      sim.clock.advance(30_000)
      for (let i = 0; i < 3; i++) expect((await call(PARTNER, {})).json?.code).toBe(200)
      // The accepted calls have aged out; counted rejections from +30 s still fill the window.
      sim.clock.advance(30_001)
      return (await call(PARTNER, {})).json?.code
    }
    expect(await run(false)).toBe(0)
    expect(await run(true)).toBe(200)
  })

  it('keeps separate budgets per app_key', async () => {
    const { sim, call } = await harness({ rateLimit: { perSecond: 1 } })
    expect((await call(PARTNER, {})).json?.code).toBe(0)
    expect((await call(PARTNER, {})).json?.code).toBe(199)
    // A different app (the ISV one) is not throttled by the first app's calls.
    const isv = sim.credentials.isv
    const code = sim.issueAuthCode(isv.appKey)
    expect(code).toMatch(/^[0-9a-f]{6}$/)
    const token = sim.issueToken(isv.appKey)
    const { businessFields, postForm } = await import('./tiny-client.js')
    const r = await postForm(
      `${sim.url}${PARTNER}`,
      businessFields(
        { appKey: isv.appKey, appSecret: isv.appSecret, accessToken: token.access_token },
        {},
        Math.floor(sim.clock.now() / 1000),
      ),
    )
    expect(r.json?.code).toBe(0)
  })

  it('answers 199 beyond maxConcurrent calls in flight', async () => {
    const { call } = await harness({ rateLimit: { perSecond: 100, maxConcurrent: 1 }, processingMs: 150 })
    const codes = (await Promise.all([call(PARTNER, {}), call(PARTNER, {}), call(PARTNER, {})]))
      .map((r) => r.json?.code)
      .sort()
    expect(codes).toEqual([0, 199, 199])
  })
})
