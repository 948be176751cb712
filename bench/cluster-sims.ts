/**
 * Child process of the cluster scenario: one 聚水潭 simulator (the one source app every scheme
 * reads) and M 金蝶云星辰 simulators, one per credential (book), each enforcing its own quota as a
 * sliding window on arrival. Their request logs are the ground truth for what all workers together
 * sent to each credential.
 */
import { createClock } from '../simulators/common/clock.js'
import type { FaultRule } from '../simulators/common/faults.js'
import { generateDataset } from '../simulators/data/index.js'
import { startJdySimulator, type JdySimulator } from '../simulators/kingdee-jdy/index.js'
import { startJstSimulator, type JstSimulator } from '../simulators/jushuitan/index.js'
import { serve } from './ipc.js'
import type { ClusterSimInfo, ClusterSimStart, ClusterSimStats } from './types.js'

const JDY_AUTH = ['/jdyconnector/app_management/push_app_authorize', '/jdyconnector/app_management/kingdee_auth_token']
let sims: JdySimulator[] = []
let jst: JstSimulator | undefined

async function start(o: ClusterSimStart): Promise<ClusterSimInfo> {
  const dataset = generateDataset({ seed: o.seed, orders: o.orders, days: o.days, start: o.startMs })
  const faults: FaultRule[] =
    o.latencyMs > 0
      ? [
          {
            endpoint: '*',
            when: { always: true },
            fault: { kind: 'latency', ms: o.latencyMs, jitterMs: 0 },
            label: 'lat',
          },
        ]
      : []
  jst = await startJstSimulator({
    seed: o.seed,
    dataset,
    clock: createClock(),
    faults,
    rateLimit: { perSecond: o.jst.perSecond, perMinute: o.jst.perMinute, window: 'sliding' },
  })
  sims = await Promise.all(
    Array.from({ length: o.credentials }, (_, i) =>
      startJdySimulator({
        // A seed per simulator: each is another book with its own client, keys and quota.
        seed: o.seed + 1 + i,
        masterData: dataset.jdy,
        clock: createClock(),
        faults,
        logLimit: o.logLimit,
        rateLimit: { perMinute: o.perMinute, window: 'sliding' },
        // Workers share the token through the store, but each may fetch one before it is stored.
        auth: { tokenCallsPerMinute: 4 * o.workers },
      }),
    ),
  )
  return {
    jst: { url: jst.url, ...jst.credentials },
    jdy: sims.map((s) => ({ url: s.url, ...s.credentials })),
    materials: dataset.jdy.materials.length,
    stores: dataset.jdy.stores.length,
  }
}

function stats(): ClusterSimStats[] {
  return sims.map((s) => {
    const entries = s.log.entries().filter((e) => !JDY_AUTH.includes(e.endpoint))
    return {
      arrivals: entries.map((e) => Date.parse(e.time)),
      throttled: entries.filter((e) => e.outcome === 'throttled').length,
      accepted: entries.filter((e) => e.outcome === 'accepted').length,
      logComplete: s.log.entries().length < 0.99 * logCap,
      billNos: s.bills.list().map((b) => b.bill_no),
      byEndpoint: entries.reduce<Record<string, number>>((a, e) => {
        a[`${e.method} ${e.endpoint}`] = (a[`${e.method} ${e.endpoint}`] ?? 0) + 1
        return a
      }, {}),
    }
  })
}

/** The JST app's business calls and throttled answers (every scheme's source reads it). */
function jstStats(): { requests: number; throttled: number } {
  const c = Object.values(jst?.log.counters() ?? {})
  return {
    requests: c.reduce((a, x) => a + x.accepted + x.throttled, 0),
    throttled: c.reduce((a, x) => a + x.throttled, 0),
  }
}

let logCap = 10_000

serve(
  {
    start: (arg) => {
      const o = arg as ClusterSimStart
      logCap = o.logLimit
      return start(o)
    },
    stats: () => Promise.resolve(stats()),
    jstStats: () => Promise.resolve(jstStats()),
  },
  async () => {
    await Promise.all([...sims.map((s) => s.close()), jst?.close()])
  },
)
