/* eslint-disable @typescript-eslint/require-await -- the in-test source implements async ports synchronously */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { engineScheme } from '../../src/engine/adapters/scheme.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { loadCompiledScheme } from '../../src/scheme/index.js'
import { openStore, type Store } from '../../src/store/index.js'
import { FakeTarget } from './support/fakes.js'
import { sqlitePorts } from './support/sqlite-ports.js'
import { LineSource, SCHEME, type Line } from './support/grouped-scheme.js'
import type { EnginePorts } from '../../src/engine/ports.js'

const at = () => new Date(Date.now() - 3_600_000).toISOString()
const lines = (): Line[] => [
  { line_id: 'L1', wh: 'W1', sku: 'A', qty: 2, modified: at() },
  { line_id: 'L2', wh: 'W1', sku: 'B', qty: 1, modified: at() },
  { line_id: 'L3', wh: 'W1', sku: 'A', qty: 3.5, modified: at() },
  { line_id: 'L4', wh: 'W2', sku: 'C', qty: 4, modified: at() },
  { line_id: 'L5', wh: 'W1', sku: 'D', qty: 7, modified: at() },
]

describe('groupCalculate through the target stage', () => {
  let dir: string | undefined
  let store: Store | undefined
  afterEach(async () => {
    await store?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    store = undefined
    dir = undefined
  })

  /** The scheme compiled from its file exactly as the host does, run against `ports` and a FakeTarget. */
  async function run(ports: EnginePorts, over: Record<string, unknown> = {}, batchSize?: number) {
    dir ??= mkdtempSync(join(tmpdir(), 'ferry-group-'))
    const file = join(dir, 'scheme.json')
    const doc = structuredClone(SCHEME)
    Object.assign(doc.target.metadata.groupCalculate, over)
    writeFileSync(file, JSON.stringify(doc))
    const { compiled } = await loadCompiledScheme(file)
    const scheme = engineScheme(compiled, {
      sourceConnection: 'src',
      targetConnection: 'tgt',
      start: new Date(Date.now() - 86_400_000),
      businessKeyField: 'bill_no',
      lookups: { find: async () => undefined },
    })
    const target = new FakeTarget()
    const summary = await runScheme(
      {
        ports,
        clock: { now: () => new Date() },
        log: silentLogger,
        connections: { source: async () => new LineSource(lines()), target: async () => target, inFlight: () => 1 },
        ...(batchSize === undefined ? {} : { batchSize }),
      },
      scheme,
    )
    return { summary, target, scheme }
  }

  it('writes one document per header group with one summed row per body group and settles every merged record with its document', async () => {
    const ports = await sqlitePorts()
    const { summary, target, scheme } = await run(ports)
    expect(summary.status).toBe('ok')
    expect(target.writes.map((w) => w.payload)).toEqual([
      {
        bill_no: 'G-W1',
        entries: [
          { material: 'A', qty: 5.5 },
          { material: 'B', qty: 1 },
          { material: 'D', qty: 7 },
        ],
      },
      { bill_no: 'G-W2', entries: [{ material: 'C', qty: 4 }] },
    ])
    const w1 = target.bills.get('G-W1')?.id
    const w2 = target.bills.get('G-W2')?.id
    const records = await Promise.all(
      lines().map(async (l) => ports.ledger.getRecord({ schemeId: scheme.id, recordId: l.line_id })),
    )
    expect(records.map((r) => [r?.id, r?.status, r?.targetId])).toEqual([
      ['L1', 'done', w1],
      ['L2', 'done', w1],
      ['L3', 'done', w1],
      ['L4', 'done', w2],
      ['L5', 'done', w1],
    ])
  })

  it('writes every ready record of a header group in one document even when the group is larger than engine.batchSize', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-group-'))
    store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    const { summary, target } = await run(store, {}, 2)
    expect(summary.error?.code).toBeUndefined()
    expect(target.writes.map((w) => w.payload)).toEqual([
      {
        bill_no: 'G-W1',
        entries: [
          { material: 'A', qty: 5.5 },
          { material: 'B', qty: 1 },
          { material: 'D', qty: 7 },
        ],
      },
      { bill_no: 'G-W2', entries: [{ material: 'C', qty: 4 }] },
    ])
    expect(summary.ledger).toEqual({ done: 5 })
  })

  it('splits a group larger than engine.batchSize only into its bodyMaxLine parts <key>-<n>', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-group-'))
    store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    const { summary, target } = await run(store, { bodyMaxLine: 2 }, 2)
    expect(summary.error?.code).toBeUndefined()
    expect(target.writes.map((w) => [w.payload.bill_no, w.payload.entries])).toEqual([
      [
        'G-W1',
        [
          { material: 'A', qty: 5.5 },
          { material: 'B', qty: 1 },
        ],
      ],
      ['G-W1-2', [{ material: 'D', qty: 7 }]],
      ['G-W2', [{ material: 'C', qty: 4 }]],
    ])
    expect(summary.ledger).toEqual({ done: 5 })
  })

  it('settles every record of a grouped document with its target id against the real store', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-group-'))
    store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    const { summary } = await run(store)
    expect(summary.error?.code).toBeUndefined()
    expect(summary.ledger).toEqual({ done: 5 })
  })

  it('writes every part of a bodyMaxLine split as its own document under the key <key>-<n>', async () => {
    const { target } = await run(await sqlitePorts(), { bodyMaxLine: 2 })
    expect(target.writes.map((w) => w.payload.bill_no)).toEqual(['G-W1', 'G-W1-2', 'G-W2'])
    expect(target.writes.map((w) => w.payload.entries)).toEqual([
      [
        { material: 'A', qty: 5.5 },
        { material: 'B', qty: 1 },
      ],
      [{ material: 'D', qty: 7 }],
      [{ material: 'C', qty: 4 }],
    ])
    expect(target.bills.size).toBe(3)
  })
})
