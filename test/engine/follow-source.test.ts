/* eslint-disable @typescript-eslint/require-await -- in-test runtimes implement async functions synchronously */
/**
 * A target job started while its scheme's source job reads (another worker, another store
 * handle): with `followSource` it writes the records as they are stored and ends only once the
 * source run let go of its lease; without it, it writes what was there and ends.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import { openStore, type Store } from '../../src/store/index.js'
import { doc, FakeTarget, GatedSource, lossScheme, type FakeSource } from './support/fakes.js'

const KEYS = ['IO1', 'IO2', 'IO3', 'IO4', 'IO5', 'IO6']
const orders = () => KEYS.map((k, i) => doc(k, `2026-11-01T0${i + 1}:00:00Z`, [['A', -(i + 1)]]))

describe('a target job beside a running source job', () => {
  let dir: string
  let sourceStore: Store
  let targetStore: Store
  const scheme = lossScheme(new Map([['A', 'M-A']]))

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-follow-source-'))
    const url = `sqlite:${join(dir, 'ferry.db')}`
    sourceStore = await openStore({ url, masterKeyFile: join(dir, 'master.key') })
    targetStore = await openStore({ url, masterKeyFile: join(dir, 'master.key') })
  })
  afterEach(async () => {
    await sourceStore.close()
    await targetStore.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const deps = (store: Store, source: FakeSource, target: FakeTarget, holder: string): EngineDeps => ({
    ports: store,
    clock: { now: () => new Date() },
    log: silentLogger,
    holder,
    connections: { source: async () => source, target: async () => target, inFlight: () => 1 },
    retry: { ladder: [20], jitter: 0 },
  })

  /** Starts the source job, lets its first page be stored, then runs a target job beside it. */
  async function targetBesideSource(followSource: boolean): Promise<{ written: string[]; sourceDone: boolean }> {
    const source = new GatedSource(orders())
    const target = new FakeTarget()
    const sourceRun = runScheme(deps(sourceStore, source, new FakeTarget(), 'worker-s'), scheme, {
      stages: ['source'],
    })
    const ledger = targetStore.ledger
    while ((await ledger.counts(scheme.id)).waiting < 2) await sleep(10)
    const targetRun = runScheme(deps(targetStore, source, target, 'worker-t'), scheme, {
      stages: ['target'],
      targetPart: { index: 0, of: 1 },
      followSource,
    })
    // The source reads on while the target job runs: the rest of its pages arrive a little later.
    setTimeout(() => source.open(), 300)
    const t = await targetRun
    const sourceDone = (await Promise.race([sourceRun.then(() => true), sleep(0).then(() => false)])) === true
    await sourceRun
    expect(t.status).toBe('ok')
    return { written: [...target.bills.keys()], sourceDone }
  }

  it('with followSource, writes every record the source stores while it runs and ends after the source', async () => {
    const { written, sourceDone } = await targetBesideSource(true)
    expect(written.sort()).toEqual(KEYS)
    expect(sourceDone).toBe(true)
  })

  it('without it, writes what was stored when it started and leaves the rest to the next tick', async () => {
    const { written } = await targetBesideSource(false)
    expect(written.sort()).toEqual(['IO1', 'IO2'])
  })
})
