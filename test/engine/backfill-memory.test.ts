/* eslint-disable @typescript-eslint/require-await -- the synthetic target answers synchronously */
/**
 * Peak memory of a backfill, reported (not asserted): the pipeline streams pages into the real
 * store and drains them to a target, so the heap should stay flat as the order count grows.
 * Runs 5,000 orders by default; `FERRY_BENCH=1` runs the 100,000-order backfill of the issue.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Page, ReadRequest, SourceRuntime, TargetRuntime, TimeWindow } from '../../src/connectors/contract.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { openStore } from '../../src/store/index.js'
import { lossScheme } from './support/fakes.js'

const ORDERS = process.env.FERRY_BENCH === '1' ? 100_000 : 5_000
const DAY = 86_400_000
// The store stamps records with its own (real) clock, so the run uses real time too.
const START = new Date(Math.floor(Date.now() / DAY) * DAY - 31 * DAY)

/** Orders generated on demand, never held as a list. */
class SyntheticSource implements SourceRuntime {
  constructor(private readonly perDay: number) {}
  planWindows(_api: string, from: Date, to: Date): TimeWindow[] {
    const out: TimeWindow[] = []
    for (let t = from.getTime(); t < to.getTime(); t += DAY)
      out.push({ start: new Date(t), end: new Date(Math.min(t + DAY, to.getTime())) })
    return out
  }
  async *read(req: ReadRequest): AsyncIterable<Page> {
    const day = Math.round((req.window!.start.getTime() - START.getTime()) / DAY)
    for (let i = 0, p = 1; i < this.perDay; i += 50, p++) {
      const rows = Array.from({ length: Math.min(50, this.perDay - i) }, (_, k) => ({
        io_id: `${day}-${i + k}`,
        modified: req.window!.start.toISOString(),
        remark: 'bench',
        items: [
          { sku_id: 'A', qty: -1 - ((i + k) % 5) },
          { sku_id: 'B', qty: 2 },
        ],
      }))
      yield { rows, pageIndex: p, hasNext: i + 50 < this.perDay }
    }
  }
}

class CountingTarget implements TargetRuntime {
  written = 0
  async write() {
    this.written++
    return { kind: 'ok' as const, targetId: `T${this.written}`, response: { ok: true } }
  }
  async probe() {
    return { exists: false }
  }
}

function sampleHeap(): { stop(): number } {
  let peak = process.memoryUsage().heapUsed
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed)
  }, 20)
  return {
    stop: () => {
      clearInterval(t)
      return Math.max(peak, process.memoryUsage().heapUsed)
    },
  }
}

describe('backfill memory', () => {
  it(`streams a ${ORDERS.toLocaleString('en')}-order backfill through the store and reports peak heap`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-'))
    const store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    try {
      const days = 30
      const target = new CountingTarget()
      const scheme = lossScheme(
        new Map([
          ['A', 'M-A'],
          ['B', 'M-B'],
        ]),
        { schedule: { start: START } },
      )
      await store.schemes.save(scheme.id, JSON.stringify({ id: scheme.id }), { name: scheme.name })
      const base = process.memoryUsage().heapUsed
      const heap = sampleHeap()
      const summary = await runScheme(
        {
          ports: store,
          clock: { now: () => new Date() },
          log: silentLogger,
          connections: {
            source: async () => new SyntheticSource(Math.ceil(ORDERS / days)),
            target: async () => target,
            inFlight: () => 4,
          },
        },
        scheme,
        { range: { from: START, to: new Date(START.getTime() + days * DAY) } },
      )
      const peak = heap.stop()
      expect(summary.status).toBe('ok')
      expect(target.written).toBe(Math.ceil(ORDERS / days) * days)
      console.log(
        `backfill of ${target.written} orders: peak heap ${(peak / 2 ** 20).toFixed(1)} MiB (${((peak - base) / 2 ** 20).toFixed(1)} MiB above the start)`,
      )
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 600_000)
})
