/**
 * `ferry demo` (what `npm start` runs): `ferry start` on an embedded default. Both simulators
 * start in this process with a seeded dataset, the store is a fresh SQLite file under ./data/,
 * and the three example schemes (JDY materials, JDY stores, count → loss) run once at once and
 * then on their crontabs until interrupted. `--once` runs each scheme once and exits (for CI).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import type { FerryConfig } from '../config/types.js'
import { defaultEngineSettings } from '../core/defaults.js'
import { openHost, type Host } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'
import { summaryText } from '../engine/report.js'
import { runScheme, type RunSummary } from '../engine/run.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { AuthService } from '../server/auth/service.js'
import { reportFailure } from './command-host.js'
import { serve } from './serve-command.js'

const DEMO_USER = 'demo'

const EXAMPLES = ['jdy-materials.json', 'jdy-stores.json', 'jst-count-to-jdy-check-loss.json']

/** The examples folder, found upward from this file (works from src/ under tsx and from dist/). */
export function examplesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'examples', EXAMPLES[2] ?? ''))) return join(dir, 'examples')
    dir = dirname(dir)
  }
  return resolve('examples')
}

/** The embedded configuration: the simulators' URLs and credentials are the only connection settings. */
export function demoConfig(sandbox: Sandbox, dataDir: string): FerryConfig {
  const info = sandbox.info()
  const dir = examplesDir()
  const start = new Date(sandbox.dataset.meta.startMs)
  return {
    file: undefined,
    baseDir: process.cwd(),
    database: { url: `sqlite:${join(dataDir, 'demo.db')}` },
    masterKey: { file: join(dataDir, 'master.key') },
    connections: {
      jst: {
        connector: 'jushuitan',
        settings: {
          baseUrl: info.jst.url,
          appKey: info.jst.appKey,
          appSecret: info.jst.appSecret,
          accessToken: info.jst.accessToken,
          refreshToken: info.jst.refreshToken,
        },
      },
      jdy: {
        connector: 'kingdee-jdy',
        settings: {
          baseUrl: info.jdy.url,
          clientId: info.jdy.clientId,
          clientSecret: info.jdy.clientSecret,
          outerInstanceId: info.jdy.outerInstanceId,
          accountId: info.jdy.accountId,
          appKey: info.jdy.appKey,
          appSecret: info.jdy.appSecret,
          domain: info.jdy.domain,
        },
      },
    },
    schemes: EXAMPLES.map((f) => ({ file: join(dir, f), enabled: true, start })),
    collections: {},
    engine: defaultEngineSettings(),
  }
}

export interface DemoOptions {
  readonly once?: boolean
  readonly orders?: number
  readonly days?: number
  readonly seed?: number
  readonly dataDir?: string
  readonly json?: boolean
  /** Port of the API and console (default 8080; any free port when it is taken). */
  readonly port?: number
}

/** Master data first, so the count → loss scheme finds its materials and stores. */
export async function runAllOnce(h: Host, print: (s: RunSummary) => void): Promise<RunSummary[]> {
  const out: RunSummary[] = []
  for (const s of h.schemes) {
    const summary = await runScheme(h.deps, s)
    print(summary)
    out.push(summary)
  }
  return out
}

export async function runDemo(o: DemoOptions): Promise<RunSummary[]> {
  const say = (t: string) => {
    if (o.json !== true) process.stdout.write(`${t}\n`)
  }
  const dataDir = resolve(o.dataDir ?? 'data')
  mkdirSync(dataDir, { recursive: true })
  // The simulators start fresh, so the demo's ledger and cursor must too.
  for (const f of ['demo.db', 'demo.db-wal', 'demo.db-shm']) rmSync(join(dataDir, f), { force: true })
  const sandbox = await startSandbox({ orders: o.orders ?? 200, days: o.days ?? 7, seed: o.seed ?? 1 })
  let host: Host | undefined
  try {
    const info = sandbox.info()
    say(
      `simulators: 聚水潭 ${info.jst.url}  金蝶云星辰 ${info.jdy.url}  (seed ${String(info.seed)}, ${info.orders} count orders ${info.range.from} → ${info.range.to})`,
    )
    say(`store: SQLite ${join(dataDir, 'demo.db')}`)
    host = await openHost(demoConfig(sandbox, dataDir), { log: createLogger() })
    say(`schemes: ${host.schemes.map((s) => s.id).join(', ')}`)
    const print = (s: RunSummary) => {
      if (o.json === true) process.stdout.write(`${JSON.stringify({ summary: s })}\n`)
      else say(summaryText(s))
    }
    const summaries = await runAllOnce(host, print)
    say(`bills in the 金蝶云星辰 simulator: ${sandbox.jdy.bills.list().length}`)
    if (o.once !== true) {
      // The service opens its own host on the same database; the demo account exists before it starts.
      await new AuthService(host.store).addUser(DEMO_USER, 'admin')
      await host.close()
      host = undefined
      say(
        `running on the schemes' schedules and serving the API; the console signs you in automatically as ${DEMO_USER} (admin), only from this machine (loopback); Ctrl-C to stop`,
      )
      await serve(demoConfig(sandbox, dataDir), {
        port: o.port ?? 8080,
        host: '127.0.0.1',
        anyPortIfTaken: true,
        ...(o.json === undefined ? {} : { json: o.json }),
        options: { autoLoginUser: DEMO_USER, metricsOnLoopback: true },
      })
    }
    return summaries
  } finally {
    await host?.close()
    await sandbox.close()
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the case-article scheme against the built-in simulators, with SQLite under ./data/')
    .option('--once', 'run each scheme once, print the summaries and exit')
    .option('--orders <n>', 'count orders to generate', '200')
    .option('--days <n>', 'days the orders spread over', '7')
    .option('--seed <n>', 'dataset seed', '1')
    .option('--data-dir <dir>', 'where the demo database and key live', 'data')
    .option('--json', 'machine-readable summaries')
    .option('--port <port>', 'port of the console and API (any free port when it is taken)', '8080')
    .action(
      async (c: {
        once?: boolean
        orders: string
        days: string
        seed: string
        dataDir: string
        json?: boolean
        port: string
      }) => {
        try {
          const summaries = await runDemo({
            orders: Number(c.orders),
            days: Number(c.days),
            seed: Number(c.seed),
            dataDir: c.dataDir,
            port: Number(c.port),
            ...(c.once === undefined ? {} : { once: c.once }),
            ...(c.json === undefined ? {} : { json: c.json }),
          })
          if (summaries.some((s) => s.status !== 'ok')) process.exitCode = 1
        } catch (e) {
          reportFailure(e, c.json === true)
        }
      },
    )
}
