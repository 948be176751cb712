/**
 * Adding a third connector, end to end: the tiny-vendor folder (a copy of batch-http's file
 * roles) registered with one line next to the builtin connectors, a scheme from its orders to its
 * invoices, run by the engine against a real HTTP fake, with a SQLite store. Nothing in Ferry was
 * changed for it: the business key, the data-quality rules and the error catalogue come from the
 * folder's declaration.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_CONNECTORS } from '../../../src/connectors/builtin.js'
import type { ConnectorCallObserver } from '../../../src/connectors/contract.js'
import { openHost, type Host } from '../../../src/engine/host.js'
import { silentLogger } from '../../../src/engine/ports.js'
import { runScheme } from '../../../src/engine/run.js'
import { FakeVendor, type TinyOrder } from './fake-vendor.js'
import { tinyVendor } from './index.js'

const connectors = [...BUILTIN_CONNECTORS, tinyVendor] // the one registration line

const ID = 'tiny-orders-to-invoices'
const KEY = 'tiny-key-5e1c'

const scheme = {
  id: ID,
  name: 'Tiny orders → tiny invoices',
  source: {
    connector: 'tiny-vendor',
    metadata: {
      api: '/orders',
      effect: 'QUERY',
      method: 'GET',
      number: 'order_no',
      id: 'order_no',
      name: 'order_no',
      idCheck: true,
      request: [{ field: 'status', type: 'string', value: 'open' }],
    },
  },
  target: {
    connector: 'tiny-vendor',
    metadata: {
      api: '/invoices',
      effect: 'EXECUTE',
      method: 'POST',
      number: '1',
      id: '1',
      name: '1',
      idCheck: true,
      request: [
        { field: 'number', type: 'string', value: 'INV-{{order_no}}' },
        { field: 'customer', type: 'string', value: '{{customer}}' },
        { field: 'amount', type: 'float', value: '{{total}}' },
      ],
    },
  },
}

describe('a third connector added by copying a folder (docs/connectors/README.md)', () => {
  const orders: TinyOrder[] = [
    { order_no: 'A1', customer: 'Acme', total: 120.5, status: 'open' },
    { order_no: 'A2', customer: 'Bolt', total: 0, status: 'open' },
    { order_no: 'A3', customer: 'Acme', total: 8, status: 'open' },
    { order_no: 'A4', customer: 'Core', total: 33, status: 'closed' },
    { order_no: 'A5', customer: 'Dune', total: 41, status: 'open' },
  ]
  const vendor = new FakeVendor(KEY, orders)
  const calls: string[] = []
  const observer: ConnectorCallObserver = {
    onCall: (connector, endpoint, outcome) => calls.push(`${connector} ${endpoint} ${outcome}`),
    onThrottled: () => undefined,
    onBudgetWait: () => undefined,
  }
  let dir: string
  let host: Host
  let first: Awaited<ReturnType<typeof runScheme>>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-tiny-'))
    const url = await vendor.start()
    const file = join(dir, `${ID}.json`)
    writeFileSync(file, JSON.stringify(scheme))
    host = await openHost(
      {
        file: undefined,
        baseDir: dir,
        database: { url: `sqlite:${join(dir, 'ferry.db')}` },
        masterKey: { file: join(dir, 'master.key') },
        connections: { tiny: { connector: 'tiny-vendor', settings: { baseUrl: url, apiKey: KEY } } },
        schemes: [{ file, enabled: true }],
        collections: {},
        engine: { retryLadder: [1, 1, 1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
      },
      { log: silentLogger, connectors, calls: observer },
    )
    first = await runScheme(host.deps, host.scheme(ID))
  }, 60_000)

  afterAll(async () => {
    await host?.close()
    await vendor.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads every page of the source through the new connector, with its settings defaults', () => {
    const reads = vendor.calls.filter((c) => c.startsWith('GET /orders'))
    // Four open orders at the declared default of two per page.
    expect(reads).toEqual(['GET /orders?status=open&page=1&size=2', 'GET /orders?status=open&page=2&size=2'])
  })

  it('writes each qualifying record once, keyed by the business key field the connector declares', async () => {
    expect([...vendor.invoices.keys()].sort()).toEqual(['INV-A1', 'INV-A3', 'INV-A5'])
    expect(vendor.invoices.get('INV-A1')?.doc).toEqual({ number: 'INV-A1', customer: 'Acme', amount: 120.5 })
    const rec = await host.ports.ledger.getRecord({ schemeId: ID, recordId: 'A1' })
    expect(rec?.status).toBe('done')
    expect(rec?.targetId).toBe(vendor.invoices.get('INV-A1')?.id)
    expect(first.counters.written).toBe(3)
  })

  it("parks a record that breaks the connector's own data-quality rule, without sending it", async () => {
    const rec = await host.ports.ledger.getRecord({ schemeId: ID, recordId: 'A2' })
    expect(rec?.status).toBe('error')
    expect(rec?.lastError?.code).toBe('ERR_QUANTITY_NOT_POSITIVE')
    expect(vendor.invoices.has('INV-A2')).toBe(false)
    expect(vendor.calls.filter((c) => c.startsWith('POST /invoices'))).toHaveLength(3)
  })

  it("settles a re-sent invoice from the connector's error catalogue as already existing", async () => {
    const target = await host.deps.connections.target('tiny')
    const out = await target.write({ api: '/invoices', key: 'INV-A1', payload: { number: 'INV-A1', amount: 1 } })
    expect(out).toMatchObject({ kind: 'already_exists', vendorCode: 'DUPLICATE' })
    expect(await target.probe('/invoices', 'INV-A1')).toMatchObject({ exists: true, targetId: 'inv-1' })
  })

  it('reports its calls through the call-observer hook under its own name', () => {
    expect(calls).toContain('tiny-vendor /orders 2xx')
    expect(calls).toContain('tiny-vendor /invoices 2xx')
    expect(calls.every((c) => c.startsWith('tiny-vendor '))).toBe(true)
  })
})
