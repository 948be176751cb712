/**
 * Shared set-up for the end-to-end suites: both simulators on a seeded dataset, a Ferry host
 * on a temporary SQLite file configured exactly as production would be (connection settings
 * only), and an oracle computed from the generated data, independently of the engine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { FerryConfig } from '../../src/config/types.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import type { Dataset, JstCountOrder } from '../../simulators/data/types.js'

export const LOSS = 'jst-count-to-jdy-check-loss'

export interface World {
  readonly sandbox: Sandbox
  readonly dir: string
  readonly config: FerryConfig
  host: Host
  reopen(): Promise<Host>
  close(): Promise<void>
}

export function configFor(sandbox: Sandbox, dir: string, start: Date, quotaScale = 1): FerryConfig {
  const info = sandbox.info()
  const ex = examplesDir()
  // Budgets as a user sets them: the vendor's quota (scaled like the simulators' in a large test).
  const jstBudget =
    quotaScale === 1
      ? { perSecond: 50, perMinute: 3000, inFlight: 4 }
      : { perSecond: 5 * quotaScale, perMinute: 100 * quotaScale, inFlight: 4 }
  const jdyBudget =
    quotaScale === 1
      ? { perSecond: 50, perMinute: 3000, inFlight: 4 }
      : { perSecond: Math.ceil((500 * quotaScale) / 60), perMinute: 500 * quotaScale, inFlight: 8 }
  return {
    file: undefined,
    baseDir: dir,
    database: { url: `sqlite:${join(dir, 'ferry.db')}` },
    masterKey: { file: join(dir, 'master.key') },
    connections: {
      jst: {
        connector: 'jushuitan',
        budget: jstBudget,
        settings: {
          baseUrl: info.jst.url,
          appKey: info.jst.appKey,
          appSecret: info.jst.appSecret,
          accessToken: info.jst.accessToken,
          refreshToken: info.jst.refreshToken,
        },
      },
      jdy: {
        connector: 'kingdee-jdy',
        budget: jdyBudget,
        settings: {
          baseUrl: info.jdy.url,
          clientId: info.jdy.clientId,
          clientSecret: info.jdy.clientSecret,
          outerInstanceId: info.jdy.outerInstanceId,
          accountId: info.jdy.accountId,
          appKey: info.jdy.appKey,
          appSecret: info.jdy.appSecret,
          domain: info.jdy.domain,
        },
      },
    },
    schemes: ['jdy-materials.json', 'jdy-stores.json', 'jst-count-to-jdy-check-loss.json'].map((f) => ({
      file: join(ex, f),
      enabled: true,
      start,
    })),
    collections: {},
    engine: { retryLadder: [1, 1, 1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
  }
}

/** Data ends two hours before now, so the connector's safety lag never hides part of it. */
export async function world(opts: { orders: number; days: number; seed: number; quotaScale?: number }): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'))
  const hour = 3_600_000
  const start = new Date(Math.floor(Date.now() / hour) * hour - opts.days * 86_400_000 - 2 * hour)
  const sandbox = await startSandbox({
    orders: opts.orders,
    days: opts.days,
    seed: opts.seed,
    start,
    ...(opts.quotaScale === undefined ? {} : { quotaScale: opts.quotaScale }),
  })
  const config = configFor(sandbox, dir, start, opts.quotaScale)
  const w: World = {
    sandbox,
    dir,
    config,
    host: await openHost(config, { log: silentLogger }),
    async reopen() {
      await w.host.close()
      w.host = await openHost(config, { log: silentLogger })
      return w.host
    },
    async close() {
      await w.host.close()
      await sandbox.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return w
}

export interface ExpectedLine {
  material_id: string
  unit_id: string
  stock_id: string
  qty: string
}
export interface ExpectedBill {
  bill_no: string
  bill_date: string
  remark: string
  material_entity: ExpectedLine[]
}

const dec = (n: number) => String(Math.abs(n))

/**
 * The oracle: one bill per Confirmed count order that has loss rows (qty < 0) and no 包材
 * remark; only loss rows, as positive quantities; JDY material/unit by sku number, JDY store by
 * String(wms_co_id). Orders touching a sku without a JDY material are expected to be parked.
 */
export function oracle(
  orders: readonly JstCountOrder[],
  jdy: Dataset['jdy'],
): { bills: Map<string, ExpectedBill>; parked: Map<string, string[]> } {
  const bills = new Map<string, ExpectedBill>()
  const parked = new Map<string, string[]>()
  for (const o of orders) {
    if (o.status !== 'Confirmed' || o.remark.includes('包材')) continue
    const loss = o.items.filter((i) => i.qty < 0)
    if (loss.length === 0) continue
    const missing = loss.map((i) => i.sku_id).filter((sku) => !jdy.materials.some((m) => m.number === sku))
    if (missing.length > 0) {
      parked.set(String(o.io_id), missing)
      continue
    }
    const store = jdy.stores.find((s) => s.number === String(o.wms_co_id))
    bills.set(String(o.io_id), {
      bill_no: String(o.io_id),
      bill_date: o.io_date.slice(0, 10),
      remark: o.remark,
      material_entity: loss.map((i) => {
        const m = jdy.materials.find((x) => x.number === i.sku_id)!
        return { material_id: m.id, unit_id: m.base_unit_id, stock_id: store?.id ?? '(no store)', qty: dec(i.qty) }
      }),
    })
  }
  return { bills, parked }
}

/** What the JDY simulator holds, in the oracle's shape. */
export function actualBills(sandbox: Sandbox): Map<string, ExpectedBill> {
  const out = new Map<string, ExpectedBill>()
  for (const b of sandbox.jdy.bills.list()) {
    out.set(b.bill_no, {
      bill_no: b.bill_no,
      bill_date: b.bill_date,
      remark: b.remark,
      material_entity: b.material_entity.map((l) => ({
        material_id: l.material_id,
        unit_id: l.unit_id,
        stock_id: l.stock_id,
        qty: l.qty,
      })),
    })
  }
  return out
}

export async function runAll(w: World): Promise<void> {
  const { runScheme } = await import('../../src/engine/run.js')
  for (const s of w.host.schemes) await runScheme(w.host.deps, s)
}

/** A YAML configuration file for the sandbox; secrets come from TEST_JST_SECRET / TEST_JDY_SECRET. */
export function writeConfig(sandbox: Sandbox, dir: string, start: Date): string {
  const info = sandbox.info()
  const ex = examplesDir()
  const file = join(dir, 'ferry.yaml')
  writeFileSync(
    file,
    stringify({
      database: { url: `sqlite:${join(dir, 'ferry.db')}` },
      masterKey: { file: join(dir, 'master.key') },
      connections: {
        jst: {
          connector: 'jushuitan',
          budget: { perSecond: 50, perMinute: 3000, inFlight: 2 },
          settings: {
            baseUrl: info.jst.url,
            appKey: info.jst.appKey,
            appSecret: '${TEST_JST_SECRET}',
            accessToken: info.jst.accessToken,
            refreshToken: info.jst.refreshToken,
          },
        },
        jdy: {
          connector: 'kingdee-jdy',
          budget: { perSecond: 50, perMinute: 3000, inFlight: 2 },
          settings: {
            baseUrl: info.jdy.url,
            clientId: info.jdy.clientId,
            clientSecret: '${TEST_JDY_SECRET}',
            outerInstanceId: info.jdy.outerInstanceId,
            accountId: info.jdy.accountId,
            appKey: info.jdy.appKey,
            appSecret: info.jdy.appSecret,
            domain: info.jdy.domain,
          },
        },
      },
      schemes: ['jdy-materials.json', 'jdy-stores.json', 'jst-count-to-jdy-check-loss.json'].map((f) => ({
        file: join(ex, f),
        start: start.toISOString(),
      })),
      engine: { retryLadder: [1, 1, 1], jitter: 0, leaseTtlSeconds: 2 },
    }),
  )
  return file
}
