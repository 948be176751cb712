import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { validateConfig } from '../../src/config/load.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { recordsText, recordText, summaryText } from '../../src/engine/report.js'
import { verifyScheme } from '../../src/proof/run.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { actualBills, oracle } from './support.js'

const MAP = 'jst-warehouse-to-jdy-store'
const SCHEME = 'count-to-loss-static-store'

interface Env {
  sandbox: Sandbox
  dir: string
  host?: Host
}

interface Started extends Env {
  start: Date
}

/** Data ends two hours before now, so the connector's safety lag never hides part of it. */
async function sandboxFor(orders: number, days: number, seed: number): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-md-'))
  const hour = 3_600_000
  const start = new Date(Math.floor(Date.now() / hour) * hour - days * 86_400_000 - 2 * hour)
  return { sandbox: await startSandbox({ orders, days, seed, start }), dir, start }
}

/** A configuration document exactly as a person would write it (collections as a key → value mapping). */
function configDoc(
  env: Env,
  schemeFiles: string[],
  collections: Record<string, Record<string, string>>,
  start: Date,
): unknown {
  const info = env.sandbox.info()
  const fast = { perSecond: 50, perMinute: 3000, inFlight: 4 }
  return {
    database: { url: `sqlite:${join(env.dir, 'ferry.db')}` },
    masterKey: { file: join(env.dir, 'master.key') },
    connections: {
      jst: {
        connector: 'jushuitan',
        budget: fast,
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
        budget: fast,
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
    schemes: schemeFiles.map((file) => ({ file, start: start.toISOString() })),
    collections,
    engine: { retryLadder: [1, 1, 1], jitter: 0, leaseTtlSeconds: 30, batchSize: 60 },
  }
}

describe('master data and static value maps, end to end through the store', () => {
  let env: Env | undefined
  afterEach(async () => {
    await env?.host?.close()
    await env?.sandbox.close()
    if (env !== undefined) rmSync(env.dir, { recursive: true, force: true })
    env = undefined
  })

  it('resolves _findCollection through a static map declared in the configuration (JST warehouse → JDY store)', async () => {
    const started = await sandboxFor(80, 5, 13)
    env = started
    const { sandbox } = started
    const stores = sandbox.dataset.jdy.stores
    expect(stores.length).toBeGreaterThan(1)
    // Map every warehouse to the *next* store, so a bill carries the map's store, never the one the number convention would give.
    const warehouses = [...new Set(sandbox.jst.orders.latest().map((o) => String(o.wms_co_id)))].sort()
    const storeIdOf = new Map(
      warehouses.map((wh) => {
        const i = stores.findIndex((s) => s.number === wh)
        return [wh, stores[(i + 1) % stores.length]!.id] as const
      }),
    )
    for (const [wh, id] of storeIdOf) expect(stores.find((s) => s.number === wh)?.id, `warehouse ${wh}`).not.toBe(id)

    interface Field {
      field: string
      value: unknown
      children?: Field[]
    }
    const scheme = JSON.parse(readFileSync(join(examplesDir(), 'jst-count-to-jdy-check-loss.json'), 'utf8')) as {
      id: string
      target: { metadata: { request: Field[] } }
    }
    scheme.id = SCHEME
    const lines = scheme.target.metadata.request.find((f) => f.field === 'material_entity')!.children!
    lines.find((c) => c.field === 'stock_id')!.value = `_findCollection find value from ${MAP} where key={{wms_co_id}}`
    const file = join(env.dir, `${SCHEME}.json`)
    writeFileSync(file, JSON.stringify(scheme))

    const config = validateConfig(
      configDoc(
        env,
        [join(examplesDir(), 'jdy-materials.json'), file],
        { [MAP]: Object.fromEntries(storeIdOf) },
        started.start,
      ),
      { baseDir: env.dir, env: {} },
    )
    env.host = await openHost(config, { log: silentLogger })
    expect(env.host.deps.batchSize).toBe(60)
    for (const s of env.host.schemes) await runScheme(env.host.deps, s)

    const expected = oracle(sandbox.jst.orders.latest(), sandbox.dataset.jdy)
    expect(expected.bills.size).toBeGreaterThan(3)
    const whOf = new Map(sandbox.jst.orders.latest().map((o) => [String(o.io_id), String(o.wms_co_id)]))
    const actual = actualBills(sandbox)
    expect([...actual.keys()].sort()).toEqual([...expected.bills.keys()].sort())
    for (const [no, bill] of expected.bills) {
      const store = storeIdOf.get(whOf.get(no)!)!
      expect(actual.get(no), `bill ${no}`).toEqual({
        ...bill,
        material_entity: bill.material_entity.map((l) => ({ ...l, stock_id: store })),
      })
    }
  }, 120_000)

  it('verify passes on a source-only master-data scheme after a run, and its summary reports the records as stored rather than waiting', async () => {
    env = await sandboxFor(20, 2, 4)
    const ex = examplesDir()
    const config = validateConfig(
      configDoc(
        env,
        [join(ex, 'jdy-materials.json'), join(ex, 'jdy-stores.json')],
        {},
        new Date(Date.now() - 86_400_000),
      ),
      { baseDir: env.dir, env: {} },
    )
    env.host = await openHost(config, { log: silentLogger })
    for (const s of env.host.schemes) {
      const summary = await runScheme(env.host.deps, s)
      expect(summary.status).toBe('ok')
      expect(summary.collection).toBe(true)
      const stored = Object.values(summary.ledger).reduce((n, c) => n + (c ?? 0), 0)
      expect(stored).toBeGreaterThan(0)
      expect(summaryText(summary)).toContain(`ledger: stored ${stored} (collection rows`)
      expect(summaryText(summary)).not.toContain('waiting')
      const rows = (await env.host.ports.ledger.listRecords(summary.schemeId, { limit: 5 })).records
      expect(recordsText(rows, true)).not.toContain('waiting')
      expect(recordsText(rows, true)).toContain('stored')
      expect(recordText(rows[0]!, true)).toMatch(/^status: stored \(a collection row/m)
      const report = await verifyScheme(env.host, s.id)
      expect(report.records).toBeGreaterThan(0)
      expect(report.violations).toEqual([])
    }
    expect((await verifyScheme(env.host, 'jdy-stores')).records).toBe(env.sandbox.dataset.jdy.stores.length)
  }, 120_000)
})
