/* eslint-disable @typescript-eslint/require-await -- in-test runtimes implement async functions synchronously */
/**
 * Two parts of a split target stage on one real SQLite store: a part whose claim runs out in the
 * middle of its batch loses the records to the other part, and never writes one of them again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WriteOutcome, WriteRequest } from '../../src/connectors/contract.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme, type EngineDeps, type RunSummary } from '../../src/engine/run.js'
import { openStore, type Store } from '../../src/store/index.js'
import { doc, FakeSource, FakeTarget, lossScheme } from './support/fakes.js'

const KEYS = ['IO1', 'IO2', 'IO3', 'IO4', 'IO5', 'IO6']
const orders = () => KEYS.map((k, i) => doc(k, `2026-11-01T0${i + 1}:00:00Z`, [['A', -(i + 1)]]))

describe('a split target stage whose claim runs out mid-batch', () => {
  let dir: string
  let storeA: Store
  let storeB: Store
  const scheme = lossScheme(new Map([['A', 'M-A']]))

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-split-claims-'))
    const url = `sqlite:${join(dir, 'ferry.db')}`
    storeA = await openStore({ url, masterKeyFile: join(dir, 'master.key') })
    storeB = await openStore({ url, masterKeyFile: join(dir, 'master.key') })
  })
  afterEach(async () => {
    await storeA.close()
    await storeB.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const deps = (store: Store, target: FakeTarget, holder: string, leaseTtlMs: number): EngineDeps => ({
    ports: store,
    clock: { now: () => new Date() },
    log: silentLogger,
    holder,
    leaseTtlMs,
    connections: { source: async () => new FakeSource(orders()), target: async () => target, inFlight: () => 1 },
    retry: { ladder: [20], jitter: 0 },
  })

  it('writes every record once: the slow part skips, without an error, the records the other part claimed', async () => {
    /** The target both parts write to; each request records the part that sent it. */
    const shared = new FakeTarget()
    let partB: Promise<RunSummary> | undefined
    class Part extends FakeTarget {
      constructor(
        private readonly name: string,
        private readonly slow: boolean,
      ) {
        super()
      }
      override async write(req: WriteRequest): Promise<WriteOutcome> {
        const out = await shared.write({ ...req, payload: { ...req.payload, part: this.name } })
        if (this.slow && partB === undefined) {
          // Part A is slow (its lease renewed all along) and its claim of the batch (800 ms) runs
          // out: part B starts now and claims what is left of the batch.
          await sleep(1_000)
          partB = runScheme(deps(storeB, new Part('B', false), 'worker-b', 800), scheme, {
            stages: ['target'],
            targetPart: { index: 1, of: 2 },
          })
          await partB
        }
        return out
      }
      override async probe(api: string, key: string) {
        return shared.probe(api, key)
      }
    }
    await runScheme(deps(storeA, shared, 'worker-a', 60_000), scheme, { stages: ['source'] })
    const a = await runScheme(deps(storeA, new Part('A', true), 'worker-a', 800), scheme, {
      stages: ['target'],
      targetPart: { index: 0, of: 2 },
    })
    const b = await partB!
    expect(a.status).toBe('ok')
    expect(b.status).toBe('ok')
    // One request per record, whichever part sent it: no document was written twice.
    expect(shared.writes.map((w) => w.key).sort()).toEqual(KEYS)
    expect(shared.writes.filter((w) => w.payload.part === 'B').length).toBeGreaterThan(0)
    expect(shared.writes.filter((w) => w.payload.part === 'A').map((w) => w.key)).toEqual(['IO1'])
    expect(b.ledger).toEqual({ done: 6 })
  })
})
