/**
 * The engine under test, in its own process: a Ferry host wired exactly as production would be
 * (configuration object → openHost → runScheme per scheme, SQLite ledger on disk), plus the raw
 * loop of the overhead scenario, which posts pre-built bills through the same JDY connector and
 * its undici client. Peak RSS is read from the kernel (VmHWM), so it is this process alone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { examplesDir } from '../src/cli/demo-command.js'
import type { FerryConfig } from '../src/config/types.js'
import type { ConnectorRuntime } from '../src/connectors/contract.js'
import { LocalRateBudget } from '../src/connectors/budget.js'
import { MemoryCredentialStore } from '../src/connectors/memory-credentials.js'
import { kingdeeJdy } from '../src/connectors/kingdee-jdy/index.js'
import { resolveConnectionConfig } from '../src/connectors/registry.js'
import { openHost } from '../src/engine/host.js'
import { silentLogger } from '../src/engine/ports.js'
import { runScheme } from '../src/engine/run.js'
import { ledgerCounts } from '../src/engine/scheduled.js'
import { defaultEngineSettings } from '../src/core/defaults.js'
import { FloorLedger } from './floor-ledger.js'
import { serve } from './ipc.js'
import { runReference } from './reference.js'
import { countSqlStatements } from './sql-count.js'
import { threadCpu } from './thread-cpu.js'
import {
  jdyConnectionSettings,
  type FerryJob,
  type FerryResult,
  type RawJob,
  type RawResult,
  type ContenderJob,
  type ContenderResult,
  type SimInfo,
} from './types.js'

const LOSS = 'jst-count-to-jdy-check-loss'
const MB = 1024 * 1024
const dirs: string[] = []

/** CPU time of this process (user + system, all threads) in ms. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

let sampledPeak = 0
const sampler = setInterval(() => {
  // rss() alone: memoryUsage() also gathers V8 heap statistics, which cost the engine measurable CPU.
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
}, 50)
sampler.unref()

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return m === null ? Math.max(sampledPeak, process.memoryUsage.rss()) / MB : Number(m[1]) / 1024
}

function jdySettings(sim: SimInfo): Record<string, unknown> {
  return {
    ...jdyConnectionSettings(sim.jdy),
    // The defaults (no precheck, bulk audit check) are what is measured; BENCH_JDY_PRECHECK=1
    // measures the old read-before-save mode (existingBills: each) for comparison.
    ...(process.env.BENCH_JDY_PRECHECK === '1' ? { existingBills: 'each' } : {}),
  }
}

/** BENCH_SQLITE_SYNCHRONOUS=intents|normal measures the opt-in trade-offs of docs/storage.md; unset = the default (full). */
function syncOption(): string {
  const v = process.env.BENCH_SQLITE_SYNCHRONOUS ?? ''
  return v === '' ? '' : `?synchronous=${encodeURIComponent(v)}`
}

function configFor(job: FerryJob, dir: string): FerryConfig {
  const { sim } = job
  const ex = examplesDir()
  const start = new Date(job.startMs)
  return {
    file: undefined,
    baseDir: dir,
    database: { url: `sqlite:${join(dir, 'ferry.db')}${syncOption()}` },
    masterKey: { file: join(dir, 'master.key') },
    connections: {
      jst: {
        connector: 'jushuitan',
        budget: job.budgets.jst,
        settings: {
          baseUrl: sim.jst.url,
          appKey: sim.jst.appKey,
          appSecret: sim.jst.appSecret,
          accessToken: sim.jst.accessToken,
          refreshToken: sim.jst.refreshToken,
        },
      },
      jdy: { connector: 'kingdee-jdy', budget: job.budgets.jdy, settings: jdySettings(sim) },
    },
    schemes: ['jdy-materials.json', 'jdy-stores.json', `${LOSS}.json`].map((f) => ({
      file: join(ex, f),
      enabled: true,
      start,
    })),
    collections: {},
    // The platform's default ladder, as a user has it: a throttled or failed call that fell onto it
    // would cost 20 s or more, which the wall time then shows.
    engine: { ...defaultEngineSettings(), leaseTtlSeconds: 600 },
  }
}

/**
 * `BENCH_PROFILE_RUN=<dir>` (set by `--profile`): a CPU profile of the timed job alone, written to
 * `<dir>`. A whole-process `--cpu-prof` also samples module loading and opening the host (≈ 0.6 s,
 * a third of a 4 000-order job), which inflated every per-bill figure drawn from it.
 */
async function profileRun(
  dir = process.env.BENCH_PROFILE_RUN,
  prefix = 'run',
): Promise<(() => Promise<void>) | undefined> {
  if (dir === undefined || dir === '') return undefined
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(
      join(dir, `${prefix}-${String(Date.now())}-${String(process.pid)}.cpuprofile`),
      JSON.stringify(profile),
    )
    session.disconnect()
  }
}

