/**
 * Child process of the cluster scenario: M 金蝶云星辰 simulators, one per credential (book), each
 * enforcing its own per-minute quota as a sliding window on arrival. Their request logs are the
 * ground truth for what all workers together sent to each credential.
 */
import { createClock } from '../simulators/common/clock.js'
import type { FaultRule } from '../simulators/common/faults.js'
import { generateDataset } from '../simulators/data/index.js'
import { startJdySimulator, type JdySimulator } from '../simulators/kingdee-jdy/index.js'
import { serve } from './ipc.js'
import type { ClusterSimStart, ClusterSimStats, SimInfo } from './types.js'

const JDY_AUTH = ['/jdyconnector/app_management/push_app_authorize', '/jdyconnector/app_management/kingdee_auth_token']
let sims: JdySimulator[] = []

async function start(o: ClusterSimStart): Promise<SimInfo['jdy'][]> {
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
        // Each worker process fetches its own token here (in production they share the store's).
        auth: { tokenCallsPerMinute: 4 * o.workers },
      }),
    ),
  )
  return sims.map((s) => ({ url: s.url, ...s.credentials }))
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

let logCap = 10_000

serve(
  {
    start: (arg) => {
      const o = arg as ClusterSimStart
      logCap = o.logLimit
      return start(o)
    },
    stats: () => Promise.resolve(stats()),
  },
  async () => {
    await Promise.all(sims.map((s) => s.close()))
  },
)
