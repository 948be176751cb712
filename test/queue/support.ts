/**
 * A Ferry cluster for the queue tests: the simulators in this process, and `ferry scheduler` plus
 * N `ferry worker` child processes sharing a fresh PostgreSQL schema and a Redis key prefix of
 * their own (real Redis at 127.0.0.1:6379, or FERRY_TEST_REDIS_URL).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { stringify } from 'yaml'
import { examplesDir } from '../../src/cli/demo-command.js'
import { loadConfig } from '../../src/config/load.js'
import { BUILTIN_CONNECTORS } from '../../src/connectors/builtin.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import type { Sandbox } from '../../simulators/sandbox.js'
import { LOSS } from '../e2e/support.js'
import { REAL_BIN, spawnFerry, sleep, type Child } from '../chaos/processes.js'
import { PG_URL } from '../store/harness.js'

export const REDIS_URL = process.env.FERRY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface ClusterOptions {
  readonly targetParts: number
  readonly leaseTtlSeconds: number
  /** The check-loss scheme's source and target crontab (five fields). */
  readonly crontab: string
  /** The JDY connection's budget (slow enough that faults land while bills are written). */
  readonly jdyBudget: { perSecond: number; perMinute: number; inFlight: number }
}

export interface Cluster {
  readonly dir: string
  readonly config: string
  readonly prefix: string
  readonly schema: string
  readonly env: Record<string, string>
  openHost(): Promise<Host>
  /** Start `ferry worker`; resolves once it printed its start line (with its health URL). */
  worker(extra?: readonly string[]): Promise<WorkerProcess>
  scheduler(): Child
  close(): Promise<void>
}

export interface WorkerProcess {
  readonly child: Child
  readonly health: string
}

export function clusterConfig(sb: Sandbox, dir: string, start: Date, o: ClusterOptions, db: string, prefix: string) {
  const info = sb.info()
  const ex = examplesDir()
  const loss = join(dir, `${LOSS}.json`)
  const scheme = JSON.parse(readFileSync(join(ex, `${LOSS}.json`), 'utf8')) as Record<string, unknown>
  const schedule = { ...(scheme.schedule as object), source: { crontab: o.crontab }, target: { crontab: o.crontab } }
  writeFileSync(loss, JSON.stringify({ ...scheme, schedule, retry: { ladder: [1, 1, 1, 1, 1], jitter: 0 } }))
  const file = join(dir, 'ferry.yaml')
  writeFileSync(
    file,
    stringify({
      database: { url: db },
      masterKey: { file: join(dir, 'master.key') },
      queue: { redisUrl: '${TEST_REDIS_URL}', prefix, targetParts: o.targetParts },
      connections: {
        jst: {
          connector: 'jushuitan',
          budget: { perSecond: 100, perMinute: 2000, inFlight: 4 },
          settings: {
            baseUrl: info.jst.url,
            appKey: info.jst.appKey,
            appSecret: '${TEST_JST_SECRET}',
            accessToken: info.jst.accessToken,
            refreshToken: info.jst.refreshToken,
          },
        },
        jdy: {
          connector: 'kingdee-jdy',
          budget: o.jdyBudget,
          settings: {
            baseUrl: info.jdy.url,
            clientId: info.jdy.clientId,
            clientSecret: '${TEST_JDY_SECRET}',
            outerInstanceId: info.jdy.outerInstanceId,
            accountId: info.jdy.accountId,
          },
        },
      },
      schemes: [join(ex, 'jdy-materials.json'), join(ex, 'jdy-stores.json'), loss].map((f) => ({
        file: f,
        start: start.toISOString(),
      })),
      // Batches small enough to finish well within a part's claim (ten lease TTLs, docs/deploy.md).
      engine: { retryLadder: [1, 1, 1, 1, 1], jitter: 0, leaseTtlSeconds: o.leaseTtlSeconds, batchSize: 10 },
    }),
  )
  return file
}

export function startCluster(sb: Sandbox, start: Date, o: ClusterOptions): Cluster {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cluster-'))
  const suffix = randomBytes(4).toString('hex')
  const schema = `ferry_cluster_${suffix}`
  const prefix = `ferry-test-${suffix}`
  const db = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`
  const config = clusterConfig(sb, dir, start, o, db, prefix)
  const env = {
    TEST_JST_SECRET: sb.info().jst.appSecret,
    TEST_JDY_SECRET: sb.info().jdy.clientSecret,
    TEST_REDIS_URL: REDIS_URL,
    FERRY_LOG_LEVEL: 'warn',
  }
  const children: Child[] = []
  return {
    dir,
    config,
    prefix,
    schema,
    env,
    openHost: () =>
      openHost(
        loadConfig({
          path: config,
          env: { ...process.env, ...env },
          connectors: BUILTIN_CONNECTORS.map((c) => ({ name: c.name, config: c.config })),
        }),
        { log: silentLogger },
      ),
    async worker(extra = []) {
      const child = spawnFerry(
        REAL_BIN,
        ['worker', '--config', config, '--json', '--health-port', '0', '--shutdown-timeout', '5', ...extra],
        env,
      )
      children.push(child)
      for (let i = 0; i < 2400; i++) {
        const line = child.stdout.split('\n').find((l) => l.includes('"health"'))
        if (line !== undefined) return { child, health: (JSON.parse(line) as { health: string }).health }
        if (child.process.exitCode !== null) break
        await sleep(50)
      }
      throw new Error(`ferry worker did not start: ${child.stdout.slice(0, 500)} ${child.stderr.slice(0, 2000)}`)
    },
    scheduler() {
      const child = spawnFerry(REAL_BIN, ['scheduler', '--config', config, '--json'], env)
      children.push(child)
      return child
    },
    async close() {
      for (const c of children) {
        if (c.process.exitCode !== null || c.process.signalCode !== null) continue
        c.process.kill('SIGCONT')
        c.process.kill('SIGKILL')
        await c.exited
      }
      await dropKeys(prefix)
      await dropSchema(schema)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** What a worker's GET /health says, or undefined while it does not answer (stopped, killed). */
export async function healthOf(
  url: string,
): Promise<
  | { status: string; active: { kind: string; schemeId: string; part?: string }[]; finished: Record<string, number> }
  | undefined
> {
  try {
    const r = await fetch(new URL('health', url), { signal: AbortSignal.timeout(500) })
    return (await r.json()) as never
  } catch {
    return undefined
  }
}

export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  try {
    await client.connect()
    await client.query(`drop schema if exists "${schema}" cascade`)
  } catch {
    /* best effort: a leftover test schema harms nothing */
  } finally {
    await client.end().catch(() => undefined)
  }
}
