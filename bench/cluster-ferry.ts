/**
 * The Ferry side of the cluster scenario: a configuration as a deployment writes it (PostgreSQL,
 * `queue.redisUrl`, one JST source, M JDY books, one check-loss scheme per book), N `ferry worker`
 * processes run from dist/ (or src/ under tsx with `BENCH_ENGINE=src`), and the jobs put on the
 * queues the way `ferry scheduler`'s job schedulers put them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import pg from 'pg'
import { stringify } from 'yaml'
import { examplesDir } from '../src/cli/demo-command.js'
import { budgetKeyFor } from '../src/connectors/budget.js'
import { kingdeeJdy } from '../src/connectors/kingdee-jdy/index.js'
import { resolveConnectionConfig } from '../src/connectors/registry.js'
import { DEFAULT_RETRY_LADDER_S } from '../src/core/defaults.js'
import { queueName, type FerryJobData, type FerryJobResult, type JobKind } from '../src/queue/jobs.js'
import { jobOptions } from '../src/queue/schedule.js'
import { engineFrom } from './ipc.js'
import { jdyConnectionSettings, type Budget, type ClusterSimInfo } from './types.js'

export const LOSS = 'jst-count-to-jdy-check-loss'
export const lossId = (i: number): string => `${LOSS}-${i}`
const LEASE_TTL_S = 60

export interface ClusterFerryOptions {
  readonly sims: ClusterSimInfo
  readonly redisUrl: string
  readonly pgUrl: string
  readonly workers: number
  readonly budgets: { readonly jst: Budget; readonly jdy: Budget }
  readonly start: Date
}

export interface ClusterFerry {
  readonly prefix: string
  /** The Redis key prefix of the shared budgets (`queue.prefix` + `:`). */
  readonly budgetPrefix: string
  /** Budget key of each book's credential, in book order. */
  readonly budgetKeys: readonly string[]
  /** Put jobs on the queues and wait until every one finished; answers their results. */
  run(jobs: readonly FerryJobData[]): Promise<FerryJobResult[]>
  /** Put jobs on the queues; answers, once they are added, a promise of each one's result. */
  add(jobs: readonly FerryJobData[]): Promise<Promise<FerryJobResult>[]>
  /** Resolves once a run holds the source lease of every one of these schemes (their source jobs started). */
  sourcesRunning(schemeIds: readonly string[], timeoutMs: number): Promise<void>
  close(): Promise<void>
}

function writeConfig(o: ClusterFerryOptions, dir: string, db: string, prefix: string): string {
  const ex = examplesDir()
  const scheme = JSON.parse(readFileSync(join(ex, `${LOSS}.json`), 'utf8')) as Record<string, unknown>
  const start = o.start.toISOString()
  const lossRefs = o.sims.jdy.map((_, i) => {
    const file = join(dir, `${lossId(i)}.json`)
    writeFileSync(file, JSON.stringify({ ...scheme, id: lossId(i), name: `${String(scheme.name)} (book ${i})` }))
    return { file, start, connections: { source: 'jst', target: `jdy-${i}` } }
  })
  const { jst } = o.sims
  const file = join(dir, 'ferry.yaml')
  writeFileSync(
    file,
    stringify({
      database: { url: db },
      masterKey: { file: join(dir, 'master.key') },
      queue: { redisUrl: o.redisUrl, prefix, targetParts: o.workers },
      connections: {
        jst: {
          connector: 'jushuitan',
          budget: o.budgets.jst,
          settings: {
            baseUrl: jst.url,
            appKey: jst.appKey,
            appSecret: jst.appSecret,
            accessToken: jst.accessToken,
            refreshToken: jst.refreshToken,
          },
        },
        ...Object.fromEntries(
          o.sims.jdy.map((j, i) => [
            `jdy-${i}`,
            { connector: 'kingdee-jdy', budget: o.budgets.jdy, settings: jdyConnectionSettings(j) },
          ]),
        ),
      },
      // The master data is the same in every book (one dataset); one copy feeds the lookups.
      schemes: [
        ...['jdy-materials', 'jdy-stores'].map((s) => ({
          file: join(ex, `${s}.json`),
          start,
          connections: { source: 'jdy-0' },
        })),
        ...lossRefs,
      ],
      // As the single-process scenarios (engine-child.ts): the platform's ladder, so anything that
      // fell onto it shows in the wall time. Batches of 50 groups keep the parts' tails short.
      engine: { retryLadder: [...DEFAULT_RETRY_LADDER_S], jitter: 0.2, leaseTtlSeconds: LEASE_TTL_S, batchSize: 50 },
    }),
  )
  return file
}

