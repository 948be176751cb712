/* eslint-disable @typescript-eslint/require-await -- in-memory fakes */
/**
 * operation batchArraySave and the target's in-flight limit: batch calls go out up to the limit at
 * once, as single writes do, and never more.
 */
import { describe, expect, it } from 'vitest'
import type { BatchWriteRequest, WriteOutcome } from '../../src/connectors/contract.js'
import { silentLogger, type Clock } from '../../src/engine/ports.js'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import { sqlitePorts } from './support/sqlite-ports.js'
import { FakeSource, FakeTarget, doc, lossScheme } from './support/fakes.js'

class CountingBatchTarget extends FakeTarget {
  inFlight = 0
  maxInFlight = 0
  calls = 0

  async writeBatch(req: BatchWriteRequest): Promise<WriteOutcome[]> {
    this.calls++
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    // Stay in flight for a few turns of the event loop, so calls the writer sends at once overlap.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    this.inFlight--
    const out: WriteOutcome[] = []
    for (const item of req.items) out.push(await this.write({ api: req.api, payload: item.payload, key: item.key }))
    return out
  }
}

async function run(limit: number) {
  const clock: Clock = { now: () => new Date('2026-11-04T00:00:00Z') }
  const ports = await sqlitePorts(clock)
  const docs = Array.from({ length: 12 }, (_, i) =>
    doc(`IO${i + 1}`, `2026-11-0${1 + (i % 3)}T0${i % 10}:00:00Z`, [['A', -1]]),
  )
  const source = new FakeSource(docs, 50)
  const target = new CountingBatchTarget()
  const deps: EngineDeps = {
    ports,
    clock,
    log: silentLogger,
    connections: { source: async () => source, target: async () => target, inFlight: () => limit },
    retry: { ladder: [20], jitter: 0 },
  }
  const base = lossScheme(new Map([['A', 'M-A']]))
  const scheme = { ...base, target: { ...base.target!, batch: { rows: 2, rowsKey: 'array' } } }
  try {
    await runScheme(deps, scheme, { stages: ['source'] })
    const summary = await runScheme(deps, scheme, { stages: ['target'] })
    return { target, summary }
  } finally {
    await ports.store.close()
  }
}

describe('batchArraySave and the in-flight limit', () => {
  it('sends batch calls up to the target in-flight limit at once, never more', async () => {
    const { target, summary } = await run(3)
    expect(summary.counters.written).toBe(12)
    expect(target.calls).toBe(6)
    expect(target.maxInFlight).toBe(3)
    expect(target.bills.size).toBe(12)
  })

  it('sends one batch call at a time when the limit is 1', async () => {
    const { target, summary } = await run(1)
    expect(summary.counters.written).toBe(12)
    expect(target.maxInFlight).toBe(1)
  })
})
