/**
 * `npm run bench [-- quota overhead memory latency cluster] [--profile] [--count-sql]`: runs the
 * scenarios of issues 7 and 17 (cluster: docs/performance.md), prints one JSON object per scenario
 * and writes them all to bench/results/latest.json.
 * Exits non-zero when any scenario's result differs from the oracle: a fast wrong answer fails.
 * The engine runs from dist/, compiled first (tsconfig.bench.json); `BENCH_ENGINE=src` runs it under tsx.
 * `--profile` profiles the overhead scenario's timed Ferry job (not the process start) and adds a self-time summary;
 * `--count-sql` counts its SQLite statements per bill.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { clusterScenario } from './cluster.js'
import { mainProfile, summarise } from './profile.js'
import { buildEngine } from './harness.js'
import { overheadScenario } from './overhead.js'
import { memoryScenario, quotaScenario, type Figures } from './scenarios.js'

const ALL = ['quota', 'throttle', 'overhead', 'memory', 'latency', 'cluster'] as const
type Name = (typeof ALL)[number]

const args = process.argv.slice(2)
const profile = args.includes('--profile')
const countSql = args.includes('--count-sql')
const picked = args.filter((a) => !a.startsWith('--'))
for (const a of picked)
  if (!(ALL as readonly string[]).includes(a)) throw new Error(`unknown scenario ${a}; choose from ${ALL.join(', ')}`)
const names: readonly Name[] = picked.length === 0 ? ALL : (picked as Name[])

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
// Profiles are large; only their summary goes into the results.
const profileDir = join(tmpdir(), 'ferry-bench-profile')
const machine = {
  cpus: availableParallelism(),
  cpu_model: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
}

async function one(name: Name): Promise<Figures> {
  switch (name) {
    case 'quota':
      return quotaScenario('quota', 50, 1.05)
    case 'latency':
      return quotaScenario('latency', 300, 1.1)
    case 'throttle':
      return quotaScenario('throttle', 50, 1.1, 0.7)
    case 'memory':
      return memoryScenario()
    case 'cluster':
      return clusterScenario()
    case 'overhead': {
      if (!profile) return overheadScenario([], countSql)
      mkdirSync(profileDir, { recursive: true })
      const since = Date.now()
      // The engine child profiles its timed job alone (bench/engine-child.ts, profileRun).
      process.env.BENCH_PROFILE_RUN = profileDir
      const f = await overheadScenario([], countSql)
      const file = mainProfile(profileDir, since)
      return file === undefined
        ? f
        : { ...f, profiled: true, profile: summarise(file, 15, typeof f.bills === 'number' ? f.bills : undefined) }
    }
  }
}

buildEngine()
const started = new Date()
const results: Figures[] = []
for (const name of names) {
  const t0 = performance.now()
  let f: Figures
  try {
    f = await one(name)
  } catch (e) {
    f = {
      scenario: name,
      correct: false,
      target_met: false,
      error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    }
  }
  const line = {
    ...f,
    scenario_s: Math.round((performance.now() - t0) / 100) / 10,
    cpus: machine.cpus,
    node: machine.node,
    load_before: loadavg()[0],
  }
  results.push(line)
  process.stdout.write(`${JSON.stringify(line)}\n`)
}
mkdirSync(resultsDir, { recursive: true })
writeFileSync(
  `${resultsDir}latest.json`,
  `${JSON.stringify({ date: started.toISOString(), finished: new Date().toISOString(), machine, scenarios: results }, null, 2)}\n`,
)
if (results.some((r) => !r.correct)) {
  process.stderr.write(
    `bench: incorrect result in ${results
      .filter((r) => !r.correct)
      .map((r) => r.scenario)
      .join(', ')}\n`,
  )
  process.exitCode = 1
}
