import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_RULES } from '../../src/config/alerts-settings.js'
import type { RunFact } from '../../src/alerts/facts.js'
import { baseFacts, bench, recorder, type Bench } from './support.js'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
let b: Bench | undefined
afterEach(async () => {
  await b?.close()
  b = undefined
})

const failedRun = (i: number, at: Date, code = 'ERR_JST_HTTP'): RunFact => ({
  id: `r${i}`,
  kind: 'source',
  status: 'failed',
  startedAt: at,
  errorCode: code,
  errorMessage: 'HTTP 502',
})
const okRun = (i: number, at: Date): RunFact => ({
  id: `r${i}`,
  kind: 'source',
  status: 'succeeded',
  startedAt: at,
  errorCode: null,
  errorMessage: null,
})

describe('freshness on a fake clock', () => {
  it('fires once when no window closed for longer than the limit and resolves once when one closes', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    b.facts.set('orders', baseFacts('orders', { lastWindowClosedAt: t0, runs: [okRun(1, t0)] }))
    const ev = b.evaluator()
    for (let m = 0; m <= 120; m += 10) {
      b.clock.t = t0.getTime() + m * MIN
      await ev.tick()
    }
    expect(b.messages).toHaveLength(0)
    const states: string[] = []
    for (let m = 125; m <= 300; m += 5) {
      b.clock.t = t0.getTime() + m * MIN
      const r = await ev.tick()
      states.push(...r.sent.map((s) => s.state))
    }
    expect(states).toEqual(['firing'])
    expect(b.messages[0]?.msg.title).toContain('no source window closed for 2 h 5 min')
    b.facts.set('orders', baseFacts('orders', { lastWindowClosedAt: b.clock.now(), runs: [okRun(2, b.clock.now())] }))
    for (let i = 0; i < 10; i++) {
      b.clock.advance(5 * MIN)
      states.push(...(await ev.tick()).sent.map((s) => s.state))
    }
    expect(states).toEqual(['firing', 'resolved'])
    const incidents = await b.store.alerts.list()
    expect(incidents).toHaveLength(1)
    expect(incidents[0]).toMatchObject({ rule: 'freshness', status: 'resolved' })
  })

  it('repeats a still-open incident after the repeat interval, not before', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    b.facts.set('orders', baseFacts('orders', { lastWindowClosedAt: new Date(t0.getTime() - 3 * HOUR) }))
    const ev = b.evaluator({ repeatMs: HOUR })
    const states: string[] = []
    for (let m = 0; m <= 130; m += 10) {
      b.clock.t = t0.getTime() + m * MIN
      states.push(...(await ev.tick()).sent.map((s) => s.state))
    }
    expect(states).toEqual(['firing', 'repeat', 'repeat'])
  })
})

describe('volume anomalies by weekday and hour', () => {
  const hourly = (entries: [Date, number][]) => new Map(entries.map(([d, n]) => [d.getTime(), n]))

  it('fires when a weekday hour with normal volume the last two weeks drops to zero', async () => {
    // Wednesday 2026-12-02 10:00–11:00 Asia/Shanghai = 02:00–03:00 UTC; evaluated at 03:05 UTC.
    const hour = new Date('2026-12-02T02:00:00Z')
    b = await bench(new Date(hour.getTime() + HOUR + 5 * MIN))
    b.facts.set(
      'orders',
      baseFacts('orders', {
        hourlyVolume: hourly([
          [hour, 0],
          [new Date(hour.getTime() - 7 * DAY), 120],
          [new Date(hour.getTime() - 14 * DAY), 135],
        ]),
      }),
    )
    const r = await b.evaluator().tick()
    expect(r.opened.map((i) => [i.rule, i.details.numbers.anomaly])).toEqual([['volume', 'zero']])
    expect(b.messages).toHaveLength(1)
  })

  it('does not fire on a quiet Sunday hour whose history is quiet too', async () => {
    const hour = new Date('2026-12-06T02:00:00Z') // Sunday 10:00 Asia/Shanghai
    b = await bench(new Date(hour.getTime() + HOUR + 5 * MIN))
    b.facts.set(
      'orders',
      baseFacts('orders', {
        hourlyVolume: hourly([
          [hour, 0],
          [new Date(hour.getTime() - 7 * DAY), 0],
          [new Date(hour.getTime() - 14 * DAY), 2],
        ]),
      }),
    )
    const r = await b.evaluator().tick()
    expect(r.opened).toHaveLength(0)
    expect(b.messages).toHaveLength(0)
  })

  it('fires on a spike far above the same hour of the last two weeks', async () => {
    const hour = new Date('2026-12-02T02:00:00Z')
    b = await bench(new Date(hour.getTime() + HOUR + 5 * MIN))
    b.facts.set(
      'orders',
      baseFacts('orders', {
        hourlyVolume: hourly([
          [hour, 2000],
          [new Date(hour.getTime() - 7 * DAY), 120],
          [new Date(hour.getTime() - 14 * DAY), 135],
        ]),
      }),
    )
    const r = await b.evaluator().tick()
    expect(r.opened.map((i) => i.details.numbers.anomaly)).toEqual(['spike'])
  })
})