/** `ferry` as users run it: the compiled CLI under plain node, or the source under tsx. */
function ferryCommand(): string[] {
  if (engineFrom() === 'src') return ['--import', 'tsx', fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url))]
  return [fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url))]
}

interface Worker {
  readonly proc: ChildProcess
  readonly exited: Promise<void>
  out: string
}

function startWorker(config: string, concurrency: number): Promise<Worker> {
  const proc = spawn(
    process.execPath,
    [...ferryCommand(), 'worker', '--config', config, '--json', '--concurrency', String(concurrency)],
    { env: { ...process.env, FERRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const w: Worker = { proc, exited: new Promise((r) => proc.on('exit', () => r())), out: '' }
  proc.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${proc.pid}] ${d.toString()}`))
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      w.out += d.toString()
      if (w.out.includes('"worker"')) resolve(w)
    })
    void w.exited.then(() => reject(new Error(`ferry worker exited before starting: ${w.out.slice(0, 500)}`)))
  })
}

async function stopWorker(w: Worker): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return
  w.proc.kill('SIGTERM')
  const t = setTimeout(() => w.proc.kill('SIGKILL'), 15_000)
  await w.exited
  clearTimeout(t)
}

export async function startClusterFerry(o: ClusterFerryOptions): Promise<ClusterFerry> {
  const suffix = randomBytes(4).toString('hex')
  const prefix = `ferry-bench-${suffix}`
  const schema = `ferry_bench_${suffix}`
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-cluster-'))
  const db = `${o.pgUrl}${o.pgUrl.includes('?') ? '&' : '?'}schema=${schema}`
  const config = writeConfig(o, dir, db, prefix)
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null })
  const events = new Map<JobKind, QueueEvents>()
  const queues = new Map<JobKind, Queue<FerryJobData>>()
  const workers: Worker[] = []
  const eventConnections: Redis[] = []
  const close = async (): Promise<void> => {
    await Promise.all(workers.map(stopWorker))
    await Promise.allSettled([...queues.values(), ...events.values()].map((q) => q.close()))
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
    redis.disconnect()
    for (const c of eventConnections) c.disconnect()
    const client = new pg.Client({ connectionString: o.pgUrl })
    await client.connect()
    await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end())
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    // The first worker creates the master key and migrates the schema; the others then start together.
    const concurrency = o.sims.jdy.length
    workers.push(await startWorker(config, concurrency))
    workers.push(...(await Promise.all(Array.from({ length: o.workers - 1 }, () => startWorker(config, concurrency)))))
  } catch (e) {
    await close()
    throw e
  }
  const queueOf = (kind: JobKind): { q: Queue<FerryJobData>; ev: QueueEvents } => {
    if (!queues.has(kind)) {
      queues.set(kind, new Queue<FerryJobData>(queueName(kind), { connection: redis, prefix }))
      const connection = redis.duplicate()
      eventConnections.push(connection)
      events.set(kind, new QueueEvents(queueName(kind), { connection, prefix }))
    }
    return { q: queues.get(kind)!, ev: events.get(kind)! }
  }
  const add = async (jobs: readonly FerryJobData[]): Promise<Promise<FerryJobResult>[]> => {
    const added = await Promise.all(
      jobs.map(async (data) => {
        const { q, ev } = queueOf(data.kind)
        await ev.waitUntilReady()
        return { job: await q.add(data.kind, data, jobOptions(LEASE_TTL_S * 1000)), ev }
      }),
    )
    return added.map(({ job, ev }) => job.waitUntilFinished(ev) as Promise<FerryJobResult>)
  }
  return {
    prefix,
    budgetPrefix: `${prefix}:`,
    budgetKeys: o.sims.jdy.map((j, i) =>
      budgetKeyFor(kingdeeJdy, resolveConnectionConfig(kingdeeJdy, jdyConnectionSettings(j)), `jdy-${i}`),
    ),
    add,
    async run(jobs) {
      return Promise.all(await add(jobs))
    },
    async sourcesRunning(schemeIds, timeoutMs) {
      const names = schemeIds.map((id) => `scheme:${id}:source`)
      const client = new pg.Client({ connectionString: o.pgUrl })
      await client.connect()
      try {
        for (const until = Date.now() + timeoutMs; Date.now() < until;) {
          const r = await client.query<{ n: string }>(
            `select count(*) as n from "${schema}".leases where name = any($1) and expires_at > $2`,
            [names, Date.now()],
          )
          if (Number(r.rows[0]?.n) === names.length) return
          await new Promise((res) => setTimeout(res, 20))
        }
        throw new Error(`the source runs of ${schemeIds.join(', ')} did not start within ${timeoutMs} ms`)
      } finally {
        await client.end()
      }
    },
    close,
  }
}
