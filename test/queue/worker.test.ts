/**
 * `ferry worker` in this process against real Redis (a key prefix per test) and the simulators:
 * job schedulers published once however many schedulers publish, jobs run by the engine under
 * the scheme's leases, a busy tick skipped, SIGTERM-style shutdown handing a job back, and the
 * health endpoint.
 */
import { randomBytes } from 'node:crypto'
import { Queue, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { validateConfig } from '../../src/config/load.js'
import type { FerryConfig } from '../../src/config/types.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { serveHealth, workerMetrics } from '../../src/queue/health.js'
import { queueName, redactedRedisUrl, type FerryJobData, type FerryJobResult } from '../../src/queue/jobs.js'
import { publishSchedules, scheduleEntries } from '../../src/queue/schedule.js'
import type { QueueSettings } from '../../src/config/queue.js'
import { FerryWorker } from '../../src/queue/worker.js'
import { sleep } from '../chaos/processes.js'
import { actualBills, configFor, LOSS, oracle } from '../e2e/support.js'
import { allowDuplicateBillNumbers } from '../chaos/lenient-target.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dropKeys, REDIS_URL } from './support.js'

interface World {
  sb: Sandbox
  dir: string
  config: FerryConfig
  queue: QueueSettings
  host: Host
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function world(o: { targetParts?: number; jdyPerSecond?: number; batchSize?: number } = {}): Promise<World> {
  const hour = 3_600_000
  const start = new Date(Math.floor(Date.now() / hour) * hour - 3 * 86_400_000 - 2 * hour)
  const sb = await startSandbox({ orders: 40, days: 3, seed: 3, start })
  const dir = mkdtempSync(join(tmpdir(), 'ferry-queue-'))
  const queue: QueueSettings = {
    redisUrl: REDIS_URL,
    prefix: `ferry-test-${randomBytes(4).toString('hex')}`,
    targetParts: o.targetParts ?? 1,
  }
  const base = configFor(sb, dir, start)
  const jdy = base.connections.jdy!
  const config: FerryConfig = {
    ...base,
    queue,
    connections: {
      ...base.connections,
      jdy:
        o.jdyPerSecond === undefined
          ? jdy
          : { ...jdy, budget: { perSecond: o.jdyPerSecond, perMinute: o.jdyPerSecond * 60, inFlight: 1 } },
    },
    engine: { ...base.engine, leaseTtlSeconds: 5, batchSize: o.batchSize ?? base.engine.batchSize },
  }
  const host = await openHost(config, { log: silentLogger })
  cleanups.push(async () => {
    await host.close()
    await sb.close()
    await dropKeys(queue.prefix)
    rmSync(dir, { recursive: true, force: true })
  })
  for (const master of ['jdy-materials', 'jdy-stores']) await runScheme(host.deps, host.scheme(master))
  return { sb, dir, config, queue, host }
}

function queueOf(w: World, kind: FerryJobData['kind']): Queue<FerryJobData, FerryJobResult> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
  const q = new Queue<FerryJobData, FerryJobResult>(queueName(kind), { connection, prefix: w.queue.prefix })
  cleanups.push(async () => {
    await q.close()
    connection.disconnect()
  })
  return q
}

async function startWorker(w: World, o: { shutdownTimeoutMs?: number } = {}): Promise<FerryWorker> {
  const worker = await FerryWorker.start({
    host: w.host,
    queue: w.queue,
    kinds: ['source', 'target', 'remedy', 'reconcile'],
    concurrency: 1,
    log: silentLogger,
    ...(o.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: o.shutdownTimeoutMs }),
  })
  cleanups.push(() => worker.stop())
  return worker
}

async function finished(job: Job<FerryJobData, FerryJobResult>, q: Queue): Promise<Job<FerryJobData, FerryJobResult>> {
  for (let i = 0; i < 1200; i++) {
    const j = (await q.getJob(job.id!)) as Job<FerryJobData, FerryJobResult> | undefined
    const state = await j?.getState()
    if (state === 'completed' || state === 'failed') return j!
    await sleep(100)
  }
  throw new Error(`job ${job.id ?? '?'} did not finish`)
}

