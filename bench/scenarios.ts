/**
 * The quota, throttle and memory scenarios of issue 7 (overhead is in overhead.ts, cluster in
 * cluster.ts). Each returns one flat JSON object: the figures the issue names, the verdict against
 * the oracle, and enough detail (request counts, ledger) to see why.
 */
import { jobBound, quotaBound, needed, round, type QuotaLimits } from './bound.js'
import { DAYS, env, OPEN_BUDGETS, oracleFor, runFerry, startSims } from './harness.js'
import { judge } from './oracle.js'
import { runReference } from './reference.js'
import type { SimStats } from './types.js'

export type Figures = Record<string, unknown> & { scenario: string; correct: boolean; target_met: boolean }

/** Realistic quotas (JST 5/s and 100/min per app, JDY 500/min per book) times `scale`. */
export function scaledLimits(scale: number): QuotaLimits {
  return { jst: { perSecond: 5 * scale, perMinute: 100 * scale }, jdy: { perMinute: 500 * scale } }
}

export function requestsPerEndpoint(stats: SimStats): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [side, eps] of [
    ['jst', stats.jst],
    ['jdy', stats.jdy],
  ] as const)
    for (const [p, s] of Object.entries(eps)) out[`${side} ${p}`] = s.total
  if (stats.jdyLogComplete) for (const [k, n] of Object.entries(stats.jdyByMethod)) out[`jdy ${k}`] = n
  return out
}

/**
 * The reference contender (bench/reference.ts) against fresh simulators with the same data,
 * limits and latency, in this process (idle meanwhile). `correct`: it saved exactly the oracle's bills.
 */
async function referenceRun(
  orders: number,
  limits: QuotaLimits,
  told: QuotaLimits,
  latencyMs: number,
  oracle: ReturnType<typeof oracleFor>,
) {
  const sims = await startSims({ orders, jst: limits.jst, jdy: limits.jdy, latencyMs, logLimit: 1_000 })
  try {
    const r = await runReference(sims.info, sims.startMs, {
      jstPerSecond: told.jst.perSecond,
      jstPerMinute: told.jst.perMinute,
      jdyPerMinute: told.jdy.perMinute,
    })
    const expected = [...oracle.bills.keys()].sort()
    const got = [...new Set(r.saved)].sort()
    return {
      ...r,
      correct:
        r.failures.length === 0 && r.saved.length === got.length && JSON.stringify(got) === JSON.stringify(expected),
    }
  } finally {
    await sims.stop()
  }
}

/** The vendor limits `factor` times the told ones (the throttle scenario: real limits 30 % below). */
function realLimits(told: QuotaLimits, factor: number): QuotaLimits {
  const f = (n: number) => Math.max(1, Math.floor(n * factor))
  return {
    jst: { perSecond: f(told.jst.perSecond), perMinute: f(told.jst.perMinute) },
    jdy: { perMinute: f(told.jdy.perMinute) },
  }
}

const JDY_MASTER = ['/jdy/v2/bd/material', '/jdy/v2/bd/store']
const JDY_AUTH = ['/jdyconnector/app_management/push_app_authorize', '/jdyconnector/app_management/kingdee_auth_token']

/**
 * quota (50 ms), latency (300 ms) and throttle (50 ms, the simulators' real limits 30 % below
 * what Ferry is told): the backfill at the scaled quotas, against simulators that count sliding
 * windows on arrival. The ratio is to the job's bound (one save per bill plus the fewest pages)
 * at the limits the vendor really enforces.
 */
