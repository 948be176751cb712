import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { openBudgetBackend } from '../../src/connectors/budget-backend.js'
import type { RedisRateBudget } from '../../src/connectors/budget-redis.js'
import { kingdeeJdy } from '../../src/connectors/kingdee-jdy/index.js'
import { HostBudgets } from '../../src/engine/host-budgets.js'
import { silentLogger } from '../../src/engine/ports.js'
import { openStore, type Store } from '../../src/store/store.js'

const REDIS_URL = process.env.FERRY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('credential budgets of hosts configured with queue.redisUrl', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  async function store(): Promise<Store> {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-budgets-redis-'))
    const s = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    cleanups.push(async () => {
      await s.close()
      rmSync(dir, { recursive: true, force: true })
    })
    return s
  }

  async function host(prefix: string, redisUrl: string | undefined = REDIS_URL): Promise<HostBudgets> {
    const h = new HostBudgets(await store(), silentLogger, await openBudgetBackend(redisUrl, { prefix }))
    cleanups.push(() => h.close())
    return h
  }

  function uniquePrefix(): string {
    const p = `ferry-test-${randomUUID().slice(0, 8)}:`
    cleanups.push(async () => {
      const r = new Redis(REDIS_URL)
      const keys = await r.keys(`${p}*`)
      if (keys.length > 0) await r.del(...keys)
      await r.quit()
    })
    return p
  }

  const conn = { connector: 'kingdee-jdy', settings: {}, budget: { perSecond: 20, perMinute: 1200 } }

  it('counts the calls of two hosts on one credential in the same windows', async () => {
    const prefix = uniquePrefix()
    const a = await (await host(prefix)).forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', conn)
    const b = await (await host(prefix)).forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', conn)
    for (let i = 0; i < 3; i++) (await a.acquire())()
    ;(await b.acquire())()

    expect(a.stats().acquired).toBe(3)
    expect(await (b as RedisRateBudget).shared()).toMatchObject({ acquired: 4 })
  })

  it('starts the shared budget from the limit an earlier run learned', async () => {
    const prefix = uniquePrefix()
    const h = await host(prefix)
    const s = await store()
    await s.meta.set('budget-learned:kingdee-jdy:book', JSON.stringify({ perSecond: 12 }))
    const fromStore = new HostBudgets(s, silentLogger, await openBudgetBackend(REDIS_URL, { prefix }))
    cleanups.push(() => fromStore.close())
    const b = await fromStore.forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', conn)
    ;(await b.acquire())()
    // Another host without the stored value sees the same shared cap.
    const other = await h.forConnection(kingdeeJdy, 'kingdee-jdy:book', 'jdy', conn)
    ;(await other.acquire())()

    expect(b.stats().learned).toEqual({ perSecond: 12 })
    expect(other.stats().effective.perSecond).toBe(12)
  })

  it('keeps budgets in the process when queue.redisUrl is not set', async () => {
    const backend = await openBudgetBackend(undefined)
    expect(backend.kind).toBe('local')
  })
})