describe('queue settings', () => {
  const base = { database: { url: 'sqlite::memory:' }, masterKey: { file: '/tmp/k' }, connections: {}, schemes: [] }
  const opts = (env: Record<string, string> = {}) => ({ baseDir: '/tmp', env, connectors: [] })

  it('reads queue.redisUrl with its defaults, and stays single-process without it', () => {
    const ok = validateConfig({ ...base, queue: { redisUrl: '${R}' } }, opts({ R: 'redis://:pw@127.0.0.1:6379/2' }))
    expect(ok.queue).toEqual({ redisUrl: 'redis://:pw@127.0.0.1:6379/2', prefix: 'ferry', targetParts: 1 })
    expect(validateConfig(base, opts()).queue).toBeUndefined()
  })

  it('refuses a URL that is not redis, a bad part count and unknown keys, each at its path', () => {
    let err: unknown
    try {
      validateConfig({ ...base, queue: { redisUrl: 'http://x', targetParts: 0, shards: 2 } }, opts())
    } catch (e) {
      err = e
    }
    const problems = (err as { details: { problems: { code: string; location: string }[] } }).details.problems
    expect(problems.map((p) => `${p.code} ${p.location}`).sort()).toEqual([
      'ERR_CONFIG_TYPE queue.redisUrl',
      'ERR_CONFIG_TYPE queue.targetParts',
      'ERR_CONFIG_UNKNOWN_KEY queue.shards',
    ])
  })

  it('masks the Redis password wherever the URL is shown', () => {
    expect(redactedRedisUrl('redis://user:s3cret@redis:6379/2')).toBe('redis://user:***@redis:6379/2')
  })
})

