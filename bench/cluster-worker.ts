/**
 * One worker process of the cluster scenario, standing in for `ferry worker` until it exists on
 * main: it opens the real 金蝶云星辰 connector for every credential on the shared Redis budget
 * (what a host does with `queue.redisUrl` set) and saves bills it claims from a shared counter,
 * so N workers split the job as queue workers would, each save paced by the credential's budget.
 */
import { Redis } from 'ioredis'
import { budgetKeyFor, effectiveLimits } from '../src/connectors/budget.js'
import { RedisBudgetRegistry } from '../src/connectors/budget-redis.js'
import type { ConnectorRuntime } from '../src/connectors/contract.js'
import { kingdeeJdy } from '../src/connectors/kingdee-jdy/index.js'
import { MemoryCredentialStore } from '../src/connectors/memory-credentials.js'
import { resolveConnectionConfig } from '../src/connectors/registry.js'
import { silentLogger } from '../src/engine/ports.js'
import { serve } from './ipc.js'
import type { ClusterWorkerOpen, ClusterWorkerResult, SimInfo } from './types.js'

const SAVE = '/jdy/v2/scm/inv_check_loss_bill'

let job: ClusterWorkerOpen | undefined
let registry: RedisBudgetRegistry | undefined
let redis: Redis | undefined
let runtimes: ConnectorRuntime[] = []

function settings(j: SimInfo['jdy']): Record<string, unknown> {
  return {
    baseUrl: j.url,
    clientId: j.clientId,
    clientSecret: j.clientSecret,
    outerInstanceId: j.outerInstanceId,
    accountId: j.accountId,
    appKey: j.appKey,
    appSecret: j.appSecret,
    domain: j.domain,
  }
}

/** Open every credential's connector on the shared budget; answers the budget keys. */
async function open(o: ClusterWorkerOpen): Promise<string[]> {
  job = o
  registry = new RedisBudgetRegistry(o.redisUrl, { prefix: o.prefix })
  redis = new Redis(o.redisUrl)
  const keys: string[] = []
  runtimes = await Promise.all(
    o.sims.map((sim, i) => {
      const cfg = resolveConnectionConfig(kingdeeJdy, settings(sim))
      const key = budgetKeyFor(kingdeeJdy, cfg, `jdy-${i}`)
      keys.push(key)
      return kingdeeJdy.open({
        connectionId: `jdy-${i}`,
        config: cfg,
        credentials: new MemoryCredentialStore(),
        budget: registry!.forKey(key, effectiveLimits(kingdeeJdy.budget, o.budget)),
        inFlight: o.budget.inFlight,
        log: silentLogger,
      })
    }),
  )
  return keys
}

async function run(): Promise<ClusterWorkerResult> {
  if (job === undefined || redis === undefined || registry === undefined) throw new Error('open first')
  const { bills, prefix } = job
  const failures: string[] = []
  let ok = 0
  await Promise.all(
    runtimes.flatMap((rt, i) =>
      Array.from({ length: job!.budget.inFlight ?? 4 }, async () => {
        for (;;) {
          // The shared counter hands each bill to exactly one worker, as a queue would.
          const n = (await redis!.incr(`${prefix}bench:next:${i}`)) - 1
          if (n >= bills.length) return
          const payload = bills[n]!
          const out = await rt.target!.write({ api: SAVE, payload, key: String(payload.bill_no) })
          if (out.kind === 'ok') ok++
          else failures.push(`${i}/${String(payload.bill_no)}: ${out.kind} ${out.message ?? ''}`)
        }
      }),
    ),
  )
  const throttled = registry.keys().reduce((a, k) => a + (registry!.get(k)?.stats().penalties ?? 0), 0)
  return { ok, failures: failures.slice(0, 20), throttled }
}

serve(
  {
    open: (arg) => open(arg as ClusterWorkerOpen),
    run: () => run(),
  },
  async () => {
    for (const rt of runtimes) await rt.close()
    await registry?.close()
    await redis?.quit()
  },
)
