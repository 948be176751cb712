/**
 * One chaos seed end to end: both simulators on a small seeded dataset (in this process), Ferry
 * as `ferry run` child processes on a YAML config and a temporary SQLite file (or a fresh
 * PostgreSQL schema), the seed's fault rounds (each possibly ending in SIGKILL) or the
 * pause-past-lease fault (pause.ts), then quiet rounds without faults until the ledger has
 * nothing left to do, then the pass criterion (check.ts).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { stringify } from 'yaml'
import { loadConfig } from '../../src/config/load.js'
import { BUILTIN_CONNECTORS } from '../../src/connectors/builtin.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { LOSS } from '../e2e/support.js'
import { PG_URL } from '../store/harness.js'
import { judge } from './check.js'
import { allowDuplicateBillNumbers } from './lenient-target.js'
import { REAL_BIN, runToExit, sleep, spawnFerry, summaryOf } from './processes.js'
import { describePause, pausePlan, pauseRound } from './pause.js'
import { chaosPlan, COUNT, describePlan, JDY_TIMEOUT_MS, SAVE_PATH, type ChaosPlan, type Round } from './schedule.js'

export interface SeedOptions {
  /** The `ferry` entry point under test (default the real CLI). */
  readonly bin?: string
  /** `strict`: JDY refuses a second bill with the same number (as the real one does); `lenient`: it stores it (lenient-target.ts). */
  readonly target?: 'strict' | 'lenient'
  readonly orders?: number
  readonly days?: number
  readonly rounds?: number
  /** `schedule` (default): the seed's random fault rounds; `pause`: the pause-past-lease fault (pause.ts). */
  readonly fault?: 'schedule' | 'pause'
  /** The store of the Ferry processes (default sqlite; postgres: a fresh schema at FERRY_TEST_PG_URL). */
  readonly database?: 'sqlite' | 'postgres'
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void
}

export interface SeedResult {
  readonly seed: number
  readonly ok: boolean
  readonly problems: string[]
  readonly plan: string[]
  readonly expectedBills: number
  readonly bills: number
  readonly duplicates: number
  readonly kills: number
  /** Pause faults that landed (a worker stopped past its lease while another took over). */
  readonly pauses: number
  /** How the paused worker's run ended after SIGCONT: its error code, or its status. */
  readonly pausedWorker?: string
  /** Faults the simulators actually injected (request-log counters of both), by reason. */
  readonly faultsFired: Record<string, number>
  readonly quietRounds: number
  readonly ms: number
}

/** What a failing seed prints: the exact command that runs it again. */
export function replayCommand(seed: number, o: SeedOptions = {}): string {
  const extra = [
    o.target === 'strict' ? '--target strict' : '',
    o.fault === 'pause' ? '--fault pause' : '',
    o.database === 'postgres' ? '--database postgres' : '',
    o.bin !== undefined && o.bin !== REAL_BIN ? `--bin ${o.bin}` : '',
  ].filter((x) => x !== '')
  return `npm run test:chaos -- --seed ${seed}${extra.length === 0 ? '' : ` ${extra.join(' ')}`}`
}

// Ten 1-second steps: the most a scheme file allows, and short enough that a seed never waits long.
const RETRY_LADDER = Array.from({ length: 10 }, () => 1)

/** The chaos config's lease time-to-live: short, so a dead or stopped worker's lease runs out fast. */
const LEASE_TTL_MS = 2_000

