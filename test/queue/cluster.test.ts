/**
 * The acceptance case: three `ferry worker`s and one `ferry scheduler` (PostgreSQL state,
 * BullMQ on Redis, the target stage split in three parts) move the 2,000-order check-loss job;
 * one worker is SIGKILLed while it writes bills and another is stopped past its lease and
 * resumed. The JDY bills must still equal the oracle with no duplicate, and verify and reconcile
 * must be clean (test/chaos/check.ts judges all of it).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { judge } from '../chaos/check.js'
import { allowDuplicateBillNumbers } from '../chaos/lenient-target.js'
import { sleep } from '../chaos/processes.js'
import { runScheme } from '../../src/engine/run.js'
import type { Host } from '../../src/engine/host.js'
import { LOSS } from '../e2e/support.js'
import { healthOf, startCluster, type Cluster, type WorkerProcess } from './support.js'

const LEASE_TTL_S = 2

/** Progress on stderr as the test goes (a run takes minutes; a stuck one must say where). */
const note = (line: string) => process.stderr.write(`${new Date().toISOString()} cluster: ${line}\n`)

async function until(what: string, cond: () => Promise<boolean> | boolean, capMs: number): Promise<void> {
  const t0 = Date.now()
  note(`waiting for ${what}`)
  while (!(await cond())) {
    if (Date.now() - t0 > capMs) throw new Error(`gave up waiting for ${what} after ${capMs} ms`)
    await sleep(200)
  }
}

/** A worker that is running a target part of the check-loss scheme now, other than `not`. */
async function writingWorker(workers: readonly WorkerProcess[], not: readonly WorkerProcess[]) {
  for (const w of workers) {
    if (not.includes(w)) continue
    const h = await healthOf(w.health)
    if (h?.active.some((j) => j.kind === 'target' && j.schemeId === LOSS)) return w
  }
  return undefined
}

/** Records with work left (as the chaos harness counts them). */
async function pending(host: Host): Promise<number> {
  let n = 0
  for await (const r of host.store.ledger.iterateRecords(LOSS))
    if (
      r.status === 'waiting' ||
      r.status === 'queued' ||
      r.status === 'unknown' ||
      (r.status === 'error' && r.nextAttemptAt !== null)
    )
      n++
  return n
}

describe('ferry worker cluster on PostgreSQL and Redis', () => {
  let sb: Sandbox | undefined
  let cluster: Cluster | undefined
  afterEach(async () => {
    await cluster?.close()
    await sb?.close()
    cluster = undefined
    sb = undefined
  })

  it('moves the 2,000-order job exactly once with three workers, one killed and one paused past its lease', async () => {
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 30 * 86_400_000 - 2 * hour)
    sb = await startSandbox({ orders: 2000, days: 30, seed: 7, start, quotaScale: 20 })
    // A second bill with one number is stored (and counted as a duplicate) rather than refused.
    allowDuplicateBillNumbers(sb.jdy)
    const s = sb
    cluster = startCluster(s, start, {
      targetParts: 3,
      leaseTtlSeconds: LEASE_TTL_S,
      crontab: '* * * * *',
      // Slow enough per worker that the faults land while bills are being written.
      jdyBudget: { perSecond: 8, perMinute: 480, inFlight: 2 },
    })
    const c = cluster
    // Master data, loaded once as an operator would, while the workers start (the loader's host
    // created the schema's tables first). Nothing fires before the scheduler starts.
    const loader = await c.openHost()
    const started = Promise.all([c.worker(), c.worker(), c.worker()])
    try {
      for (const master of ['jdy-materials', 'jdy-stores'])
        expect((await runScheme(loader.deps, loader.scheme(master))).status).toBe('ok')
    } finally {
      await loader.close()
    }
    note('master data loaded')
    const workers = await started
    const scheduler = c.scheduler()
    for (const [i, w] of workers.entries())
      void w.child.exited.then((code) => {
        note(`worker ${i} exited ${String(code)} ${w.child.process.signalCode ?? ''}: ${w.child.stderr.slice(-1500)}`)
      })
    note(`workers started: ${workers.map((w) => w.health).join(' ')}`)
    const bills = () => s.jdy.bills.list().length

    // Fault 1: SIGKILL a worker in the middle of writing its part.
    await until('bills being written', () => bills() >= 10, 180_000)
    let killed: WorkerProcess | undefined
    await until('a worker writing bills', async () => (killed = await writingWorker(workers, [])) !== undefined, 60_000)
    killed!.child.process.kill('SIGKILL')
    const billsAtKill = bills()
    note(`killed worker ${workers.indexOf(killed!)} at ${billsAtKill} bills`)

    // Fault 2: stop another writing worker past its lease, then resume it while the others write.
    let paused: WorkerProcess | undefined
    await until(
      'another worker writing bills',
      async () => (paused = await writingWorker(workers, [killed!])) !== undefined,
      120_000,
    )
    paused!.child.process.kill('SIGSTOP')
    await sleep(LEASE_TTL_S * 1000 + 1_500)
    paused!.child.process.kill('SIGCONT')
    note(`paused and resumed worker ${workers.indexOf(paused!)}; ${bills()} bills`)

    // Convergence: the source closed the whole range and the ledger has nothing left to do.
    const host = await c.openHost()
    try {
      const scheme = host.scheme(LOSS)
      await until(
        'the ledger to settle',
        async () => {
          const cursor = await host.ports.windows.lastSyncTime(scheme.id, scheme.source.api, start)
          const left = await pending(host)
          if (Date.now() % 10_000 < 300)
            note(`cursor ${cursor?.toISOString() ?? '-'}, ${left} pending, ${bills()} bills`)
          return cursor !== undefined && cursor.getTime() >= s.dataset.meta.endMs && left === 0
        },
        300_000,
      )
      // Let the jobs in progress end, then stop the rest gracefully (SIGTERM).
      const alive = workers.filter((w) => w !== killed)
      await until(
        'the workers to go idle',
        async () => {
          for (const w of alive) if (((await healthOf(w.health))?.active.length ?? 0) > 0) return false
          return true
        },
        60_000,
      )
      for (const w of alive) w.child.process.kill('SIGTERM')
      scheduler.process.kill('SIGTERM')
      const codes = await Promise.all([...alive.map((w) => w.child.exited), scheduler.exited])
      expect(codes, alive.map((w) => w.child.stderr).join('\n')).toEqual([0, 0, 0])

      note('all stopped; judging (oracle, verify, reconcile)')
      const v = await judge(s, host, start)
      note('judged')
      console.log(
        `cluster: ${v.bills} bills (${v.expectedBills} expected, ${v.duplicates} duplicates), ${billsAtKill} written when a worker was killed`,
      )
      expect(v.problems).toEqual([])
      expect(v.duplicates).toBe(0)
      expect(v.bills).toBe(v.expectedBills)
    } finally {
      await host.close()
    }
  }, 1_200_000)
})
