/**
 * cluster (issue 17): M credentials × N worker processes sharing each credential's budget through
 * Redis. Every worker saves bills to every credential's 金蝶云星辰 simulator; the bills of one
 * credential are split between the workers. Measured: throughput against M × the single-credential
 * quota bound of the job (bench/bound.ts), and calls per credential per window, both as the budget
 * granted them (its Redis ledger, sampled before it is pruned) and as the vendor saw them arrive.
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { effectiveLimits } from '../src/connectors/budget.js'
import { kingdeeJdy } from '../src/connectors/kingdee-jdy/index.js'
import { jobBound, round } from './bound.js'
import { DAYS, dataStart, env, oracleFor, SEED } from './harness.js'
import { spawnChild, type ChildHandle } from './ipc.js'
import type { Figures } from './scenarios.js'
import type { ClusterSimStats, ClusterWorkerOpen, ClusterWorkerResult, SimInfo } from './types.js'

const MINUTE = 60_000

/**
 * Start `n` worker processes. The one place to change when `ferry worker` replaces the stand-in
 * (bench/cluster-worker.ts): start `n` × `ferry worker --config <file>` instead (docs/performance.md).
 */
export function launchWorkers(n: number): ChildHandle[] {
  return Array.from({ length: n }, () => spawnChild('./cluster-worker.ts'))
}

/** The most of `times` within any window of `spanMs` (sliding, as the vendor counts). */
export function maxInWindow(unsorted: readonly number[], spanMs: number): number {
  const t = [...unsorted].sort((a, b) => a - b)
  let max = 0
  let lo = 0
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= spanMs) lo++
    max = Math.max(max, hi - lo + 1)
  }
  return max
}

/** Copies each budget's start ledger out of Redis before its entries age out (kept 61 s). */
class LedgerSampler {
  private readonly seen = new Map<string, Map<string, number>>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly keys: readonly string[],
  ) {
    for (const k of keys) this.seen.set(k, new Map())
  }

  start(): void {
    this.timer = setInterval(() => void this.sample(), 5_000)
  }

  async stop(): Promise<Map<string, number[]>> {
    clearInterval(this.timer)
    await this.sample()
    return new Map([...this.seen].map(([k, m]) => [k, [...m.values()]]))
  }

  private async sample(): Promise<void> {
    for (const k of this.keys) {
      const flat = await this.redis.zrange(`${this.prefix}budget:{${k}}:starts`, 0, -1, 'WITHSCORES')
      const m = this.seen.get(k)!
      for (let i = 0; i < flat.length; i += 2) m.set(flat[i]!, Number(flat[i + 1]))
    }
  }
}

export async function clusterScenario(): Promise<Figures> {
  const credentials = env('BENCH_CLUSTER_M', 2)
  const workers = env('BENCH_CLUSTER_N', 3)
  const perMinute = 500 * env('BENCH_SCALE', 4)
  const billsPer = env('BENCH_CLUSTER_BILLS', Math.round(perMinute * 1.25))
  const latencyMs = env('BENCH_CLUSTER_LATENCY_MS', 50)
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const orders = 1600
  const startMs = dataStart(DAYS)
  // As the quota scenario: JDY's minute alone, so the per-second cap follows it (34/s at 2 000/min).
  // BENCH_CLUSTER_PER_SECOND sets one explicitly (docs/performance.md, "cluster", for what it costs).
  const perSecond = process.env.BENCH_CLUSTER_PER_SECOND
  const budget = {
    ...(perSecond === undefined ? {} : { perSecond: env('BENCH_CLUSTER_PER_SECOND', 1) }),
    perMinute,
    inFlight: env('BENCH_JDY_INFLIGHT', 16),
  }
  const limits = effectiveLimits(kingdeeJdy.budget, budget)
  const prefix = `ferry-bench-${randomUUID().slice(0, 8)}:`
  const payloads = oracleFor(orders, startMs).payloads
  const bills = Array.from({ length: billsPer }, (_, k) => ({ ...payloads[k % payloads.length]!, bill_no: `C${k}` }))

  const sims = spawnChild('./cluster-sims.ts')
  const redis = new Redis(redisUrl)
  const pool = launchWorkers(workers)
  try {
    const infos = await sims.call<SimInfo['jdy'][]>('start', {
      seed: SEED,
      orders,
      days: DAYS,
      startMs,
      credentials,
      workers,
      perMinute,
      latencyMs,
      logLimit: billsPer * 2 + 1_000,
    })
    const open: ClusterWorkerOpen = { sims: infos, redisUrl, prefix, budget, bills }
    const keys = (await Promise.all(pool.map((w) => w.call<string[]>('open', open))))[0]!
    const ledger = new LedgerSampler(redis, prefix, keys)
    ledger.start()
    const t0 = performance.now()
    const results = await Promise.all(pool.map((w) => w.call<ClusterWorkerResult>('run')))
    const wall = (performance.now() - t0) / 1000
    const granted = await ledger.stop()
    const seen = await sims.call<ClusterSimStats[]>('stats')

    const expected = bills.map((b) => String(b.bill_no)).sort()
    const failures = results.flatMap((r) => r.failures)
    const saved = results.reduce((a, r) => a + r.ok, 0)
    const perCredential = keys.map((key, i) => {
      const s = seen[i]!
      const g = granted.get(key) ?? []
      const nos = [...s.billNos].sort()
      return {
        credential: i,
        bills_saved: s.billNos.length,
        exactly_once: JSON.stringify(nos) === JSON.stringify(expected),
        granted_calls: g.length,
        granted_max_per_minute: maxInWindow(g, MINUTE),
        granted_max_per_second: maxInWindow(g, 1_000),
        vendor_max_per_minute: maxInWindow(s.arrivals, MINUTE),
        vendor_max_per_second: maxInWindow(s.arrivals, 1_000),
        vendor_throttled: s.throttled,
        vendor_log_complete: s.logComplete,
        vendor_requests: s.byEndpoint,
      }
    })
    const job = { bills: billsPer, sourceOrders: 0, days: 0, materials: 0, stores: 0 }
    // One credential's bound: its saves (plus the two master-data pages jobBound always counts) at its quota.
    const single = jobBound(job, { jst: { perSecond: 1, perMinute: 1 }, jdy: { perMinute } }, latencyMs)
    const singleRate = billsPer / single.bound_s
    const rate = saved / wall
    const ratio = rate / (credentials * singleRate)
    const withinBudget = perCredential.every(
      (c) => c.granted_max_per_minute <= limits.perMinute! && c.granted_max_per_second <= limits.perSecond!,
    )
    const correct = failures.length === 0 && perCredential.every((c) => c.exactly_once)
    return {
      scenario: 'cluster',
      correct,
      target_met: correct && withinBudget && ratio >= 0.9,
      target_ratio: 0.9,
      credentials,
      workers,
      bills_per_credential: billsPer,
      wall_s: round(wall),
      bills_per_s: round(rate, 1),
      single_credential_bound_s: round(single.bound_s),
      single_credential_bills_per_s: round(singleRate, 1),
      ratio: round(ratio),
      within_budget: withinBudget,
      budget: limits,
      per_credential: perCredential,
      worker_throttle_answers: results.map((r) => r.throttled),
      failures: failures.slice(0, 10),
      latency_ms: latencyMs,
      redis_backend: true,
    }
  } finally {
    await Promise.all(pool.map((w) => w.stop()))
    await sims.stop()
    const left = await redis.keys(`${prefix}*`)
    if (left.length > 0) await redis.del(...left)
    await redis.quit()
  }
}
