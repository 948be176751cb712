/**
 * The incident book and the facts the rules read, on a real SQLite file and a real PostgreSQL
 * schema (skipped locally with the reason when PostgreSQL is unreachable; failing under CI).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { AlertEvaluator } from '../../src/alerts/evaluator.js'
import { DEFAULT_ALERTS, DEFAULT_RULES } from '../../src/config/alerts-settings.js'
import { storeFacts } from '../../src/alerts/store-facts.js'
import type { AlertMessage } from '../../src/alerts/types.js'
import { recordRunEnd } from '../../src/engine/run-end.js'
import { emptyCounters } from '../../src/engine/ports.js'
import type { Store } from '../../src/store/index.js'
import {
  dialectEnabled,
  postgresFactory,
  postgresPlan,
  probePostgres,
  sqliteFactory,
  testClock,
  type StoreFactory,
  type TestDatabase,
} from '../store/harness.js'
import { recorder } from './support.js'

const pg = dialectEnabled('postgres')
  ? postgresPlan(await probePostgres(), process.env)
  : { run: false as const, fail: false, reason: 'STORE_DIALECTS excludes postgres' }
const factories: StoreFactory[] = [
  ...(dialectEnabled('sqlite') ? [sqliteFactory] : []),
  ...(pg.run ? [postgresFactory()] : []),
]
if (!pg.run) {
  if (pg.fail)
    describe('alerts store on postgres', () => {
      it('needs PostgreSQL in CI', () => {
        expect.fail(pg.reason)
      })
    })
  else process.stderr.write(`alerts store on postgres skipped: ${pg.reason}\n`)
}

const MIN = 60_000

for (const factory of factories) {
  describe(`alert store on ${factory.dialect}`, () => {
    let db: TestDatabase | undefined
    afterEach(async () => {
      await db?.cleanup()
      db = undefined
    })
    const open = async (
      clock = testClock(Date.UTC(2026, 11, 2, 2)),
    ): Promise<{ store: Store; clock: typeof clock }> => {
      db = factory.create()
      return { store: await db.open({ now: clock.now }), clock }
    }

    it('keeps channel secrets sealed at rest and lists channels without decrypting', async () => {
      const { store } = await open()
      await store.alerts.saveChannel('ops', 'dingtalk', {
        webhook: 'https://oapi.dingtalk.com/robot/send?access_token=tok',
        secret: 'SEC-very-secret',
      })
      const raw = await store.db.selectFrom('alert_channels').selectAll().execute()
      expect(JSON.stringify(raw)).not.toContain('SEC-very-secret')
      expect(JSON.stringify(raw)).not.toContain('access_token=tok')
      expect((await store.alerts.getChannel('ops')).settings.secret).toBe('SEC-very-secret')
      expect(await store.alerts.listChannels()).toMatchObject([{ name: 'ops', type: 'dingtalk' }])
    })

    it('opens, updates, resolves and lists incidents newest first', async () => {
      const { store } = await open()
      const a = await store.alerts.open('s:freshness', {
        schemeId: 's',
        rule: 'freshness',
        severity: 'critical',
        details: { numbers: { ageMinutes: 130 }, codes: [] },
        at: new Date(Date.UTC(2026, 11, 2, 1)),
      })
      const b = await store.alerts.open('s:runFailed', {
        schemeId: 's',
        rule: 'runFailed',
        severity: 'warning',
        details: { numbers: {}, codes: ['ERR_X'] },
        at: new Date(Date.UTC(2026, 11, 2, 2)),
      })
      await store.alerts.update(a.id, { numbers: { ageMinutes: 140 }, codes: [] }, new Date(Date.UTC(2026, 11, 2, 3)))
      await store.alerts.resolve(b.id, new Date(Date.UTC(2026, 11, 2, 4)))
      expect((await store.alerts.openIncident('s:freshness'))?.details.numbers.ageMinutes).toBe(140)
      expect(await store.alerts.openIncident('s:runFailed')).toBeUndefined()
      expect((await store.alerts.list()).map((i) => [i.rule, i.status])).toEqual([
        ['runFailed', 'resolved'],
        ['freshness', 'open'],
      ])
      expect((await store.alerts.list({ status: 'open' })).map((i) => i.id)).toEqual([a.id])
    })

    it('counts deliveries per channel and outcome for the metrics', async () => {
      const { store } = await open()
      const i = await store.alerts.open('s:freshness', {
        schemeId: 's',
        rule: 'freshness',
        severity: 'critical',
        details: { numbers: {}, codes: [] },
        at: new Date(Date.UTC(2026, 11, 2, 1)),
      })
      const at = new Date(Date.UTC(2026, 11, 2, 1, 1))
      expect(await store.alerts.deliveryCounts()).toEqual([])
      for (const [channel, ok] of [
        ['ding', true],
        ['ding', true],
        ['ding', false],
        ['mail', true],
      ] as const) {
        await store.alerts.recordDelivery({
          incidentId: i.id,
          channel,
          state: 'firing',
          at,
          ok,
          error: ok ? null : 'HTTP 500',
        })
      }
      const counts = await store.alerts.deliveryCounts()
      expect(
        [...counts].sort((a, b) => `${a.channel}${String(a.ok)}`.localeCompare(`${b.channel}${String(b.ok)}`)),
      ).toEqual([
        { channel: 'ding', ok: false, count: 1 },
        { channel: 'ding', ok: true, count: 2 },
        { channel: 'mail', ok: true, count: 1 },
      ])
    })

    it('reads a burst of parked records and failed runs from the ledger as one incident per rule and one message each', async () => {
      const { store, clock } = await open()
      await store.schemes.save('orders', '{}', { name: 'orders' })
      await store.ledger.upsertSourceRecords(
        'orders',
        Array.from({ length: 300 }, (_, i) => ({ id: `o${i}`, content: { i } })),
        { idCheck: true },
      )
      const claim = await store.ledger.claimReady('orders', 300)
      for (const r of claim.records) {
        await store.ledger.markFailed(
          { schemeId: 'orders', recordId: r.id },
          { kind: 'data', code: 'ERR_LOOKUP_MISSING', message: 'material not found', nextAttemptAt: null },
        )
      }
      for (let i = 0; i < 4; i++) {
        const run = await store.runs.start('orders', 'target')
        await store.runs.finish(run, 'failed', { code: 'ERR_TARGET_REJECTED', message: 'rejected' })
        clock.advance(MIN)
      }
      const messages: AlertMessage[] = []
      const ev = new AlertEvaluator({
        book: store.alerts,
        facts: storeFacts(store, () => [{ id: 'orders', name: 'orders', connections: [] }]),
        config: { ...DEFAULT_ALERTS, route: ['ops'] },
        channels: new Map([['ops', recorder()]]),
        clock: { now: () => new Date(clock.now()) },
        log: { info: () => undefined, warn: () => undefined },
        send: (_c, m) => {
          messages.push(m)
          return Promise.resolve()
        },
      })
      for (let i = 0; i < 5; i++) {
        await ev.tick()
        clock.advance(MIN)
      }
      expect(messages.map((m) => m.incident?.rule).sort()).toEqual([
        'consecutiveFailures',
        'failedRecords',
        'runFailed',
      ])
      const failed = messages.find((m) => m.incident?.rule === 'failedRecords')
      expect(failed?.incident?.numbers.failed).toBe(300)
      expect(failed?.incident?.codes).toEqual(['ERR_LOOKUP_MISSING'])
      expect(messages.find((m) => m.incident?.rule === 'consecutiveFailures')?.incident?.codes).toEqual([
        'ERR_TARGET_REJECTED',
      ])
    })

    it('derives freshness from the last run that closed a window and volume per hour from kept records', async () => {
      const { store, clock } = await open()
      const run = await store.runs.start('orders', 'source')
      await store.runs.add(run, 'source', { windows: 2, kept: 40 })
      await store.runs.finish(run, 'succeeded')
      const closedAt = clock.now()
      clock.advance(3 * 60 * MIN)
      const f = await storeFacts(store, () => [{ id: 'orders', name: 'orders', connections: [] }]).facts(
        'orders',
        new Date(clock.now()),
      )
      expect(f.lastWindowClosedAt?.getTime()).toBe(closedAt)
      expect(f.hourlyVolume?.get(Math.floor(closedAt / (60 * MIN)) * 60 * MIN)).toBe(40)
      expect(f.runs.map((r) => r.status)).toEqual(['succeeded'])
    })

    it("fires one throttled incident while the runs' recorded throttled share is above the setting and resolves it once later runs are clean", async () => {
      const { store, clock } = await open()
      // Recorded the way the engine records a run's budget usage (recordRunEnd → counters under stage `budget`).
      const run = async (calls: number, throttled: number) => {
        const id = await store.runs.start('orders', 'source')
        await recordRunEnd(store.runs, id, {
          status: 'ok',
          stage: 'source',
          counters: emptyCounters(),
          budget: { calls, throttled },
        })
      }
      const messages: AlertMessage[] = []
      const ev = new AlertEvaluator({
        book: store.alerts,
        facts: storeFacts(store, () => [{ id: 'orders', name: 'orders', connections: [] }]),
        config: {
          ...DEFAULT_ALERTS,
          route: ['ops'],
          rules: { ...DEFAULT_RULES, throttled: { ...DEFAULT_RULES.throttled, share: 0.25 } },
        },
        channels: new Map([['ops', recorder()]]),
        clock: { now: () => new Date(clock.now()) },
        log: { info: () => undefined, warn: () => undefined },
        send: (_c, m) => {
          messages.push(m)
          return Promise.resolve()
        },
      })
      // 20% throttled over 60 calls: under the 25% setting.
      await run(30, 6)
      await run(30, 6)
      await ev.tick()
      expect(messages).toHaveLength(0)
      // Runs at 40%: the third run's 24/90 (27%) crosses the setting; the two after it open nothing new.
      for (let i = 0; i < 3; i++) {
        clock.advance(5 * MIN)
        await run(30, 12)
        await ev.tick()
      }
      clock.advance(5 * MIN)
      await ev.tick()
      expect(messages.map((m) => [m.incident?.rule, m.state])).toEqual([['throttled', 'firing']])
      expect(messages[0]?.incident?.numbers).toMatchObject({ calls: 90, throttled: 24, percent: 27 })
      // Clean runs: once the hour's share falls back under the setting, the incident resolves once.
      for (let i = 0; i < 14; i++) {
        clock.advance(5 * MIN)
        await run(40, 0)
        await ev.tick()
      }
      expect(messages.map((m) => [m.incident?.rule, m.state])).toEqual([
        ['throttled', 'firing'],
        ['throttled', 'resolved'],
      ])
      const incidents = await store.alerts.list()
      expect(incidents.map((i) => [i.rule, i.status])).toEqual([['throttled', 'resolved']])
    })

    it("reads stored credential expiries of the scheme's connections and the pause reason", async () => {
      const { store, clock } = await open()
      await store.schemes.save('orders', '{}', { name: 'orders' })
      await store.schemes.pause('orders', 'ERR_JDY_AUTH_REJECTED client secret refused')
      await store.credentials.set('jst', 'access_token', 'tok', new Date(clock.now() + 60 * MIN))
      await store.credentials.set('other', 'access_token', 'tok', new Date(clock.now() + 60 * MIN))
      const f = await storeFacts(store, () => [{ id: 'orders', name: 'orders', connections: ['jst', 'jdy'] }]).facts(
        'orders',
        new Date(clock.now()),
      )
      expect(f.pausedReason).toContain('ERR_JDY_AUTH_REJECTED')
      expect(f.credentials.map((c) => c.connection)).toEqual(['jst'])
    })
  })
}