describe('ferry worker on Redis', () => {
  it('publishes one job scheduler per crontab however many schedulers publish, and drops those of unloaded schemes', async () => {
    const w = await world({ targetParts: 3 })
    const q = queueOf(w, 'target')
    await q.upsertJobScheduler('gone-scheme:target', { pattern: '0 0 * * *' }, { name: 'target' })
    const a = await publishSchedules(w.host, w.queue, silentLogger)
    const b = await publishSchedules(w.host, w.queue, silentLogger)
    cleanups.push(
      () => a.close(),
      () => b.close(),
    )
    expect(a.removed).toEqual(['gone-scheme:target'])
    const ids = (await q.getJobSchedulers(0, -1)).map((s) => s.key).sort()
    expect(ids).toEqual([`${LOSS}:target:0/3`, `${LOSS}:target:1/3`, `${LOSS}:target:2/3`])
    expect(scheduleEntries(w.host, w.queue).find((e) => e.id === `${LOSS}:target:1/3`)?.data).toEqual({
      schemeId: LOSS,
      kind: 'target',
      part: { index: 1, of: 3 },
    })
    expect(await queueOf(w, 'source').getJobSchedulersCount()).toBe(3)
  })

  it('runs source and target jobs with the engine and records their runs', async () => {
    const w = await world()
    await startWorker(w)
    const source = queueOf(w, 'source')
    const s = await finished(await source.add('source', { schemeId: LOSS, kind: 'source' }), source)
    expect(s.returnvalue.status).toBe('ok')
    const target = queueOf(w, 'target')
    const t = await finished(await target.add('target', { schemeId: LOSS, kind: 'target' }), target)
    expect(t.returnvalue.status).toBe('ok')
    expect(w.sb.jdy.bills.list().length).toBeGreaterThan(0)
    const run = await w.host.store.runs.get(t.returnvalue.runId!)
    expect(run?.status).toBe('succeeded')
  })

  it('runs the newest stored version (saved by another process) from its next job on', async () => {
    const w = await world()
    await startWorker(w)
    // As the console's process saves it: straight into the store, this host is not told.
    const doc = JSON.parse((await w.host.store.schemes.getVersion(LOSS)).rawJson) as {
      target: { metadata: { request: { field: string; value: unknown }[] } }
    }
    doc.target.metadata.request.find((f) => f.field === 'remark')!.value = '{{remark}} (saved elsewhere)'
    const saved = await w.host.store.schemes.save(LOSS, JSON.stringify(doc))
    expect(w.host.running(LOSS).version).toBe(saved.version - 1)
    const source = queueOf(w, 'source')
    expect(
      (await finished(await source.add('source', { schemeId: LOSS, kind: 'source' }), source)).returnvalue.status,
    ).toBe('ok')
    const target = queueOf(w, 'target')
    expect(
      (await finished(await target.add('target', { schemeId: LOSS, kind: 'target' }), target)).returnvalue.status,
    ).toBe('ok')
    expect(w.host.running(LOSS)).toMatchObject({ version: saved.version, from: 'store' })
    const bills = w.sb.jdy.bills.list()
    expect(bills.length).toBeGreaterThan(0)
    for (const b of bills) expect(b.remark).toMatch(/ \(saved elsewhere\)$/)
  })

  it('splits a target stage: parts under leases of their own write the oracle bills once between them', async () => {
    // Small batches, so each part claims a few groups at a time and both get some.
    const w = await world({ targetParts: 2, jdyPerSecond: 5, batchSize: 4 })
    allowDuplicateBillNumbers(w.sb.jdy)
    const worker = await FerryWorker.start({
      host: w.host,
      queue: w.queue,
      kinds: ['source', 'target'],
      concurrency: 2,
      log: silentLogger,
    })
    cleanups.push(() => worker.stop())
    const source = queueOf(w, 'source')
    expect(
      (await finished(await source.add('source', { schemeId: LOSS, kind: 'source' }), source)).returnvalue.status,
    ).toBe('ok')
    const target = queueOf(w, 'target')
    const parts = await Promise.all(
      [0, 1].map((index) => target.add('target', { schemeId: LOSS, kind: 'target', part: { index, of: 2 } })),
    )
    const done = await Promise.all(parts.map((j) => finished(j, target)))
    expect(done.map((j) => j.returnvalue.status)).toEqual(['ok', 'ok'])
    // Both parts wrote: each run settled some of the records.
    for (const j of done) {
      const run = await w.host.store.runs.get(j.returnvalue.runId!)
      expect(run.counters.target?.written ?? 0, JSON.stringify(run.counters)).toBeGreaterThan(0)
    }
    const expected = oracle(w.sb.jst.orders.latest(), w.sb.dataset.jdy)
    const numbers = w.sb.jdy.bills.list().map((b) => b.bill_no)
    expect(numbers.length).toBe(new Set(numbers).size)
    expect([...actualBills(w.sb).keys()].sort()).toEqual([...expected.bills.keys()].sort())
  })

  it('skips a tick whose stage another process is running', async () => {
    const w = await world()
    await startWorker(w)
    const lease = await w.host.store.leases.acquire(`scheme:${LOSS}:source`, 'another-host:1', 60_000, {
      host: 'another-host',
      pid: 1,
    })
    expect(lease).toBeDefined()
    const q = queueOf(w, 'source')
    const j = await finished(await q.add('source', { schemeId: LOSS, kind: 'source' }), q)
    expect(j.returnvalue).toMatchObject({ status: 'skipped', code: 'ERR_SCHEME_BUSY' })
  })

  it('hands a job in progress back to the queue when it stops and the shutdown timeout passes', async () => {
    const w = await world({ jdyPerSecond: 1 })
    const worker = await startWorker(w, { shutdownTimeoutMs: 0 })
    const source = queueOf(w, 'source')
    await finished(await source.add('source', { schemeId: LOSS, kind: 'source' }), source)
    const target = queueOf(w, 'target')
    const job = await target.add('target', { schemeId: LOSS, kind: 'target' })
    for (let i = 0; i < 600 && w.sb.jdy.bills.list().length === 0; i++) await sleep(50)
    expect(worker.health().active.map((a) => a.kind)).toEqual(['target'])
    await worker.stop()
    expect(worker.health()).toMatchObject({ status: 'stopped', finished: { handed_back: 1 } })
    expect(await (await target.getJob(job.id!))?.getState()).toBe('waiting')
    // The lease was released: the job can run again at once, elsewhere.
    expect(await w.host.store.leases.holder(`scheme:${LOSS}:target`)).toBeUndefined()
  })

  it('serves its health and job metrics', async () => {
    const w = await world()
    const metrics = new Metrics({ defaultMetrics: false })
    const ref: { worker?: FerryWorker } = {}
    const onJob = workerMetrics(metrics, () => ref.worker)
    const worker = await FerryWorker.start({
      host: w.host,
      queue: w.queue,
      kinds: ['source'],
      concurrency: 2,
      log: silentLogger,
      onJob,
    })
    ref.worker = worker
    cleanups.push(() => worker.stop())
    const health = await serveHealth(worker, metrics, 0)
    cleanups.push(() => health.close())
    const q = queueOf(w, 'source')
    await finished(await q.add('source', { schemeId: LOSS, kind: 'source' }), q)
    const r = await fetch(new URL('health', health.url))
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({
      status: 'running',
      prefix: w.queue.prefix,
      kinds: ['source'],
      concurrency: 2,
      active: [],
      finished: { ok: 1 },
    })
    const m = await (await fetch(new URL('metrics', health.url))).text()
    expect(m).toContain('ferry_worker_jobs_total{kind="source",outcome="ok"} 1')
  })
})