export async function quotaScenario(
  name: 'quota' | 'latency' | 'throttle',
  latencyMs: number,
  target: number,
  realFactor = 1,
): Promise<Figures> {
  // The throttle scenario runs at the real quotas (scale 1): at scale 4 the whole job fits inside
  // one minute's JDY quota, and a sliding minute then never throttles anyone.
  const scale = name === 'throttle' ? env('BENCH_THROTTLE_SCALE', 1) : env('BENCH_SCALE', 4)
  const orders = env('BENCH_QUOTA_ORDERS', 1600)
  const told = scaledLimits(scale)
  const limits = realLimits(told, realFactor)
  const inFlight = env('BENCH_JDY_INFLIGHT', 16)
  const sims = await startSims({ orders, jst: limits.jst, jdy: limits.jdy, latencyMs, logLimit: 200_000 })
  try {
    const oracle = oracleFor(orders, sims.startMs)
    // The user's budget is the told quota; JDY's minute alone, so its per-second rate follows (34/s).
    const budgets = {
      jst: { perSecond: told.jst.perSecond, perMinute: told.jst.perMinute, inFlight: 2 },
      jdy: { perMinute: told.jdy.perMinute, inFlight },
    }
    const r = await runFerry(sims, budgets)
    const stats = await sims.stats()
    const verdict = judge(oracle, await sims.bills(), r.parked)
    const job = {
      bills: oracle.bills.size,
      sourceOrders: oracle.sourceOrders,
      days: DAYS,
      materials: sims.info.materials,
      stores: sims.info.stores,
    }
    const bound = jobBound(job, limits, latencyMs)
    const toldBound = jobBound(job, told, latencyMs)
    const made = quotaBound(stats, limits, latencyMs)
    const n = needed(stats)
    let targetCalls = 0
    for (const [p, s] of Object.entries(stats.jdy))
      if (!JDY_MASTER.includes(p) && !JDY_AUTH.includes(p)) targetCalls += s.total
    const allCalls =
      Object.values(stats.jst).reduce((a, s) => a + s.total, 0) +
      Object.values(stats.jdy).reduce((a, s) => a + s.total, 0)
    const ratio = r.wall_s / bound.bound_s
    const failedRuns = r.status.filter((s) => !s.endsWith(':ok'))
    const correct = verdict.correct && failedRuns.length === 0
    const callsPerBill = targetCalls / Math.max(1, oracle.bills.size)
    const ref = await referenceRun(orders, limits, told, latencyMs, oracle)
    const throttledShare = n.throttled / Math.max(1, allCalls)
    return {
      scenario: name,
      correct,
      target_met: correct && ratio <= target,
      target_ratio: target,
      wall_s: round(r.wall_s),
      bound_s: round(bound.bound_s),
      ratio: round(ratio),
      target_calls_per_bill: round(callsPerBill),
      throttled: n.throttled,
      throttled_share: round(throttledShare, 4),
      calls: allCalls,
      told_bound_s: round(toldBound.bound_s),
      ratio_to_told_bound: round(r.wall_s / toldBound.bound_s),
      requests_bound_s: round(made.bound_s),
      ratio_to_requests_bound: round(r.wall_s / made.bound_s),
      reference_wall_s: round(ref.wall_s),
      ratio_to_reference: round(r.wall_s / ref.wall_s),
      reference_ratio: round(ref.wall_s / bound.bound_s),
      reference_correct: ref.correct,
      reference_throttled: ref.throttled,
      reference_failures: ref.failures.slice(0, 5),
      throttled_failures: verdict.failed_records,
      paced: r.counters.paced ?? 0,
      retrying: r.counters.retrying ?? 0,
      latency_ms: latencyMs,
      scale,
      orders,
      bills: oracle.bills.size,
      told,
      limits,
      budgets,
      binding: bound.binding,
      jst_pages_needed: bound.jst_pages,
      jdy_calls_needed: bound.jdy_calls,
      jst_requests: made.jst_requests,
      jdy_requests: made.jdy_requests,
      requests: requestsPerEndpoint(stats),
      run_status: r.status,
      errors: r.errors,
      ledger: r.ledger,
      verdict,
    }
  } finally {
    await sims.stop()
  }
}

interface MemoryRun {
  rss: number
  correct: boolean
  completed: boolean
  wall: number
  bills: number
  expected: number
  verdict: unknown
  status: readonly string[]
  errors: readonly string[]
  counters: Record<string, number>
}

async function memoryRun(orders: number, capS: number): Promise<MemoryRun> {
  const sims = await startSims({ orders, latencyMs: 0, logLimit: 1000 })
  try {
    const r = await runFerry(sims, OPEN_BUDGETS, [], capS)
    const oracle = oracleFor(orders, sims.startMs)
    const verdict = judge(oracle, await sims.bills(), r.parked, undefined, !r.completed)
    // A capped run's last scheme ends "failed" by the abort itself; the others must be ok.
    const runsOk = r.status.every(
      (s) => s.endsWith(':ok') || (!r.completed && s.startsWith('jst-count-to-jdy-check-loss:')),
    )
    return {
      rss: r.peak_rss_mb,
      correct: verdict.correct && runsOk,
      completed: r.completed,
      wall: r.wall_s,
      bills: r.written,
      expected: oracle.bills.size,
      verdict,
      status: r.status,
      errors: r.errors,
      counters: r.counters,
    }
  } finally {
    await sims.stop()
  }
}

/**
 * memory: peak RSS of the engine process (VmHWM) for 10k and 100k orders, quotas and latency off.
 * Each run stops at BENCH_MEMORY_CAP_S so the whole bench fits its 15 minutes; a stopped run is
 * judged on what it wrote and reported with `completed_* = false` (the target then is not met).
 */
export async function memoryScenario(): Promise<Figures> {
  const small = env('BENCH_MEMORY_SMALL', 10_000)
  const large = env('BENCH_MEMORY_LARGE', 100_000)
  const cap = env('BENCH_MEMORY_CAP_S', 420)
  const a = await memoryRun(small, cap)
  const b = await memoryRun(large, cap)
  const growth = b.rss / a.rss
  const correct = a.correct && b.correct
  return {
    scenario: 'memory',
    correct,
    target_met: correct && a.completed && b.completed && b.rss <= 300 && growth <= 1.2,
    rss_mb_10k: round(a.rss, 1),
    rss_mb_100k: round(b.rss, 1),
    growth: round(growth),
    completed_10k: a.completed,
    completed_100k: b.completed,
    cap_s: cap,
    limits_off: true,
    latency_ms: 0,
    orders_small: small,
    orders_large: large,
    wall_s_10k: round(a.wall),
    wall_s_100k: round(b.wall),
    bills_10k: a.bills,
    bills_100k: b.bills,
    expected_bills_10k: a.expected,
    expected_bills_100k: b.expected,
    run_status_100k: b.status,
    errors_100k: b.errors,
    counters_100k: b.counters,
    verdict_10k: a.verdict,
    verdict_100k: b.verdict,
  }
}
