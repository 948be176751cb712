/**
 * Builds a real 聚水潭 connector against a real JST simulator on port 0, sharing one virtual
 * clock: every wait the connector makes (budget windows, back-off) moves the simulator's clock
 * instead of real time, so tests are deterministic and fast and make no timing assertions.
 */
import {
  budgetKeyFor,
  LocalBudgetRegistry,
  type BudgetLimits,
  type LocalRateBudget,
} from '../../../src/connectors/budget.js'
import type { Clock } from '../../../src/connectors/budget-clock.js'
import type { CallObserver, Page } from '../../../src/connectors/contract.js'
import { CallAborted } from '../../../src/connectors/errors.js'
import { jushuitan, type JstRuntime } from '../../../src/connectors/jushuitan/index.js'
import { MemoryCredentialStore } from '../../../src/connectors/memory-credentials.js'
import { resolveConnectionConfig } from '../../../src/connectors/registry.js'
import { startJstSimulator, type JstSimulator, type JstSimulatorOptions } from '../../../simulators/jushuitan/index.js'
import { DEFAULT_START_MS } from '../../../simulators/data/generate.js'

export const COUNT = '/open/inventory/count/query'
export const HOUR = 3_600_000
export const DAY = 24 * HOUR

export interface Harness {
  readonly sim: JstSimulator
  readonly rt: JstRuntime
  readonly store: MemoryCredentialStore
  readonly budget: LocalRateBudget
  readonly logs: Record<string, unknown>[]
  /** What the connector reported through its call-observer hook: `call <endpoint> <outcome>`, `throttled`, `wait`. */
  readonly observed: string[]
  /** Open a second runtime on the same store and budget (a later run, a restart). */
  reopen(config?: Record<string, unknown>): Promise<JstRuntime>
  close(): Promise<void>
}

export interface HarnessOptions {
  readonly sim?: JstSimulatorOptions
  readonly config?: Record<string, unknown>
  /** Simulated "now" at start; default 10 days after the generated data starts. */
  readonly now?: number
  /** Use the simulator's initial token (default) or start without one (getInitToken). */
  readonly withToken?: boolean
  /** Budget limits instead of the connector's defaults. */
  readonly budget?: BudgetLimits
}

export async function harness(o: HarnessOptions = {}): Promise<Harness> {
  const sim = await startJstSimulator({
    clock: { start: o.now ?? DEFAULT_START_MS + 10 * DAY, frozen: true },
    ...o.sim,
  })
  let budgetRef: LocalRateBudget | undefined
  const clock: Clock = {
    now: () => sim.clock.now(),
    async sleep(ms, signal) {
      if (signal?.aborted === true) throw CallAborted(['waiting'])
      // Let calls already in flight reach the simulator before time jumps, as they would in real time.
      while ((budgetRef?.stats().inFlight ?? 0) > 0) await new Promise((r) => setTimeout(r, 1))
      sim.clock.advance(Math.max(0, ms))
    },
  }
  const budget = new LocalBudgetRegistry({ clock })
  const store = new MemoryCredentialStore(() => new Date(sim.clock.now()))
  const logs: Record<string, unknown>[] = []
  const log = {
    debug: (x: Record<string, unknown>, msg?: string) => logs.push({ ...x, msg }),
    info: (x: Record<string, unknown>, msg?: string) => logs.push({ ...x, msg }),
    warn: (x: Record<string, unknown>, msg?: string) => logs.push({ ...x, msg }),
  }
  const observed: string[] = []
  const observer: CallObserver = {
    call: (endpoint, outcome) => observed.push(`call ${endpoint} ${outcome}`),
    throttled: () => observed.push('throttled'),
    budgetWait: () => observed.push('wait'),
  }
  const cred = sim.credentials
  const base = {
    baseUrl: sim.url,
    appKey: cred.appKey,
    appSecret: cred.appSecret,
    ...(o.withToken === false ? {} : { accessToken: cred.accessToken, refreshToken: cred.refreshToken }),
    timeoutMs: 2_000,
  }
  const runtimes: JstRuntime[] = []
  const open = async (config: Record<string, unknown> = {}) => {
    const resolved = resolveConnectionConfig(jushuitan, { ...base, ...o.config, ...config })
    const b = budget.forKey(budgetKeyFor(jushuitan, resolved, 'jst-test'), o.budget ?? jushuitan.budget)
    budgetRef = b
    const rt = (await jushuitan.open({
      connectionId: 'jst-test',
      config: resolved,
      credentials: store,
      budget: b,
      log,
      observer,
      now: () => new Date(sim.clock.now()),
      sleep: (ms, signal) => clock.sleep(ms, signal),
    })) as JstRuntime
    runtimes.push(rt)
    return rt
  }
  const rt = await open()
  return {
    sim,
    rt,
    store,
    logs,
    observed,
    budget: budgetRef as unknown as LocalRateBudget,
    reopen: open,
    async close() {
      for (const r of runtimes) await r.close()
      await sim.close()
    },
  }
}

export async function rowsOf(pages: AsyncIterable<Page>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = []
  for await (const p of pages) out.push(...p.rows)
  return out
}

/** io_ids as numbers, sorted. */
export function ids(rows: readonly { readonly io_id?: unknown }[]): number[] {
  return rows.map((r) => Number(r.io_id)).sort((a, b) => a - b)
}

/** The count-query `biz` objects the simulator received (optionally only accepted ones). */
export function countBizzes(sim: JstSimulator, outcome?: 'accepted'): Record<string, unknown>[] {
  return sim.log
    .entries({ endpoint: COUNT, ...(outcome === undefined ? {} : { outcome }) })
    .map((e) => JSON.parse(String(e.params.biz)) as Record<string, unknown>)
}
