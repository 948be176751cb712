/* eslint-disable @typescript-eslint/require-await -- in-test runtimes implement async functions synchronously */
/**
 * Fencing in the engine, on a real SQLite store: a run paused past its lease stops before its
 * next write and its late outcome is refused; a lease left by a process that is gone is taken
 * over at once, its claims with it.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WriteOutcome, WriteRequest } from '../../src/connectors/contract.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import { hostIdentity, openStore, type Store } from '../../src/store/index.js'
import { doc, FakeSource, FakeTarget, lossScheme } from './support/fakes.js'

/** Stops this thread (timers included) like SIGSTOP would. */
const freeze = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

const deadPid = () =>
  Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)

const orders = () => [
  doc('IO1', '2026-11-01T05:00:00Z', [['A', -2]]),
  doc('IO2', '2026-11-01T06:00:00Z', [['A', -1]]),
  doc('IO3', '2026-11-02T07:00:00Z', [['A', -4]]),
]

describe('fencing in the engine', () => {
  let dir: string
  let store: Store
  let other: Store
  const scheme = lossScheme(new Map([['A', 'M-A']]))
  const lease = `scheme:${scheme.id}:target`

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-fencing-'))
    const url = `sqlite:${join(dir, 'ferry.db')}`
    store = await openStore({ url, masterKeyFile: join(dir, 'master.key') })
    other = await openStore({ url, masterKeyFile: join(dir, 'master.key') })
  })
  afterEach(async () => {
    await store.close()
    await other.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const deps = (target: FakeTarget, leaseTtlMs: number): EngineDeps => ({
    ports: store,
    clock: { now: () => new Date(Date.now() + 60_000) },
    log: silentLogger,
    leaseTtlMs,
    connections: { source: async () => new FakeSource(orders()), target: async () => target, inFlight: () => 1 },
    retry: { ladder: [20], jitter: 0 },
  })

  it('stops before its next write after being paused past its lease, and its late outcome is refused', async () => {
    let takenBy: string | undefined
    class PausingTarget extends FakeTarget {
      override async write(req: WriteRequest): Promise<WriteOutcome> {
        const out = await super.write(req)
        if (this.writes.length === 1) {
          // Paused after sending, past the lease (600 ms); meanwhile another worker takes it over.
          freeze(900)
          takenBy = (await other.leases.acquire(lease, 'worker-b', 60_000))?.holder
        }
        return out
      }
    }
    const target = new PausingTarget()
    await runScheme(deps(target, 60_000), scheme, { stages: ['source'] })
    const summary = await runScheme(deps(target, 600), scheme, { stages: ['target'] })
    expect(takenBy).toBe('worker-b')
    // Nothing more left this worker: one write, sent before the pause.
    expect(target.writes.map((w) => w.key)).toEqual(['IO1'])
    expect(summary.status).toBe('failed')
    expect(summary.error?.code).toBe('ERR_LEASE_LOST')
    // Its answer came back after the takeover: refused, so the record stays a write intent that
    // the new holder probes, and the others wait for the new holder.
    expect((await store.ledger.getRecord({ schemeId: scheme.id, recordId: 'IO1' }))?.status).toBe('unknown')
    expect((await store.ledger.getRecord({ schemeId: scheme.id, recordId: 'IO2' }))?.status).toBe('waiting')
    expect((await store.ledger.getRecord({ schemeId: scheme.id, recordId: 'IO3' }))?.status).toBe('waiting')
  })

  it('takes over at once the leases of a crashed process on this host, and the records it had claimed', async () => {
    const target = new FakeTarget()
    await runScheme(deps(target, 60_000), scheme, { stages: ['source'] })
    const crashed = { host: hostIdentity(), pid: deadPid() }
    await other.leases.acquire(lease, 'crashed-worker', 600_000, crashed)
    await other.ledger.claimReady(scheme.id, 10, { ttlMs: 600_000, now: new Date(Date.now() + 60_000) })
    const summary = await runScheme(deps(target, 60_000), scheme, { stages: ['target'] })
    expect(summary.status).toBe('ok')
    expect([...target.bills.keys()].sort()).toEqual(['IO1', 'IO2', 'IO3'])
  })

  it('still refuses to start while the holder on this host is alive', async () => {
    await other.leases.acquire(lease, 'paused-worker', 600_000, { host: hostIdentity(), pid: process.ppid })
    await expect(runScheme(deps(new FakeTarget(), 60_000), scheme, { stages: ['target'] })).rejects.toMatchObject({
      code: 'ERR_SCHEME_BUSY',
    })
  })
})