describe('bursts and noise', () => {
  it('gives one incident and one message for a burst of failed records and failed runs, not one per record', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    const ev = b.evaluator()
    for (let i = 1; i <= 30; i++) {
      b.clock.advance(MIN)
      const runs = Array.from({ length: i }, (_, k) => failedRun(i - k, new Date(b!.clock.t - k * MIN)))
      b.facts.set(
        'orders',
        baseFacts('orders', { runs, failedRecords: { count: i * 50, oldestAt: t0, codes: ['ERR_LOOKUP_MISSING'] } }),
      )
      await ev.tick()
    }
    const rules = b.messages.map((m) => m.msg.incident?.rule).sort()
    expect(rules).toEqual(['consecutiveFailures', 'failedRecords', 'runFailed'])
    expect(await b.store.alerts.list()).toHaveLength(3)
  })

  it('holds warnings during quiet hours and sends them when the quiet hours end, while critical ones go out', async () => {
    const t0 = new Date('2026-12-02T15:00:00Z') // 23:00 Asia/Shanghai
    b = await bench(t0)
    const ev = b.evaluator({
      repeatMs: DAY,
      quietHours: { fromMin: 22 * 60, toMin: 8 * 60, timezone: 'Asia/Shanghai', holdCritical: false },
    })
    b.facts.set(
      'orders',
      baseFacts('orders', { runs: [failedRun(1, t0)], pausedReason: 'ERR_JDY_AUTH_REJECTED app secret wrong' }),
    )
    const first = await ev.tick()
    expect(first.sent.map((s) => s.key)).toEqual(['orders:paused'])
    expect(first.held).toBe(1)
    b.clock.t = new Date('2026-12-03T00:01:00Z').getTime() // 08:01
    expect((await ev.tick()).sent.map((s) => s.key)).toEqual(['orders:runFailed'])
  })

  it('keeps a channel within its rate limit and sends the rest at a later tick', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    const ev = b.evaluator({}, [recorder('ops', 2)])
    for (const id of ['a', 'b', 'c', 'd', 'e']) b.facts.set(id, baseFacts(id, { runs: [failedRun(1, t0)] }))
    const r1 = await ev.tick()
    expect(r1.sent).toHaveLength(2)
    expect(r1.held).toBe(3)
    b.clock.advance(61_000)
    expect((await ev.tick()).sent).toHaveLength(2)
    b.clock.advance(61_000)
    expect((await ev.tick()).sent).toHaveLength(1)
    expect(new Set(b.messages.map((m) => m.msg.incident?.schemeId)).size).toBe(5)
  })

  it("does not resolve an incident when the scheme's facts cannot be read", async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    b.facts.set('orders', baseFacts('orders', { runs: [failedRun(1, t0)] }))
    const ev = b.evaluator()
    await ev.tick()
    b.facts.delete('orders')
    b.facts.set('other', baseFacts('other'))
    await ev.tick()
    expect((await b.store.alerts.list({ status: 'open' })).map((i) => i.key)).toEqual(['orders:runFailed'])
  })

  it('turns a rule off per scheme', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    b.facts.set('orders', baseFacts('orders', { runs: [failedRun(1, t0)] }))
    const r = await b
      .evaluator({
        schemes: { orders: { rules: { ...DEFAULT_RULES, runFailed: { ...DEFAULT_RULES.runFailed, enabled: false } } } },
      })
      .tick()
    expect(r.opened).toHaveLength(0)
  })
})

describe('messages', () => {
  it('carries the scheme, the numbers, the first error codes and the console link, in Chinese by default', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z')
    b = await bench(t0)
    b.facts.set(
      'orders',
      baseFacts('orders', {
        schemeName: '盘点单→盘亏单',
        runs: [failedRun(3, t0, 'ERR_JST_TOKEN'), failedRun(2, t0, 'ERR_JST_HTTP'), failedRun(1, t0)],
      }),
    )
    await b.evaluator({ consoleUrl: 'https://ferry.example.com/' }, [{ ...recorder(), language: 'zh-CN' }]).tick()
    const m = b.messages.find((x) => x.msg.incident?.rule === 'consecutiveFailures')?.msg
    expect(m?.title).toBe('[Ferry] 告警 orders: 连续 3 次运行失败')
    expect(m?.markdown).toContain('`ERR_JST_TOKEN`, `ERR_JST_HTTP`')
    expect(m?.markdown).toContain('盘点单→盘亏单 (orders)')
    expect(m?.link).toBe('https://ferry.example.com/schemes/orders')
  })
})
