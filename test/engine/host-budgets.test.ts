import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { FerryConfig } from '../../src/config/types.js'
import { kingdeeJdy } from '../../src/connectors/kingdee-jdy/index.js'
import { HostBudgets } from '../../src/engine/host-budgets.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { openStore, type Store } from '../../src/store/store.js'
import { LOSS, world, type World } from '../e2e/support.js'

describe('credential budgets of a host', () => {
  let dir: string | undefined
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    store = undefined
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  const open = async () => {
    dir ??= mkdtempSync(join(tmpdir(), 'ferry-budgets-'))
    return openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
  }

  it('lets perSecond alone set the rate: a JDY connection told 20/s gets 1 200/min, not the default 400', async () => {
    store = await open()
    const budgets = new HostBudgets(store, silentLogger)
    const b = await budgets.forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', {
      connector: 'kingdee-jdy',
      settings: {},
      budget: { perSecond: 20 },
    })
    expect(b.stats().effective).toEqual({ perSecond: 20, perMinute: 1200, inFlight: 4 })
    expect(budgets.report()[0]).toMatchObject({
      key: 'kingdee-jdy:book',
      connections: ['jdy'],
      configured: { perSecond: 20, perMinute: 1200 },
    })
  })

  it('keeps a learned limit in the store and starts the next run from it', async () => {
    store = await open()
    const conn = { connector: 'kingdee-jdy', settings: {}, budget: { perSecond: 20, perMinute: 1200 } }
    const first = new HostBudgets(store, silentLogger)
    const b = await first.forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', conn)
    for (let i = 0; i < 10; i++) (await b.acquire())()
    b.penalise(1_000, { window: 'second' })
    const learned = b.learned().perSecond
    expect(learned).toBeLessThan(20)
    await first.save()
    await store.close()
    store = await open()
    const next = await new HostBudgets(store, silentLogger).forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', conn)
    expect(next.stats().learned.perSecond).toBe(learned)
    expect(next.stats().effective.perSecond).toBe(Math.floor(learned!))
  })

  it('reports the budgets of the connections a host opened', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-budgets-'))
    const config: FerryConfig = {
      file: undefined,
      baseDir: dir,
      database: { url: `sqlite:${join(dir, 'host.db')}` },
      masterKey: { file: join(dir, 'master.key') },
      connections: {
        jdy: {
          connector: 'kingdee-jdy',
          budget: { perSecond: 20 },
          settings: {
            baseUrl: 'http://127.0.0.1:9',
            clientId: 'c',
            clientSecret: 's',
            outerInstanceId: 'o',
            accountId: 'a',
            appKey: 'k',
            appSecret: 'x',
            domain: 'http://127.0.0.1:9',
          },
        },
      },
      schemes: [],
      collections: {},
      engine: { retryLadder: [1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
    }
    const host = await openHost(config, { log: silentLogger })
    try {
      await host.deps.connections.target('jdy')
      expect(host.budgets()).toEqual([
        expect.objectContaining({
          connections: ['jdy'],
          configured: { perSecond: 20, perMinute: 1200, inFlight: 4 },
          throttled: 0,
        }),
      ])
    } finally {
      await host.close()
    }
  })

  describe('budget counters of a run', () => {
    let w: World | undefined
    afterEach(async () => {
      await w?.close()
      w = undefined
    })

    it("records the run's own vendor calls and throttled answers from a throttling JDY under stage budget", async () => {
      w = await world({ orders: 12, days: 1, seed: 16 })
      const [materials, stores, loss] = w.host.schemes
      await runScheme(w.host.deps, materials!)
      await runScheme(w.host.deps, stores!)
      // JDY answers the first three saves of check-loss bills with HTTP 429.
      w.sandbox.jdy.faults.set([
        {
          endpoint: 'POST /jdy/v2/scm/inv_check_loss_bill',
          when: { always: true },
          times: 3,
          fault: { kind: 'http_error', status: 429 },
        },
      ])
      const before = w.host.budgets().find((b) => b.key.startsWith('kingdee-jdy'))
      const summary = await runScheme(w.host.deps, loss!)
      expect(loss!.id).toBe(LOSS)
      expect(summary.status).toBe('ok')
      expect(w.sandbox.jdy.log.entries().filter((e) => e.status === 429)).toHaveLength(3)
      const counters = (await w.host.store.runs.get(summary.runId!)).counters
      expect(counters.budget?.throttled).toBe(3)
      // Calls of this run only: the JDY calls of the two master-data runs before it are not in it.
      const after = w.host.budgets()
      const jdy = after.find((b) => b.key.startsWith('kingdee-jdy'))!
      const jst = after.find((b) => b.key.startsWith('jushuitan'))!
      expect(before!.calls).toBeGreaterThan(0)
      expect(counters.budget?.calls).toBe(jdy.calls - before!.calls + jst.calls)
      // A clean run after it records calls and no throttled answers.
      const again = await runScheme(w.host.deps, loss!)
      const clean = (await w.host.store.runs.get(again.runId!)).counters
      expect(clean.budget?.throttled ?? 0).toBe(0)
    }, 60_000)
  })
})