async function ferry(job: FerryJob): Promise<FerryResult> {
  if (job.warmUp !== undefined) {
    const { BENCH_PROFILE_RUN: profile, ...env } = process.env
    process.env = env
    await ferry({ sim: job.warmUp.sim, startMs: job.warmUp.startMs, budgets: job.budgets })
    if (profile !== undefined) process.env.BENCH_PROFILE_RUN = profile
  }
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-'))
  dirs.push(dir)
  const sqlCount = job.countSql === true ? countSqlStatements() : undefined
  const host = await openHost(configFor(job, dir), { log: silentLogger })
  try {
    sqlCount?.reset()
    let lossSql = 0
    const stop = new AbortController()
    const cap = job.capS === undefined ? undefined : setTimeout(() => stop.abort(), job.capS * 1000)
    const stopProfile = await profileRun()
    const threads = threadCpu()
    const t0 = performance.now()
    const cpu0 = cpuMs()
    let lossStart = t0
    let lossCpu = cpu0
    const status: string[] = []
    const errors: string[] = []
    let written = 0
    let counters: Record<string, number> = {}
    for (const s of host.schemes) {
      if (s.id === LOSS) {
        lossStart = performance.now()
        lossCpu = cpuMs()
        lossSql = sqlCount?.total() ?? 0
      }
      // Only capped runs carry a signal: every in-flight call hangs an abort listener on it.
      const r = await runScheme(host.deps, s, cap === undefined ? {} : { signal: stop.signal })
      status.push(`${s.id}:${r.status}`)
      if (r.error !== undefined) errors.push(`${s.id}: ${r.error.code} ${r.error.message}`)
      if (s.id === LOSS) {
        written = r.counters.written
        counters = { ...r.counters }
      }
    }
    const t1 = performance.now()
    const cpu1 = cpuMs()
    const byThread = threads()
    await stopProfile?.()
    const sql =
      sqlCount === undefined
        ? undefined
        : {
            total: sqlCount.total(),
            loss: sqlCount.total() - lossSql,
            walSyncs: sqlCount.syncs(),
            top: sqlCount.byText().slice(0, 25),
          }
    clearTimeout(cap)
    const ledger = (await ledgerCounts(host.ports.ledger, LOSS)) as Record<string, number>
    const parked: { id: string; code: string; message: string }[] = []
    let cursor: string | undefined
    do {
      const page = await host.ports.ledger.listRecords(LOSS, {
        status: 'error',
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      })
      for (const r of page.records)
        parked.push({ id: r.id, code: r.lastError?.code ?? '', message: r.lastError?.message ?? '' })
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return {
      wall_s: (t1 - t0) / 1000,
      completed: !stop.signal.aborted,
      loss_wall_s: (t1 - lossStart) / 1000,
      status,
      errors,
      written,
      counters,
      ledger,
      parked,
      peak_rss_mb: vmHwmMb(),
      sampled_rss_mb: sampledPeak / MB,
      cpu_ms: cpu1 - cpu0,
      loss_cpu_ms: cpu1 - lossCpu,
      ...byThread,
      ...(sql === undefined ? {} : { sql }),
    }
  } finally {
    await host.close()
  }
}

// One runtime for every raw run: JDY allows two token calls a minute per client.
let rawRuntime: Promise<ConnectorRuntime> | undefined

/** Post pre-built bills through the JDY connector with `concurrency` workers; nothing else. */
async function raw(job: RawJob): Promise<RawResult> {
  const def = kingdeeJdy
  rawRuntime ??= def.open({
    connectionId: 'raw',
    config: resolveConnectionConfig(def, jdySettings(job.sim)),
    credentials: new MemoryCredentialStore(),
    budget: new LocalRateBudget({ inFlight: job.concurrency }),
    log: silentLogger,
  })
  const runtime = await rawRuntime
  const target = runtime.target
  if (target === undefined) throw new Error('kingdee-jdy has no target runtime')
  const failures: string[] = []
  let ok = 0
  let next = 0
  // BENCH_PROFILE_RAW=<dir>: the raw loop's runs profiled too (raw-*.cpuprofile), to set beside Ferry's.
  const stopProfile = await profileRun(process.env.BENCH_PROFILE_RAW, 'raw')
  const threads = threadCpu()
  const t0 = performance.now()
  const cpu0 = cpuMs()
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.bills.length) {
        const payload = job.bills[next++]!
        const out = await target.write({
          api: '/jdy/v2/scm/inv_check_loss_bill',
          payload,
          key: String(payload.bill_no),
        })
        if (out.kind === 'ok') ok++
        else failures.push(`${String(payload.bill_no)}: ${out.kind} ${out.message ?? ''}`)
      }
    }),
  )
  const wall = (performance.now() - t0) / 1000
  const cpu = cpuMs() - cpu0
  const byThread = threads()
  await stopProfile?.()
  return { wall_s: wall, cpu_ms: cpu, ...byThread, ok, failures: failures.slice(0, 20) }
}

/**
 * The reference contender unpaced, the whole job at the simulators' speed: without a ledger, or
 * with the floor ledger (bench/floor-ledger.ts) on disk beside it.
 */
async function contender(job: ContenderJob): Promise<ContenderResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-floor-'))
  dirs.push(dir)
  const ledger = job.ledger ? new FloorLedger(join(dir, 'floor.db'), job.indexed === true) : undefined
  try {
    const threads = threadCpu()
    const cpu0 = cpuMs()
    const r = await runReference(job.sim, job.startMs, undefined, {
      prefix: job.prefix,
      ...(ledger === undefined ? {} : { hooks: ledger }),
    })
    const cpu = cpuMs() - cpu0
    return {
      wall_s: r.wall_s,
      cpu_ms: cpu,
      ...threads(),
      saved: r.saved.length,
      failures: r.failures.slice(0, 20),
      commits: ledger?.commits ?? 0,
      ...(ledger === undefined ? {} : { ledger: ledger.counts() }),
    }
  } finally {
    ledger?.close()
  }
}

serve(
  {
    ferry: (arg) => ferry(arg as FerryJob),
    raw: (arg) => raw(arg as RawJob),
    contender: (arg) => contender(arg as ContenderJob),
    rss: () => Promise.resolve({ peak_rss_mb: vmHwmMb() }),
  },
  async () => {
    await (await rawRuntime)?.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    return Promise.resolve()
  },
)
