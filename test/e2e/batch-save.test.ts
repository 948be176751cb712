/**
 * operation batchArraySave end to end: JST count orders (JST simulator) → a batch target that
 * answers like 金蝶云星空's batchSave (simulators/batch-target), through the batch-http connector.
 * Several records per call, each settled from its row of the answer; a refused row parks only its
 * record; a call whose answer is lost is probed and nothing is written twice.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { BatchTargetSimulator } from '../../simulators/batch-target/index.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { configFor, LOSS } from './support.js'

const ID = 'jst-count-to-k3-batch'
const ROWS = 3

describe('batchArraySave end to end', () => {
  let sandbox: Sandbox
  let target: BatchTargetSimulator
  let host: Host
  let dir: string
  let expected: Map<string, { FQty: number }[]>
  let refused: string
  let lost: string
  let firstRun: Awaited<ReturnType<typeof runScheme>>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-batch-'))
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 3 * 86_400_000 - 2 * hour)
    sandbox = await startSandbox({ orders: 60, days: 3, seed: 31, start })
    // What the scheme's condition keeps: Confirmed orders (the request asks for them), loss rows only, no 包材.
    expected = new Map()
    for (const o of sandbox.jst.orders.latest()) {
      if (o.status !== 'Confirmed' || o.remark.includes('包材')) continue
      const loss = o.items.filter((i) => i.qty < 0)
      if (loss.length > 0)
        expected.set(
          String(o.io_id),
          loss.map((i) => ({ FQty: Math.abs(i.qty) })),
        )
    }
    const ids = [...expected.keys()]
    expect(ids.length).toBeGreaterThan(2 * ROWS)
    target = new BatchTargetSimulator({ token: 'sim-token-7f3a', keyField: 'FBillNo' })
    refused = ids[1]!
    lost = ids[4]!
    target.refuse.add(refused)
    target.loseAnswer.add(lost)
    const url = await target.start()

    const example = JSON.parse(readFileSync(join(examplesDir(), `${LOSS}.json`), 'utf8')) as { source: unknown }
    const scheme = {
      id: ID,
      name: '聚水潭盘点单 → 星空 batchSave',
      source: example.source,
      target: {
        connector: 'batch-http',
        metadata: {
          api: '/batchSave',
          effect: 'EXECUTE',
          method: 'POST',
          number: '1',
          id: '1',
          name: '1',
          idCheck: true,
          operation: { method: 'batchArraySave', rows: ROWS, rowsKey: 'array' },
          request: [
            { field: 'FBillNo', type: 'string', value: '{{io_id}}' },
            { field: 'FDate', type: 'string', value: '{{io_date|date}}' },
            {
              field: 'FStockId',
              type: 'string',
              value: '{{wms_co_id}}',
              parser: { name: 'ConvertObjectParser', params: 'FNumber' },
            },
            {
              field: 'FEntity',
              type: 'array',
              value: 'items',
              children: [
                {
                  field: 'FMaterialId',
                  type: 'string',
                  value: '{{items.sku_id}}',
                  parser: { name: 'ConvertObjectParser', params: 'FNumber' },
                },
                { field: 'FQty', type: 'float', value: '_function abs({{items.qty}})' },
              ],
            },
          ],
        },
      },
    }
    const file = join(dir, `${ID}.json`)
    writeFileSync(file, JSON.stringify(scheme))
    const base = configFor(sandbox, dir, start)
    host = await openHost(
      {
        ...base,
        connections: {
          ...base.connections,
          k3: { connector: 'batch-http', settings: { baseUrl: url, token: 'sim-token-7f3a' } },
        },
        schemes: [{ file, enabled: true, start }],
      },
      { log: silentLogger },
    )
    firstRun = await runScheme(host.deps, host.scheme(ID))
  }, 120_000)

  afterAll(async () => {
    await host?.close()
    await target?.close()
    await sandbox?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends several records per call, never more than rows, the array under rowsKey', () => {
    const writes = target.calls.filter((c) => c.path === '/batchSave')
    expect(writes.length).toBeGreaterThan(0)
    expect(Math.max(...writes.map((c) => c.rows))).toBe(ROWS)
    expect(writes.every((c) => c.rows <= ROWS)).toBe(true)
    expect(writes.length).toBe(Math.ceil(expected.size / ROWS))
  })

  it('writes every qualifying record exactly once, with its payload', () => {
    expect([...target.docs.keys()].sort()).toEqual([...expected.keys()].filter((id) => id !== refused).sort())
    for (const [id, lines] of expected) {
      if (id === refused) continue
      const doc = target.docs.get(id)!.doc as { FEntity: { FQty: number }[]; FStockId: unknown }
      expect(doc.FEntity.map((l) => ({ FQty: l.FQty }))).toEqual(lines)
      expect(doc.FStockId).toMatchObject({ FNumber: expect.anything() as unknown })
    }
  })

  it('settles each record from its row of the answer: a refused row parks only its record', async () => {
    const r = await host.ports.ledger.getRecord({ schemeId: ID, recordId: refused })
    expect(r?.status).toBe('error')
    expect(r?.lastError?.message).toContain(`row ${refused} refused`)
    for (const id of expected.keys()) {
      if (id === refused) continue
      const rec = await host.ports.ledger.getRecord({ schemeId: ID, recordId: id })
      expect(rec?.status, id).toBe('done')
      expect(rec?.targetId).toBe(target.docs.get(id)?.id)
    }
    expect(firstRun.counters.failed).toBe(1)
  })

  it('probes the rows of a call whose answer was lost, and writes none of them twice', async () => {
    expect(target.calls.some((c) => !c.answered)).toBe(true)
    expect((await host.ports.ledger.getRecord({ schemeId: ID, recordId: lost }))?.status).toBe('done')
    expect(firstRun.counters.probed).toBeGreaterThanOrEqual(1)
    const before = target.calls.length
    const again = await runScheme(host.deps, host.scheme(ID), { stages: ['target'] })
    expect(again.counters.written).toBe(0)
    expect(target.calls.length).toBe(before)
    expect(target.docs.size).toBe(expected.size - 1)
  })
})
