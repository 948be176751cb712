/**
 * Test harness: a JDY simulator plus the real connector opened against it, sharing the
 * simulator's clock, with an in-memory credential store, a real budget and a log that keeps
 * every line (so tests can assert no secret was ever logged).
 */
import {
  startJdySimulator,
  type JdyMasterData,
  type JdySimulator,
  type JdySimulatorOptions,
} from '../../../simulators/kingdee-jdy/index.js'
import { createClock, type SimClock } from '../../../simulators/common/clock.js'
import { LocalRateBudget, type BudgetLimits, type Clock } from '../../../src/connectors/budget.js'
import type {
  CallObserver,
  ConnectorContext,
  ConnectorLogger,
  ConnectorRuntime,
  Page,
  TargetRuntime,
} from '../../../src/connectors/contract.js'
import { MemoryCredentialStore } from '../../../src/connectors/memory-credentials.js'
import { kingdeeJdy } from '../../../src/connectors/kingdee-jdy/index.js'

export interface LogLine {
  level: string
  obj: Record<string, unknown>
  msg?: string
}

export type Observed =
  | { readonly fact: 'call'; readonly endpoint: string; readonly outcome: string }
  | { readonly fact: 'throttled'; readonly waitMs: number }
  | { readonly fact: 'budgetWait'; readonly ms: number }

export interface Harness {
  sim: JdySimulator
  runtime: ConnectorRuntime
  target: TargetRuntime
  credentials: MemoryCredentialStore
  budget: LocalRateBudget
  lines: LogLine[]
  /** What the connector reported through its CallObserver hook, in order. */
  observed: Observed[]
  connectionId: string
  /** Open a second runtime on the same simulator and credential store (a "restart"), or another connection. */
  reopen(config?: Record<string, unknown>, connectionId?: string): Promise<ConnectorRuntime>
  close(): Promise<void>
}

/** Small, fully known master data: 3 materials (one batch-managed), 2 units, 2 stores (one with bins). */
export function smallMasterData(): JdyMasterData {
  return {
    materials: [
      { id: 'M1', number: 'SKU001', name: '商品一', base_unit_id: 'U1' },
      { id: 'M2', number: 'SKU002', name: '商品二', base_unit_id: 'U1' },
      { id: 'M3', number: 'SKU003', name: '批次商品', base_unit_id: 'U2', is_batch: true },
    ],
    measureUnits: [
      { id: 'U1', number: 'pcs', name: '个' },
      { id: 'U2', number: 'box', name: '箱' },
    ],
    materialUnits: [
      { id: 'MU1', material_id: 'M1', unit_id: 'U1', is_default: true },
      { id: 'MU2', material_id: 'M2', unit_id: 'U1', is_default: true },
      { id: 'MU3', material_id: 'M3', unit_id: 'U2', is_default: true },
    ],
    stores: [
      { id: 'S1', number: 'WH1', name: '主仓' },
      { id: 'S2', number: 'WH2', name: '仓位仓', is_allow_freight: true },
    ],
  }
}

/** `n` materials, each with one unit, for paging tests. */
export function manyMaterials(n: number): JdyMasterData {
  const md = smallMasterData()
  const materials = Array.from({ length: n }, (_, i) => ({
    id: `MX${String(i + 1).padStart(4, '0')}`,
    number: `X${i + 1}`,
    name: `物料${i + 1}`,
    base_unit_id: 'U1',
  }))
  return {
    ...md,
    materials,
    materialUnits: materials.map((m, i) => ({ id: `MUX${i + 1}`, material_id: m.id, unit_id: 'U1' })),
  }
}

/** A valid bill payload for the small master data. */
export function billPayload(billNo: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bill_date: '2026-11-20',
    bill_no: billNo,
    remark: '月度盘点',
    material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 3 }],
    ...extra,
  }
}

/**
 * The budget runs on the simulator's clock, and its waits move that clock instead of sleeping, so
 * throttling tests take no real time and the simulator's rate windows roll over exactly.
 */
export function simBudgetClock(clock: SimClock): Clock {
  return {
    now: () => clock.now(),
    async sleep(ms) {
      clock.advance(Math.max(0, ms))
      await new Promise<void>((resolve) => setImmediate(resolve))
    },
  }
}

export async function startHarness(
  simOptions: JdySimulatorOptions = {},
  config: Record<string, unknown> = {},
  limits: BudgetLimits = kingdeeJdy.budget,
): Promise<Harness> {
  const clock = simOptions.clock ?? createClock()
  const sim = await startJdySimulator({ masterData: smallMasterData(), ...simOptions, clock })
  const now = () => new Date(clock.now())
  const credentials = new MemoryCredentialStore(now)
  const budgetClock = simBudgetClock(clock)
  const budget = new LocalRateBudget({ ...limits, clock: budgetClock })
  const lines: LogLine[] = []
  const log: ConnectorLogger = {
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
  }
  const observed: Observed[] = []
  const observer: CallObserver = {
    call: (endpoint, outcome) => observed.push({ fact: 'call', endpoint, outcome }),
    throttled: (waitMs) => observed.push({ fact: 'throttled', waitMs }),
    budgetWait: (ms) => observed.push({ fact: 'budgetWait', ms }),
  }
  const connectionId = `jdy-${Math.random().toString(36).slice(2)}`
  const runtimes: ConnectorRuntime[] = []
  const open = async (extra: Record<string, unknown>, id = connectionId): Promise<ConnectorRuntime> => {
    const c = sim.credentials
    const ctx: ConnectorContext = {
      connectionId: id,
      config: {
        baseUrl: sim.url,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        outerInstanceId: c.outerInstanceId,
        ...config,
        ...extra,
      },
      credentials,
      budget,
      log,
      observer,
      now,
      sleep: (ms) => budgetClock.sleep(ms),
    }
    const rt = await kingdeeJdy.open(ctx)
    runtimes.push(rt)
    return rt
  }
  const runtime = await open({})
  return {
    sim,
    runtime,
    target: runtime.target!,
    credentials,
    budget,
    lines,
    observed,
    connectionId,
    reopen: (extra = {}, id?: string) => open(extra, id),
    async close() {
      for (const r of runtimes) await r.close()
      await sim.close()
    },
  }
}

export async function collect(pages: AsyncIterable<Page>): Promise<{ rows: Record<string, unknown>[]; pages: number }> {
  const rows: Record<string, unknown>[] = []
  let n = 0
  for await (const p of pages) {
    n++
    rows.push(...(p.rows as Record<string, unknown>[]))
  }
  return { rows, pages: n }
}

/** Endpoints the simulator received, in order (`METHOD path`). */
export function calls(sim: JdySimulator): string[] {
  return sim.log.entries().map((e) => `${e.method} ${e.endpoint}`)
}

/** The simulator's book (the outerInstanceId) the harness connects to. */
export function book(x: Harness): string {
  return x.sim.credentials.outerInstanceId
}
