/**
 * One Ferry-like process for the shared-budget tests: it opens a Redis budget registry (as a host
 * with `queue.redisUrl` does) and then, by `mode`:
 * - `hammer`: opens the real 聚水潭 connector on the budget and makes `calls` signed calls to the
 *   JST simulator with `concurrency` callers (the connector penalises the budget on throttles);
 * - `hold`: takes `slots` in-flight slots and never gives them back (the test kills it);
 * - `probe`: takes one slot and reports what the budget says (limits in force, learned caps).
 * Prints one JSON line per event on stdout.
 */
import { RedisBudgetRegistry } from '../../../src/connectors/budget-redis.js'
import type { BudgetLimits } from '../../../src/connectors/budget.js'
import { jushuitan, type JstRuntime } from '../../../src/connectors/jushuitan/index.js'
import { PARTNER_API } from '../../../src/connectors/jushuitan/readers.js'
import { MemoryCredentialStore } from '../../../src/connectors/memory-credentials.js'
import { resolveConnectionConfig } from '../../../src/connectors/registry.js'

export interface ProcessJob {
  readonly mode: 'hammer' | 'hold' | 'probe'
  readonly redisUrl: string
  readonly prefix: string
  readonly key: string
  readonly limits: BudgetLimits
  readonly leaseMs?: number
  readonly guardMs?: number
  readonly calls?: number
  readonly concurrency?: number
  readonly slots?: number
  readonly jst?: { url: string; appKey: string; appSecret: string; accessToken: string; refreshToken: string }
}

const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`)
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

const job = JSON.parse(process.argv[2] ?? '{}') as ProcessJob
const registry = new RedisBudgetRegistry(job.redisUrl, {
  prefix: job.prefix,
  ...(job.leaseMs === undefined ? {} : { leaseMs: job.leaseMs }),
  ...(job.guardMs === undefined ? {} : { guardMs: job.guardMs }),
})
const budget = registry.forKey(job.key, job.limits)

if (job.mode === 'hold') {
  for (let i = 0; i < (job.slots ?? 1); i++) await budget.acquire()
  say({ event: 'held', slots: job.slots ?? 1 })
  // Held until killed: the lease renewals keep the slots alive meanwhile.
  setInterval(() => undefined, 60_000)
} else if (job.mode === 'probe') {
  const release = await budget.acquire()
  release()
  say({ event: 'probed', stats: budget.stats() })
  await registry.close()
} else {
  const { url, ...creds } = job.jst!
  const cfg = resolveConnectionConfig(jushuitan, { baseUrl: url, ...creds, timeoutMs: 5_000 })
  const rt = (await jushuitan.open({
    connectionId: 'jst',
    config: cfg,
    credentials: new MemoryCredentialStore(),
    budget,
    log: quiet,
  })) as JstRuntime
  let next = 0
  let ok = 0
  await Promise.all(
    Array.from({ length: job.concurrency ?? 1 }, async () => {
      while (next < (job.calls ?? 1)) {
        next += 1
        await rt.internals.business(PARTNER_API, { page_index: 1, page_size: 10 })
        ok += 1
      }
    }),
  )
  say({ event: 'done', ok, throttled: rt.internals.caller.stats.throttled, stats: budget.stats() })
  await rt.close()
  await registry.close()
}
