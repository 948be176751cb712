/* eslint-disable @typescript-eslint/require-await -- fakes implement async ports synchronously */
import { describe, expect, it } from 'vitest'
import type { Page, ReadRequest } from '../../src/connectors/contract.js'
import { Scheduler } from '../../src/engine/scheduler.js'
import { silentLogger } from '../../src/engine/ports.js'
import { sqlitePorts } from './support/sqlite-ports.js'
import { FakeSource, FakeTarget, GatedSource as FirstPageGated, doc, lossScheme } from './support/fakes.js'

class GatedSource extends FakeSource {
  release!: () => void
  readonly gate = new Promise<void>((r) => {
    this.release = r
  })
  override async *read(req: ReadRequest): AsyncIterable<Page> {
    await this.gate
    yield* super.read(req)
  }
}

describe('scheduler', () => {
  it('lets a target tick that fires while the source tick reads write what the source stores meanwhile', async () => {
    const keys = ['IO1', 'IO2', 'IO3', 'IO4', 'IO5', 'IO6']
    const source = new FirstPageGated(keys.map((k, i) => doc(k, `2026-11-01T0${i + 1}:00:00Z`, [['A', -1]])))
    const target = new FakeTarget()
    const ports = await sqlitePorts()
    const scheduler = new Scheduler({
      ports,
      clock: { now: () => new Date('2026-11-02T00:00:00Z') },
      log: silentLogger,
      connections: { source: async () => source, target: async () => target, inFlight: () => 1 },
      retry: { ladder: [20], jitter: 0 },
    })
    const scheme = lossScheme(new Map([['A', 'M-A']]))
    // At a minute both crontabs share (source */10, target */5): the source reads its first page…
    const sourceTick = scheduler.tick(scheme, 'source')
    while ((await ports.ledger.counts(scheme.id)).waiting < 2) await new Promise((r) => setTimeout(r, 10))
    // …the target tick starts beside it, and the source's other pages arrive while it runs.
    const targetTick = scheduler.tick(scheme, 'target')
    setTimeout(() => source.open(), 300)
    const [s, t] = await Promise.all([sourceTick, targetTick])
    expect(s?.status).toBe('ok')
    expect(t?.status).toBe('ok')
    // Written in this tick, not left for the next one (five minutes later).
    expect([...target.bills.keys()].sort()).toEqual(keys)
    expect(t?.counters.written).toBe(6)
  })

  it('skips and reports a tick that fires while the previous run of the stage is still going', async () => {
    const source = new GatedSource([doc('IO1', '2026-11-01T05:00:00Z', [['A', -1]])])
    const ports = await sqlitePorts()
    const skipped: string[] = []
    const scheduler = new Scheduler(
      {
        ports,
        clock: { now: () => new Date('2026-11-02T00:00:00Z') },
        log: silentLogger,
        connections: { source: async () => source, target: async () => new FakeTarget(), inFlight: () => 1 },
      },
      { onSkip: (id, stage, reason) => skipped.push(`${id} ${stage}: ${reason}`) },
    )
    const scheme = lossScheme(new Map([['A', 'M-A']]))
    const first = scheduler.tick(scheme, 'source')
    const second = await scheduler.tick(scheme, 'source')
    expect(second).toBeUndefined()
    expect(skipped).toEqual(['count-to-loss source: the previous run is still going'])
    source.release()
    expect((await first)?.status).toBe('ok')
    expect((await scheduler.tick(scheme, 'source'))?.status).toBe('ok')
  })

  it('skips a tick when another process holds the scheme lease', async () => {
    const ports = await sqlitePorts()
    await ports.leases.acquire('scheme:count-to-loss:source', 'other-host:42', 60_000)
    const skipped: string[] = []
    const scheduler = new Scheduler(
      {
        ports,
        clock: { now: () => new Date('2026-11-02T00:00:00Z') },
        log: silentLogger,
        connections: {
          source: async () => new FakeSource([]),
          target: async () => new FakeTarget(),
          inFlight: () => 1,
        },
      },
      { onSkip: (_id, _stage, reason) => skipped.push(reason) },
    )
    expect(await scheduler.tick(lossScheme(new Map()), 'source')).toBeUndefined()
    expect(skipped[0]).toMatch(/already running \(other-host:42\)/)
  })

  it('runs a scheduled reconciliation under its own lease: a held source lease does not block it, a held reconcile lease skips it', async () => {
    const ports = await sqlitePorts()
    await ports.leases.acquire('scheme:count-to-loss:source', 'other-host:42', 60_000)
    const skipped: string[] = []
    const scheduler = new Scheduler(
      {
        ports,
        clock: { now: () => new Date('2026-11-02T00:00:00Z') },
        log: silentLogger,
        connections: {
          source: async () => new FakeSource([]),
          target: async () => new FakeTarget(),
          inFlight: () => 1,
        },
      },
      { onSkip: (id, stage, reason) => skipped.push(`${id} ${stage}: ${reason}`) },
    )
    let runs = 0
    const job = {
      schemeId: 'count-to-loss',
      crontab: '0 3 * * *',
      run: async () => {
        runs += 1
      },
    }
    expect(await scheduler.tickReconcile(job)).toBe(true)
    expect(await ports.leases.holder('scheme:count-to-loss:reconcile')).toBeUndefined()
    await ports.leases.acquire('scheme:count-to-loss:reconcile', 'other-host:43', 60_000)
    expect(await scheduler.tickReconcile(job)).toBe(false)
    expect(runs).toBe(1)
    expect(skipped).toEqual(['count-to-loss reconcile: other-host:43 is reconciling it'])
    await scheduler.stop()
  })

  it('registers source, target and omissionRemedy crontabs', async () => {
    const scheduler = new Scheduler({
      ports: await sqlitePorts(),
      clock: { now: () => new Date() },
      log: silentLogger,
      connections: { source: async () => new FakeSource([]), target: async () => new FakeTarget(), inFlight: () => 1 },
    })
    const base = lossScheme(new Map())
    scheduler.add({
      ...base,
      schedule: { sourceCron: '*/10 * * * *', targetCron: '*/5 * * * *', timezone: 'Asia/Shanghai' },
      source: { ...base.source, remedyCrontab: '0 0 * * *', renderRemedyRequest: async () => ({}) },
    })
    expect(scheduler.jobs.map((j) => [j.stage, j.crontab])).toEqual([
      ['source', '*/10 * * * *'],
      ['target', '*/5 * * * *'],
      ['remedy', '0 0 * * *'],
    ])
    expect(scheduler.jobs[0]?.nextRun()).toBeInstanceOf(Date)
    await scheduler.stop()
  })

  it('reads crontabs in the scheme time zone', async () => {
    const scheduler = new Scheduler({
      ports: await sqlitePorts(),
      clock: { now: () => new Date() },
      log: silentLogger,
      connections: { source: async () => new FakeSource([]), target: async () => new FakeTarget(), inFlight: () => 1 },
    })
    const base = lossScheme(new Map())
    scheduler.add({ ...base, schedule: { sourceCron: '0 2 * * *', timezone: 'Asia/Shanghai' } })
    // 02:00 in Shanghai is 18:00 UTC the day before.
    expect(scheduler.jobs[0]?.nextRun()?.getUTCHours()).toBe(18)
    await scheduler.stop()
  })

  it('re-schedules a replaced scheme on its new crontabs, stops the old ones and keeps its reconciliation', async () => {
    const ports = await sqlitePorts()
    const scheduler = new Scheduler({
      ports,
      clock: { now: () => new Date() },
      log: silentLogger,
      connections: { source: async () => new FakeSource([]), target: async () => new FakeTarget(), inFlight: () => 1 },
    })
    const base = lossScheme(new Map())
    scheduler.add({ ...base, schedule: { sourceCron: '*/10 * * * *', targetCron: '*/5 * * * *' } })
    scheduler.addReconcile({ schemeId: base.id, crontab: '0 3 * * *', run: async () => undefined })
    const old = scheduler.jobs.filter((j) => j.stage !== 'reconcile')
    scheduler.replace({ ...base, schedule: { sourceCron: '*/10 * * * *', targetCron: '*/7 * * * *' } })
    expect(scheduler.jobs.map((j) => [j.stage, j.crontab])).toEqual([
      ['reconcile', '0 3 * * *'],
      ['source', '*/10 * * * *'],
      ['target', '*/7 * * * *'],
    ])
    for (const j of old) expect(j.nextRun()).toBeNull()
    for (const j of scheduler.jobs) expect(j.nextRun()).toBeInstanceOf(Date)
    await scheduler.stop()
    await ports.store.close()
  })

  it('runs each tick with the definition resolve answers (a version stored since it was added)', async () => {
    const source = new FakeSource([doc('IO1', '2026-11-01T05:00:00Z', [['A', -1]])])
    const base = lossScheme(new Map([['A', 'M-A']]))
    const newer = { ...base, source: { ...base.source, connection: 'jst-version-2' } }
    const opened: string[] = []
    const clock = { now: () => new Date('2026-11-02T00:00:00Z') }
    const ports = await sqlitePorts(clock, [base])
    const scheduler = new Scheduler(
      {
        ports,
        clock,
        log: silentLogger,
        connections: {
          source: async (name) => {
            opened.push(name)
            return source
          },
          target: async () => new FakeTarget(),
          inFlight: () => 1,
        },
      },
      { resolve: async (s) => (s.id === base.id ? newer : s) },
    )
    expect((await scheduler.tick(base, 'source'))?.status).toBe('ok')
    expect(opened).toEqual(['jst-version-2'])
    await scheduler.stop()
    await ports.store.close()
  })
})