function writeChaosConfig(sb: Sandbox, dir: string, start: Date, databaseUrl: string): string {
  const info = sb.info()
  const ex = examplesDir()
  const file = join(dir, 'ferry.yaml')
  // The example scheme as it is, except its own retry ladder (which wins over the config's): 1 s steps.
  const loss = join(dir, 'jst-count-to-jdy-check-loss.json')
  const scheme = JSON.parse(readFileSync(join(ex, 'jst-count-to-jdy-check-loss.json'), 'utf8')) as Record<
    string,
    unknown
  >
  writeFileSync(loss, JSON.stringify({ ...scheme, retry: { ladder: RETRY_LADDER, jitter: 0 } }, null, 2))
  writeFileSync(
    file,
    stringify({
      database: { url: databaseUrl },
      masterKey: { file: join(dir, 'master.key') },
      connections: {
        jst: {
          connector: 'jushuitan',
          budget: { perSecond: 20, perMinute: 1200, inFlight: 2 },
          settings: {
            baseUrl: info.jst.url,
            appKey: info.jst.appKey,
            appSecret: '${CHAOS_JST_SECRET}',
            accessToken: info.jst.accessToken,
            refreshToken: info.jst.refreshToken,
            timeoutMs: 3000,
            retries: 2,
            rateLimitRetries: 3,
          },
        },
        // No static appKey/appSecret: the connector pulls them from push_app_authorize, so it survives a rotation.
        jdy: {
          connector: 'kingdee-jdy',
          budget: { perSecond: 20, perMinute: 1200, inFlight: 2 },
          settings: {
            baseUrl: info.jdy.url,
            clientId: info.jdy.clientId,
            clientSecret: '${CHAOS_JDY_SECRET}',
            outerInstanceId: info.jdy.outerInstanceId,
            accountId: info.jdy.accountId,
            timeoutMs: JDY_TIMEOUT_MS,
            connectTimeoutMs: 1000,
          },
        },
      },
      schemes: [join(ex, 'jdy-materials.json'), join(ex, 'jdy-stores.json'), loss].map((f) => ({
        file: f,
        start: start.toISOString(),
      })),
      engine: { retryLadder: RETRY_LADDER, jitter: 0, leaseTtlSeconds: LEASE_TTL_MS / 1000 },
    }),
  )
  return file
}

async function openCheckHost(config: string, env: Record<string, string>): Promise<Host> {
  const cfg = loadConfig({
    path: config,
    env: { ...process.env, ...env },
    connectors: BUILTIN_CONNECTORS.map((c) => ({ name: c.name, config: c.config })),
  })
  return openHost(cfg, { log: silentLogger })
}

/** Counters the kill points and events watch. */
function progress(sb: Sandbox) {
  return {
    countPages: sb.jst.log.entries({ endpoint: COUNT, outcome: 'accepted' }).length,
    saveCalls: sb.jdy.log.entries({ endpoint: SAVE_PATH }).filter((e) => e.method === 'POST').length,
    bills: sb.jdy.bills.list().length,
  }
}

/** Arm a round on the simulators: faults, hooks, visibility lag. */
function arm(sb: Sandbox, round: Round): void {
  sb.jst.faults.set(round.jst)
  sb.jdy.faults.set(round.jdy)
  sb.jst.configure({ visibilityDelayMs: round.visibilityDelayMs })
  const end = sb.dataset.meta.endMs
  for (const e of round.events) {
    if (e.kind === 'jst_revoke_tokens')
      sb.jst.hooks.afterRequest(e.atRequest, () => {
        sb.jst.revokeTokens()
      })
    if (e.kind === 'jst_page_drift') {
      sb.jst.hooks.betweenPages(undefined, e.pageIndex, () => {
        // Move one of the latest orders further forward (never backwards past the reader).
        const late = sb.jst.orders
          .latest()
          .filter((o) => Date.parse(`${o.modified.replace(' ', 'T')}+08:00`) < end - 2_000)
          .slice(-10)
        const o = late[e.shiftSeconds % Math.max(1, late.length)]
        if (o !== undefined)
          sb.jst.orders.touch(
            o.io_id,
            Math.min(end - 1_000, Date.parse(`${o.modified.replace(' ', 'T')}+08:00`) + e.shiftSeconds * 1000),
          )
      })
    }
  }
}

function disarm(sb: Sandbox): void {
  sb.jst.faults.clear()
  sb.jdy.faults.clear()
  sb.jst.hooks.clear()
  sb.jst.configure({ visibilityDelayMs: 0 })
}

/** Longest a disturbed round may run before its child is killed anyway. */
const ROUND_CAP_MS = 30_000

