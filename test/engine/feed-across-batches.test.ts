/* eslint-disable @typescript-eslint/require-await -- in-memory fakes */
/**
 * The target's in-flight pool stays full across batch boundaries: the next batch is claimed while
 * the previous one's tail is still in flight, so the target never waits for a batch to drain
 * while records remain.
 */
import { describe, expect, it } from 'vitest'
import type { WriteOutcome, WriteRequest } from '../../src/connectors/contract.js'
import { silentLogger, type Clock } from '../../src/engine/ports.js'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import { sqlitePorts } from './support/sqlite-ports.js'
import { FakeSource, FakeTarget, doc, lossScheme } from './support/fakes.js'

/**
 * Holds each write until the pool is full (`limit` calls in flight at once) or, failing that, a
 * grace period: a call that had to give up waiting while records were still unsent saw the pool
 * drain with work left, which is what this test counts.
 */
class FullPoolTarget extends FakeTarget {
  inFlight = 0
  maxInFlight = 0
  started = 0
  /** Calls that ran out of grace with the pool short of full while records were still unsent. */
  drainedWithWorkLeft = 0
  private fullWaiters: (() => void)[] = []

  constructor(
    private readonly limit: number,
    private readonly total: number,
    private readonly graceMs: number,
  ) {
    super()
  }

  override async write(req: WriteRequest): Promise<WriteOutcome> {
    this.started++
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    if (this.inFlight >= this.limit) {
      const w = this.fullWaiters
      this.fullWaiters = []
      for (const f of w) f()
    } else {
      let full = false
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.fullWaiters.push(() => {
          full = true
          resolve()
        })
        timer = setTimeout(resolve, this.graceMs)
      })
      clearTimeout(timer)
      if (!full && this.started < this.total) this.drainedWithWorkLeft++
    }
    this.inFlight--
    return super.write(req)
  }
}

async function run(opts: { records: number; limit: number; batchSize: number }) {
  const clock: Clock = { now: () => new Date('2026-11-04T00:00:00Z') }
  const ports = await sqlitePorts(clock)
  const docs = Array.from({ length: opts.records }, (_, i) =>
    doc(`IO${i + 1}`, `2026-11-0${1 + (i % 3)}T${String(i % 24).padStart(2, '0')}:00:00Z`, [['A', -1]]),
  )
  const source = new FakeSource(docs, 50)
  const target = new FullPoolTarget(opts.limit, opts.records, 300)
  const deps: EngineDeps = {
    ports,
    clock,
    log: silentLogger,
    connections: { source: async () => source, target: async () => target, inFlight: () => opts.limit },
    retry: { ladder: [20], jitter: 0 },
    batchSize: opts.batchSize,
  }
  const scheme = lossScheme(new Map([['A', 'M-A']]))
  try {
    await runScheme(deps, scheme, { stages: ['source'] })
    const summary = await runScheme(deps, scheme, { stages: ['target'] })
    return { target, summary }
  } finally {
    await ports.store.close()
  }
}

describe('the in-flight pool across batch boundaries', () => {
  it('claims the next batch while the last one is in flight, so the pool never drains with records left', async () => {
    // Batches of 5 with 3 in flight: each batch ends with a tail of 2 that only a fed pool fills up.
    const { target, summary } = await run({ records: 20, limit: 3, batchSize: 5 })
    expect(summary.counters.written).toBe(20)
    expect(target.bills.size).toBe(20)
    expect(target.writes).toHaveLength(20)
    expect(target.drainedWithWorkLeft).toBe(0)
    expect(target.maxInFlight).toBe(3)
  })

  it('never has more calls in flight than the limit when batches are smaller than the pool', async () => {
    const { target, summary } = await run({ records: 12, limit: 4, batchSize: 1 })
    expect(summary.counters.written).toBe(12)
    expect(target.writes).toHaveLength(12)
    expect(target.maxInFlight).toBe(4)
    expect(target.drainedWithWorkLeft).toBe(0)
  })
})
