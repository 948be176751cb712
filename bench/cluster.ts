/**
 * cluster (issue 17): M credentials × N `ferry worker` processes sharing each credential's budget
 * through Redis. One 聚水潭 source app, M 金蝶云星辰 books (one simulator each) and one check-loss
 * scheme per book; with `queue.targetParts: N` each scheme's target stage is N jobs, so every
 * worker writes to every book. Measured: throughput against M × the single-credential quota bound
 * of the job (bench/bound.ts), and calls per credential per window, both as the budget granted them
 * (its Redis ledger, sampled before it is pruned) and as the vendor saw them arrive.
 */
import { Redis } from 'ioredis'
import { effectiveLimits } from '../src/connectors/budget.js'
import { kingdeeJdy } from '../src/connectors/kingdee-jdy/index.js'
import type { FerryJobData, FerryJobResult } from '../src/queue/jobs.js'
import { jobBound, round } from './bound.js'
import { lossId, startClusterFerry } from './cluster-ferry.js'
import { DAYS, dataStart, env, oracleFor, SEED } from './harness.js'
import { spawnChild } from './ipc.js'
import type { Figures } from './scenarios.js'
import type { ClusterSimInfo, ClusterSimStats } from './types.js'

const MINUTE = 60_000

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

const jobs = (ids: readonly string[], kind: 'source' | 'target', parts = 1): FerryJobData[] =>
  ids.flatMap((schemeId) =>
    parts === 1
      ? [{ schemeId, kind }]
      : Array.from({ length: parts }, (_, index) => ({ schemeId, kind, part: { index, of: parts } })),
  )

const notOk = (rs: readonly FerryJobResult[]): string[] =>
  rs.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.code ?? ''} ${r.reason ?? ''}`)

export async function clusterScenario(): Promise<Figures> {
  const credentials = env('BENCH_CLUSTER_M', 2)
  const workers = env('BENCH_CLUSTER_N', 3)
  const scale = env('BENCH_SCALE', 4)
  const perMinute = 500 * scale
  const jstLimits = { perSecond: 5 * scale, perMinute: 100 * scale }
  // 5 800 count orders give ≈2 500 bills a book: 1.25 minutes of its quota, so the minute binds.
  const orders = env('BENCH_CLUSTER_ORDERS', 5_800)
  const latencyMs = env('BENCH_CLUSTER_LATENCY_MS', 50)
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
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
  const oracle = oracleFor(orders, startMs)
  const expected = [...oracle.bills.keys()].sort()
  const billsPer = expected.length

  const sims = spawnChild('./cluster-sims.ts')
  const redis = new Redis(redisUrl)
  let ferry: Awaited<ReturnType<typeof startClusterFerry>> | undefined
  try {
    const info = await sims.call<ClusterSimInfo>('start', {
      seed: SEED,
      orders,
      days: DAYS,
      startMs,
      credentials,
      workers,
      perMinute,
      jst: jstLimits,
      latencyMs,
      logLimit: billsPer * 2 + 1_000,
    })
    ferry = await startClusterFerry({
      sims: info,
      redisUrl,
      pgUrl,
      workers,
      budgets: { jst: { ...jstLimits, inFlight: 2 }, jdy: budget },
      start: new Date(startMs),
    })
    const keys = ferry.budgetKeys
    const ledger = new LedgerSampler(redis, ferry.budgetPrefix, keys)
    ledger.start()
    const ids = Array.from({ length: credentials }, (_, i) => lossId(i))
    // The jobs `ferry scheduler` would publish, put on the queues at once instead of at the next
    // crontab minute: master data first (the loss schemes look it up), then the source job of every
    // book and, once those runs hold their source leases, the N target parts per book (all M × N at
    // once: each worker runs M jobs of a kind at a time), as the ticks of a source and a target
    // crontab due together. A target job follows the running source (RunOptions.followSource).
    const t0 = performance.now()
    const failed = notOk(await ferry.run(jobs(['jdy-materials', 'jdy-stores'], 'source')))
    const sources = await ferry.add(jobs(ids, 'source'))
    await ferry.sourcesRunning(ids, 60_000)
    const t1 = performance.now()
    const targets = await ferry.add(jobs(ids, 'target', workers))
    failed.push(...notOk(await Promise.all(sources)))
    const tSource = performance.now()
    failed.push(...notOk(await Promise.all(targets)))
    const t2 = performance.now()
    const wall = (t2 - t0) / 1000
    const writeWall = (t2 - t1) / 1000
    const granted = await ledger.stop()
    const seen = await sims.call<ClusterSimStats[]>('stats')
    const jst = await sims.call<{ requests: number; throttled: number }>('jstStats')

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
    // One book's job: its bills (one save each, plus the audit confirmation), the master-data
    // pages and its share of the source pages, at the told quotas.
    const job = {
      bills: billsPer,
      sourceOrders: oracle.sourceOrders,
      days: DAYS,
      materials: info.materials,
      stores: info.stores,
    }
    const single = jobBound(job, { jst: jstLimits, jdy: { perMinute } }, latencyMs)
    // The target jobs alone (from when they were added, while the source still reads): the saves
    // and the audit read at the book's quota, plus one latency.
    const singleWrite = { bound_s: ((billsPer + 1) / perMinute) * 60 + latencyMs / 1000 }
    const saved = seen.reduce((a, s) => a + s.billNos.length, 0)
    const ratio = saved / wall / ((credentials * billsPer) / single.bound_s)
    const writeRatio = saved / writeWall / ((credentials * billsPer) / singleWrite.bound_s)
    const withinBudget = perCredential.every(
      (c) => c.granted_max_per_minute <= limits.perMinute! && c.granted_max_per_second <= limits.perSecond!,
    )
    const correct = failed.length === 0 && perCredential.every((c) => c.exactly_once)
    return {
      scenario: 'cluster',
      correct,
      target_met: correct && withinBudget && ratio >= 0.9,
      target_ratio: 0.9,
      credentials,
      workers,
      bills_per_credential: billsPer,
      wall_s: round(wall),
      // From the first job added until every book's source job finished (the writes overlap it).
      source_wall_s: round((tSource - t0) / 1000),
      write_wall_s: round(writeWall),
      bills_per_s: round(saved / wall, 1),
      single_credential_bound_s: round(single.bound_s),
      single_credential_write_bound_s: round(singleWrite.bound_s),
      ratio: round(ratio),
      write_ratio: round(writeRatio),
      within_budget: withinBudget,
      budget: limits,
      per_credential: perCredential,
      vendor_throttled: perCredential.reduce((a, c) => a + c.vendor_throttled, 0),
      jst_pages_needed: single.jst_pages,
      jst_requests: jst.requests,
      jst_throttled: jst.throttled,
      failures: failed.slice(0, 10),
      latency_ms: latencyMs,
      engine: 'ferry worker',
    }
  } finally {
    await ferry?.close()
    await sims.stop()
    await redis.quit()
  }
}
