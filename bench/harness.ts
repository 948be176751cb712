/** Wiring shared by the scenarios: simulators in one child, the engine in another, the oracle here. */
import { generateDataset } from '../simulators/data/index.js'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { engineFrom, spawnChild, spawnEngine, type ChildHandle } from './ipc.js'
import { computeOracle, type Oracle } from './oracle.js'
import type { ActualBill, Budget, FerryResult, SimInfo, SimStart, SimStats } from './types.js'

export const SEED = 7
export const DAYS = 30

export interface Sims {
  readonly child: ChildHandle
  readonly info: SimInfo
  readonly startMs: number
  stats(): Promise<SimStats>
  bills(): Promise<ActualBill[]>
  stop(): Promise<void>
}

/** Data ends two hours before now, so the JST connector's safety lag never hides part of it. */
export function dataStart(days: number): number {
  const hour = 3_600_000
  return Math.floor(Date.now() / hour) * hour - days * 86_400_000 - 2 * hour
}

export async function startSims(
  o: Omit<SimStart, 'seed' | 'days' | 'startMs'>,
  nodeArgs: readonly string[] = [],
): Promise<Sims> {
  const child = spawnChild('./sim-host.ts', nodeArgs)
  const startMs = dataStart(DAYS)
  const info = await child.call<SimInfo>('start', { ...o, seed: SEED, days: DAYS, startMs } satisfies SimStart)
  return {
    child,
    info,
    startMs,
    stats: () => child.call<SimStats>('stats'),
    bills: () => child.call<ActualBill[]>('bills'),
    stop: () => child.stop(),
  }
}

/** Same generator options as the simulators → the same dataset (the generator is deterministic). */
export function oracleFor(orders: number, startMs: number): Oracle {
  return computeOracle(generateDataset({ seed: SEED, orders, days: DAYS, start: startMs }))
}

/**
 * Compile the engine child and the code it runs into dist/ (tsconfig.bench.json, incremental),
 * unless the bench runs the engine from src/ (`BENCH_ENGINE=src`).
 */
export function buildEngine(): void {
  if (engineFrom() === 'src') return
  const root = fileURLToPath(new URL('..', import.meta.url))
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: root, stdio: 'inherit' })
}

export async function runFerry(
  sims: Sims,
  budgets: { jst: Budget; jdy: Budget },
  nodeArgs: readonly string[] = [],
  capS?: number,
  countSql = false,
  warmUp?: Sims,
): Promise<FerryResult> {
  const engine = spawnEngine(nodeArgs)
  try {
    return await engine.call<FerryResult>('ferry', {
      sim: sims.info,
      startMs: sims.startMs,
      budgets,
      ...(capS === undefined ? {} : { capS }),
      ...(countSql ? { countSql } : {}),
      ...(warmUp === undefined ? {} : { warmUp: { sim: warmUp.info, startMs: warmUp.startMs } }),
    })
  } finally {
    await engine.stop()
  }
}

/**
 * Budgets that never bind (the overhead and memory scenarios measure the engine, not the quota).
 * JDY has no concurrency limit, so its in-flight budget is the same 16 as in the quota scenario
 * (`BENCH_JDY_INFLIGHT`); the overhead scenario's raw loop uses the same number of workers.
 */
export const OPEN_BUDGETS = {
  jst: { perSecond: 1_000_000, perMinute: 60_000_000, inFlight: 2 },
  jdy: { perSecond: 1_000_000, perMinute: 60_000_000, inFlight: env('BENCH_JDY_INFLIGHT', 16) },
} as const

export function env(name: string, fallback: number): number {
  const v = process.env[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`)
  return n
}
