/* eslint-disable @typescript-eslint/require-await -- in-test ports implement async functions synchronously */
/**
 * groupCalculate with records that are not ready at the same time: a header group goes to the
 * target whole or not at all, and a record that arrives after its group's document was written
 * is parked with a clear error, never marked a duplicate. Real SQLite store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { engineScheme } from '../../src/engine/adapters/scheme.js'
import { silentLogger, type EnginePorts, type EngineScheme } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { loadCompiledScheme } from '../../src/scheme/index.js'
import { openStore, type Store } from '../../src/store/index.js'
import { FakeTarget } from './support/fakes.js'
import { LineSource, SCHEME, type Line } from './support/grouped-scheme.js'

const at = () => new Date(Date.now() - 3_600_000).toISOString()
const line = (id: string, wh: string, sku: string, qty: number): Line => ({ line_id: id, wh, sku, qty, modified: at() })
const W1 = () => [line('L1', 'W1', 'A', 2), line('L2', 'W1', 'B', 1), line('L3', 'W1', 'A', 3.5)]
const W2 = () => [line('L4', 'W2', 'C', 4)]
const LATE = () => line('L5', 'W1', 'D', 7)

describe('groupCalculate when the records of a group are not ready together', () => {
  let dir: string
  let store: Store
  let ports: EnginePorts
  let scheme: EngineScheme
  let source: LineSource
  let target: FakeTarget
  let now: number

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-group-hold-'))
    store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    ports = store
    writeFileSync(join(dir, 'scheme.json'), JSON.stringify(SCHEME))
    const { compiled } = await loadCompiledScheme(join(dir, 'scheme.json'))
    scheme = engineScheme(compiled, {
      sourceConnection: 'src',
      targetConnection: 'tgt',
      start: new Date(Date.now() - 86_400_000),
      businessKeyField: 'bill_no',
      lookups: { find: async () => undefined },
    })
    source = new LineSource([...W1(), ...W2()])
    target = new FakeTarget()
    // Ahead of the store clock, which stamps new records due "now" in real time.
    now = Date.now() + 60_000
  })
  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const run = (batchSize = 100) =>
    runScheme(
      {
        ports,
        clock: { now: () => new Date(now) },
        log: silentLogger,
        batchSize,
        connections: { source: async () => source, target: async () => target, inFlight: () => 1 },
      },
      scheme,
    )
  const record = (id: string) => ports.ledger.getRecord({ schemeId: scheme.id, recordId: id })
  const billsFor = (key: string) => target.writes.filter((w) => w.key === key)

  it('holds a record that joins a group waiting for a retry, then writes the group as one document with its rows', async () => {
    target.faults.set('G-W1', ['transient'])
    await run()
    // Sent and answered 503 after the write intent: kept `unknown` (probe first) and due later.
    expect(await record('L1')).toMatchObject({ status: 'unknown', nextAttemptAt: expect.any(Date) as Date })
    expect((await record('L1'))!.nextAttemptAt!.getTime()).toBeGreaterThan(now + 1_000)
    source.lines.push(LATE())
    now += 1_000
    await run()
    expect(billsFor('G-W1')).toHaveLength(1)
    expect((await record('L5'))?.status).toBe('waiting')
    now += 86_400_000
    const summary = await run()
    expect(summary.status).toBe('ok')
    const written = billsFor('G-W1')
    expect(written).toHaveLength(2)
    expect(written[1]?.payload).toEqual({
      bill_no: 'G-W1',
      entries: [
        { material: 'A', qty: 5.5 },
        { material: 'B', qty: 1 },
        { material: 'D', qty: 7 },
      ],
    })
    const id = target.bills.get('G-W1')?.id
    for (const r of ['L1', 'L2', 'L3', 'L5']) expect(await record(r)).toMatchObject({ status: 'done', targetId: id })
  })

  it('parks a record that arrives after its group was written with ERR_GROUP_ALREADY_WRITTEN instead of marking it a duplicate', async () => {
    await run()
    const id = String(target.bills.get('G-W1')?.id)
    source.lines.push(LATE())
    now += 1_000
    const summary = await run()
    expect(summary.counters.failed).toBe(1)
    expect(billsFor('G-W1')).toHaveLength(1)
    const late = await record('L5')
    expect(late?.status).toBe('error')
    expect(late?.lastError?.code).toBe('ERR_GROUP_ALREADY_WRITTEN')
    expect(late?.lastError?.kind).toBe('data')
    expect(late?.lastError?.message).toContain('G-W1')
    expect(late?.lastError?.message).toContain(id)
    expect(summary.ledger).toEqual({ done: 4, error: 1 })
  })

  it('retries the whole document when one parked record of its group is retried', async () => {
    source.lines.push(LATE())
    target.faults.set('G-W1', ['data'])
    await run()
    for (const r of ['L1', 'L2', 'L3', 'L5']) expect((await record(r))?.status).toBe('error')
    await ports.ledger.requeue(scheme.id, { ids: ['L2'] })
    now += 1_000
    const summary = await run()
    expect(summary.ledger).toEqual({ done: 5 })
    expect(billsFor('G-W1').at(-1)?.payload.entries).toEqual([
      { material: 'A', qty: 5.5 },
      { material: 'B', qty: 1 },
      { material: 'D', qty: 7 },
    ])
  })

  it('groups records stored without a group key (before the ledger kept one) whole, whatever the batch size', async () => {
    await store.ledger.upsertSourceRecords(
      scheme.id,
      [...W1(), LATE(), ...W2()].map((l) => ({ id: l.line_id, number: l.line_id, content: { ...l } })),
    )
    source.lines = []
    const summary = await run(1)
    expect(summary.error?.code).toBeUndefined()
    expect(target.writes.map((w) => w.key).sort()).toEqual(['G-W1', 'G-W2'])
    expect(summary.ledger).toEqual({ done: 5 })
  })
})
