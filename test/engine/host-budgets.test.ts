import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { FerryConfig } from '../../src/config/types.js'
import { kingdeeJdy } from '../../src/connectors/kingdee-jdy/index.js'
import { HostBudgets } from '../../src/engine/host-budgets.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { openStore, type Store } from '../../src/store/store.js'

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
    const b = await budgets.forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', { connector: 'kingdee-jdy', settings: {}, budget: { perSecond: 20 } })
    expect(b.stats().effective).toEqual({ perSecond: 20, perMinute: 1200, inFlight: 4 })
    expect(budgets.report()[0]).toMatchObject({ key: 'kingdee-jdy:book', connections: ['jdy'], configured: { perSecond: 20, perMinute: 1200 } })
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
      file: undefined, baseDir: dir,
      database: { url: `sqlite:${join(dir, 'host.db')}` },
      masterKey: { file: join(dir, 'master.key') },
      connections: {
        jdy: { connector: 'kingdee-jdy', budget: { perSecond: 20 }, settings: { baseUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's',
          outerInstanceId: 'o', accountId: 'a', appKey: 'k', appSecret: 'x', domain: 'http://127.0.0.1:9' } },
      },
      schemes: [],
      collections: {},
      engine: { retryLadder: [1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
    }
    const host = await openHost(config, { log: silentLogger })
    try {
      await host.deps.connections.target('jdy')
      expect(host.budgets()).toEqual([expect.objectContaining({ connections: ['jdy'], configured: { perSecond: 20, perMinute: 1200, inFlight: 4 }, throttled: 0 })])
    } finally {
      await host.close()
    }
  })
})
