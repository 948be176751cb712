/* eslint-disable @typescript-eslint/require-await -- the fake runtimes implement async ports synchronously */
/**
 * Rule: the engine calls the store's ledger, and the connector, directly. Between a stage of the
 * engine (source-stage, target-stage*, batch-writer, run) and the ledger's code there is no
 * forwarding-only layer: no adapter that converts shapes (the old store-ports ledger), no wrapper
 * that watches calls (the old cachingPorts), no Proxy (the store's error guard, the lease guard).
 *
 * While one record travels from its source window to its target outcome, the engine's clock hands
 * out times that record the call stack when the ledger reads them (it does so on entry, before its
 * first await, so the whole synchronous path from the engine is on the stack); the target records
 * the stack of the write.
 */
import { types } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WriteOutcome, WriteRequest } from '../../src/connectors/contract.js'
import { runScheme } from '../../src/engine/run.js'
import { silentLogger, type Clock } from '../../src/engine/ports.js'
import { FakeSource, FakeTarget, doc, lossScheme } from './support/fakes.js'
import { sqlitePorts } from './support/sqlite-ports.js'

/**
 * The engine's own stages (the target stage's files included) and its run summary: where a call
 * into the store starts.
 */
const ENGINE = /src\/engine\/(source-stage|target-stage(?:-[\w]+)?|batch-writer|run|scheduled)\.ts/
/** The ledger's code in the store. */
const LEDGER = /src\/store\/(ledger-[\w-]+|store)\.ts/
/** Layers that only forwarded calls; none may appear on any path. */
const FORWARDERS =
  /src\/engine\/adapters\/store-ports\.ts|src\/engine\/host\.ts|src\/engine\/lease-guard\.ts|src\/store\/guard\.ts|Proxy\./

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
    expect(types.isProxy(ports.ledger)).toBe(false)

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
    for (const p of paths) expect(p.filter((f) => !f.startsWith('src/store/'))).toEqual([])
    for (const s of stacks.filter((x) => LEDGER.test(x)))
      expect(frames(s).filter((f) => FORWARDERS.test(f))).toEqual([])

    expect(target.stacks).toHaveLength(1)
    const write = frames(target.stacks[0] ?? '')
    expect(write.filter((f) => FORWARDERS.test(f))).toEqual([])
    expect(write.find((f) => f.startsWith('src/'))).toMatch(/src\/engine\/target-stage(?:-\w+)?\.ts/)
    await ports.store.close()
  })
})
