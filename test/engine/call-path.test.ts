/* eslint-disable @typescript-eslint/require-await -- the fake runtimes implement async ports synchronously */
/**
 * Rule: the engine calls the store, and the connector, directly. Between a stage of the engine
 * (source-stage, target-stage*, batch-writer, run) and the store's code (the ledger, and the
 * windows, leases, pause state and runs it is also handed) there is no forwarding-only layer: no
 * adapter that converts shapes (the old store-ports), no wrapper that watches calls (the old
 * cachingPorts), no Proxy (the store's old error guard, the lease guard).
 *
 * While one record travels from its source window to its target outcome, the engine's clock hands
 * out times that record the call stack when the store reads them (it does so on entry, before its
 * first await, so the whole synchronous path from the engine is on the stack); the target records
 * the stack of the write. The host hands the engine the store object itself, and no file of
 * src/engine/adapters nor any Proxy stands between them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { types } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WriteOutcome, WriteRequest } from '../../src/connectors/contract.js'
import { openHost } from '../../src/engine/host.js'
import { runScheme } from '../../src/engine/run.js'
import { silentLogger, type Clock } from '../../src/engine/ports.js'
import { ROOT, importGraph } from '../architecture/import-graph.js'
import { FakeSource, FakeTarget, doc, lossScheme } from './support/fakes.js'
import { sqlitePorts } from './support/sqlite-ports.js'

/**
 * The engine's own stages (the target stage's files included) and its run bookkeeping: where a
 * call into the store starts.
 */
const ENGINE = /src\/engine\/(source-stage|target-stage(?:-[\w]+)?|batch-writer|run|run-end|scheduled)\.ts/
/** The store's code the engine calls: the ledger, closed windows, leases, pause state and runs. */
const LEDGER = /src\/store\/(ledger-[\w-]+|store|windows|leases|schemes|runs)\.ts/
/** Layers that only forwarded calls; none may appear on any path. */
const FORWARDERS =
  /src\/engine\/adapters\/|src\/engine\/host\.ts|src\/engine\/lease-guard\.ts|src\/store\/guard\.ts|Proxy\./

/** The source files a stack passes through, innermost first (node internals and libraries dropped). */
function frames(stack: string): string[] {
  return stack
    .split('\n')
    .slice(1)
    .map((l) => /(src\/[\w/.-]+\.ts)/.exec(l)?.[1] ?? (l.includes('Proxy.') ? 'Proxy.' : ''))
    .filter((f) => f !== '')
}

/** What lies between the innermost ledger frame and the first engine-stage frame above it. */
function between(fs: readonly string[]): string[] | undefined {
  const inner = fs.findIndex((f) => LEDGER.test(f))
  if (inner < 0) return undefined
  const outer = fs.findIndex((f, i) => i > inner && ENGINE.test(f))
  if (outer < 0) return undefined
  return fs.slice(inner, outer)
}

class RecordingTarget extends FakeTarget {
  readonly stacks: string[] = []
  override async write(req: WriteRequest): Promise<WriteOutcome> {
    this.stacks.push(new Error('write').stack ?? '')
    return super.write(req)
  }
}

describe('the call path from the engine to the store', () => {
  const limit = Error.stackTraceLimit
  beforeAll(() => {
    Error.stackTraceLimit = 200
  })
  afterAll(() => {
    Error.stackTraceLimit = limit
  })

  it('has no forwarding-only layer between engine and ledger, nor between engine and connector', async () => {
    const stacks: string[] = []
    /** A time that notes who reads it. */
    class Stamped extends Date {
      override getTime(): number {
        stacks.push(new Error('read a time').stack ?? '')
        return super.getTime()
      }
    }
    const at = Date.parse('2026-11-04T00:00:00Z')
    const clock: Clock = { now: () => new Stamped(at) }
    const scheme = lossScheme(new Map([['A', 'M-A']]))
    const ports = await sqlitePorts(clock, [scheme])
    const target = new RecordingTarget()
    const source = new FakeSource([doc('IO1', '2026-11-01T05:00:00Z', [['A', -2]])])
    for (const port of [ports.ledger, ports.windows, ports.leases, ports.schemes, ports.runs])
      expect(types.isProxy(port)).toBe(false)

    const summary = await runScheme(
      {
        ports,
        clock,
        log: silentLogger,
        connections: { source: async () => source, target: async () => target, inFlight: () => 1 },
      },
      scheme,
    )
    expect(summary.counters.written).toBe(1)

    const paths = stacks
      .map(frames)
      .map(between)
      .filter((p): p is string[] => p !== undefined)
    // The record went window → ledger (upsert) → claim → write intent: each read the engine's time on entry.
    const from = (stage: RegExp) =>
      stacks.map(frames).filter((fs) => between(fs) !== undefined && fs.some((f) => stage.test(f)))
    expect(from(/source-stage\.ts/).length).toBeGreaterThan(0)
    expect(from(/target-stage(?:-\w+)?\.ts/).length).toBeGreaterThan(0)
    // The run took its leases from the store directly too, stamped on the same clock. (Runs and
    // windows read the time inside their queued write transaction, off the engine's stack: the
    // host test below shows they are the store's own objects.)
    const reached = (file: RegExp) => paths.filter((p) => file.test(p[0] ?? '')).length
    expect(reached(/src\/store\/leases\.ts/)).toBeGreaterThan(0)
    for (const p of paths) expect(p.filter((f) => !f.startsWith('src/store/'))).toEqual([])
    for (const s of stacks.filter((x) => LEDGER.test(x)))
      expect(frames(s).filter((f) => FORWARDERS.test(f))).toEqual([])

    expect(target.stacks).toHaveLength(1)
    const write = frames(target.stacks[0] ?? '')
    expect(write.filter((f) => FORWARDERS.test(f))).toEqual([])
    expect(write.find((f) => f.startsWith('src/'))).toMatch(/src\/engine\/target-stage(?:-\w+)?\.ts/)
    await ports.store.close()
  })

  it('is handed the store object itself by the host, not ports made over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-call-path-'))
    try {
      const host = await openHost(
        {
          file: undefined,
          baseDir: dir,
          database: { url: `sqlite:${join(dir, 'ferry.db')}` },
          masterKey: { file: join(dir, 'master.key') },
          connections: {},
          collections: {},
          schemes: [],
          engine: { retryLadder: [1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
        },
        { log: silentLogger },
      )
      try {
        expect(host.ports).toBe(host.store)
        expect(types.isProxy(host.store)).toBe(false)
        const fenced = host.ports.fenced({ lease: 'l', token: 1 })
        expect(fenced.runs).toBe(host.store.runs)
        expect(types.isProxy(fenced.ledger)).toBe(false)
      } finally {
        await host.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('has no adapter file over the store and no Proxy in the engine or the store', () => {
    const graph = importGraph()
    const adapters = [...graph.entries()].filter(([f]) => f.startsWith('src/engine/adapters/'))
    expect(adapters.length).toBeGreaterThan(0)
    for (const [file, imports] of adapters)
      expect({ file, store: imports.filter((i) => i.startsWith('src/store/')) }).toEqual({ file, store: [] })
    const proxies = [...graph.keys()]
      .filter((f) => /^src\/(engine|store)\//.test(f))
      .filter((f) => /\bnew Proxy\b|\bProxy\.revocable\b/.test(readFileSync(join(ROOT, f), 'utf8')))
    expect(proxies).toEqual([])
  })
})