/** Run one disturbed round; true when the child was killed. */
async function chaosRound(
  sb: Sandbox,
  round: Round,
  bin: string,
  args: string[],
  env: Record<string, string>,
): Promise<boolean> {
  arm(sb, round)
  const base = progress(sb)
  const pending = [...round.events]
  const child = spawnFerry(bin, args, env)
  const started = Date.now()
  let exited = false
  void child.exited.then(() => {
    exited = true
  })
  let killed = false
  while (!exited) {
    const now = progress(sb)
    const saves = now.saveCalls - base.saveCalls
    for (const e of [...pending]) {
      if ((e.kind === 'jdy_revoke_tokens' || e.kind === 'jdy_rotate_secret') && saves >= e.atSave) {
        if (e.kind === 'jdy_revoke_tokens') sb.jdy.revokeTokens()
        else sb.jdy.rotateSecret()
        pending.splice(pending.indexOf(e), 1)
      }
    }
    const k = round.kill
    const hit =
      k.after === 'count_pages'
        ? now.countPages - base.countPages >= k.n
        : k.after === 'save_calls'
          ? saves >= k.n
          : k.after === 'bills_committed'
            ? now.bills - base.bills >= k.n
            : false
    // A round that runs past the cap (e.g. waiting out a JST per-minute penalty) is killed there.
    if (hit || Date.now() - started > ROUND_CAP_MS) {
      child.process.kill('SIGKILL')
      killed = true
      break
    }
    await sleep(20)
  }
  await child.exited
  disarm(sb)
  return killed
}

/** Records that still have work (not settled, not parked for a person) and when the first is due. */
async function pendingWork(
  host: Host,
): Promise<{ count: number; firstDue: number; lastDue: number; detail: string[] }> {
  const detail: string[] = []
  let count = 0
  let firstDue = Infinity
  let lastDue = 0
  for await (const r of host.store.ledger.iterateRecords(LOSS)) {
    const open =
      r.status === 'waiting' ||
      r.status === 'queued' ||
      r.status === 'unknown' ||
      (r.status === 'error' && r.nextAttemptAt !== null)
    if (!open) continue
    count++
    detail.push(`${r.id} ${r.status} attempts ${r.attempts} next ${r.nextAttemptAt?.toISOString() ?? '-'}`)
    const due = r.nextAttemptAt?.getTime() ?? 0
    firstDue = Math.min(firstDue, due)
    lastDue = Math.max(lastDue, due)
  }
  return { count, firstDue, lastDue, detail }
}

/** Work due later than this after the quiet phase started is "stuck": the retry ladder ran out. */
const STUCK_MS = 30_000

export async function runSeed(seed: number, o: SeedOptions = {}): Promise<SeedResult> {
  const t0 = Date.now()
  const bin = o.bin ?? REAL_BIN
  const log = o.log ?? (() => undefined)
  const plan: ChaosPlan = chaosPlan(seed, o.rounds ?? 3)
  const pause = o.fault === 'pause' ? pausePlan(seed, LEASE_TTL_MS) : undefined
  const planLines = pause === undefined ? describePlan(plan) : [describePause(pause)]
  const dir = mkdtempSync(join(tmpdir(), `ferry-chaos-${seed}-`))
  const hour = 3_600_000
  const days = o.days ?? 4
  const start = new Date(Math.floor(Date.now() / hour) * hour - days * 86_400_000 - 2 * hour)
  const sb = await startSandbox({ orders: o.orders ?? 40, days, seed, start })
  const problems: string[] = []
  let kills = 0
  let pauses = 0
  let pausedWorker: string | undefined
  let quietRounds = 0
  const pgSchema = o.database === 'postgres' ? `ferry_chaos_${seed}_${randomBytes(4).toString('hex')}` : undefined
  let verdict = { expectedBills: 0, bills: 0, duplicates: 0 }
  try {
    if ((o.target ?? 'lenient') === 'lenient') allowDuplicateBillNumbers(sb.jdy)
    sb.jst.configure({ rateLimit: { ...sb.jst.behaviour.rateLimit, perSecond: 20, perMinute: 1200 } })
    const env = {
      CHAOS_JST_SECRET: sb.info().jst.appSecret,
      CHAOS_JDY_SECRET: sb.info().jdy.clientSecret,
      FERRY_LOG_LEVEL: 'silent',
    }
    const dbUrl =
      pgSchema === undefined
        ? `sqlite:${join(dir, 'ferry.db')}`
        : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${pgSchema}`
    const config = writeChaosConfig(sb, dir, start, dbUrl)
    for (const master of ['jdy-materials', 'jdy-stores']) {
      // The build under test loads it too: another build may not open a database migrated by this one.
      const r = await runToExit(bin, ['run', master, '--config', config], env)
      if (r.code !== 0) throw new Error(`master data ${master} did not load: ${r.stderr.slice(0, 500)}`)
    }
    const run = ['run', LOSS, '--config', config, '--json']
    if (pause !== undefined) {
      log(`seed ${seed} ${planLines[0] ?? ''} (${new Date().toISOString()})`)
      const p = await pauseRound(sb, pause, bin, run, env)
      const s = summaryOf(p.aStdout)
      pausedWorker = s?.error?.code ?? s?.status ?? p.aStderr.trim().split('\n').slice(-1).join('')
      if (p.stopped) pauses++
      else problems.push(`pause: the fault did not land: ${p.notes.join('; ')}`)
      log(
        `seed ${seed} pause: ${p.notes.join('; ') || 'landed'}; worker A: ${pausedWorker} (${new Date().toISOString()})`,
      )
    } else {
      for (const [i, round] of plan.rounds.entries()) {
        log(`seed ${seed} ${planLines[i] ?? ''}`)
        if (await chaosRound(sb, round, bin, run, env)) kills++
      }
    }
    // Convergence: once a killed run's lease and claims have expired, ONE quiet run must finish
    // everything (throttles paced, short rungs waited out within the run). Further quiet runs
    // only help the judge report what was left; needing them is itself a failure.
    await sleep(LEASE_TTL_MS + 500)
    for (;;) {
      if (quietRounds >= 10) {
        problems.push('not quiet: work was still pending after 10 quiet runs')
        break
      }
      quietRounds++
      const r = await runToExit(bin, run, env)
      const summary = summaryOf(r.stdout)
      const host = await openCheckHost(config, env)
      let work
      try {
        const paused = await host.ports.schemes.pausedReason(LOSS)
        if (paused !== undefined) {
          problems.push(`paused: the scheme was paused: ${paused}`)
          break
        }
        work = await pendingWork(host)
      } finally {
        await host.close()
      }
      log(
        `seed ${seed} quiet run ${quietRounds}: exit ${String(r.code)}, status ${summary?.status ?? '?'}, ${work.count} records pending ${work.detail.slice(0, 5).join('; ')} (now ${new Date().toISOString()})`,
      )
      if (summary?.status === 'ok' && work.count === 0) break
      if (quietRounds === 1) {
        problems.push(
          `did not converge: the first quiet run ended ${summary?.status ?? '?'} with ${work.count} records pending: ${work.detail.slice(0, 5).join('; ')}`,
        )
      }
      if (work.count > 0 && work.firstDue > Date.now() + STUCK_MS) {
        problems.push(
          `not quiet: ${work.count} records still pending, the first not before ${new Date(work.firstDue).toISOString()}: ${work.detail.slice(0, 5).join('; ')}`,
        )
        break
      }
      await sleep(Math.min(5_000, Math.max(300, Math.min(work.lastDue, Date.now() + STUCK_MS) - Date.now() + 200)))
    }
    const host = await openCheckHost(config, env)
    try {
      const v = await judge(sb, host, start)
      problems.push(...v.problems)
      verdict = { expectedBills: v.expectedBills, bills: v.bills, duplicates: v.duplicates }
    } finally {
      await host.close()
    }
  } catch (e) {
    problems.push(`harness: ${e instanceof Error ? e.message : String(e)}`)
  } finally {
    await sb.close()
    rmSync(dir, { recursive: true, force: true })
    if (pgSchema !== undefined) await dropSchema(pgSchema)
  }
  const faultsFired: Record<string, number> = {}
  for (const c of [...Object.values(sb.jst.log.counters()), ...Object.values(sb.jdy.log.counters())]) {
    for (const [k, n] of Object.entries(c.faults)) faultsFired[k] = (faultsFired[k] ?? 0) + n
  }
  return {
    seed,
    ok: problems.length === 0,
    problems,
    plan: planLines,
    ...verdict,
    kills,
    pauses,
    ...(pausedWorker === undefined ? {} : { pausedWorker }),
    faultsFired,
    quietRounds,
    ms: Date.now() - t0,
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

/** The failure text of a seed: what went wrong, the schedule, and the replay command. */
export function failureReport(r: SeedResult, o: SeedOptions = {}): string {
  return [
    `chaos seed ${r.seed} FAILED (${r.problems.length} problems):`,
    ...r.problems.slice(0, 20).map((p) => `  ${p}`),
    ...(r.problems.length > 20 ? [`  … ${r.problems.length - 20} more`] : []),
    'schedule:',
    ...r.plan.map((l) => `  ${l}`),
    `replay: ${replayCommand(r.seed, o)}`,
  ].join('\n')
}
