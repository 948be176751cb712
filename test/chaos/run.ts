/**
 * `npm run test:chaos -- [--seeds N] [--first S] [--seed S] [--target strict|lenient] [--fault schedule|pause]
 *   [--database sqlite|postgres] [--no-probe | --bin path/to/bin.ts] [--verbose]`
 *
 * Runs the chaos property (harness.ts) for N seeds starting at S (default 10 seeds from 1000),
 * or for the one `--seed`, prints one line per seed and a summary, and exits 1 when any seed
 * failed; each failing seed prints its problems, its schedule and the command that replays it.
 * `--no-probe` runs the deliberately broken build (no-probe-bin.ts), which should fail; `--bin`
 * runs another build's CLI (e.g. an older checkout's src/cli/bin.ts, to show a fault it misses).
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { failureReport, runSeed, type SeedOptions } from './harness.js'
import { NO_PROBE_BIN } from './processes.js'

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    first: { type: 'string' },
    seed: { type: 'string' },
    target: { type: 'string' },
    'no-probe': { type: 'boolean' },
    verbose: { type: 'boolean' },
    orders: { type: 'string' },
    fault: { type: 'string' },
    database: { type: 'string' },
    bin: { type: 'string' },
  },
})

function int(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`)
  return n
}

async function main(): Promise<number> {
  const target = values.target ?? 'lenient'
  if (target !== 'strict' && target !== 'lenient') throw new Error(`--target must be strict or lenient, got ${target}`)
  const fault = values.fault ?? 'schedule'
  if (fault !== 'schedule' && fault !== 'pause') throw new Error(`--fault must be schedule or pause, got ${fault}`)
  const database = values.database ?? 'sqlite'
  if (database !== 'sqlite' && database !== 'postgres')
    throw new Error(`--database must be sqlite or postgres, got ${database}`)
  const opts: SeedOptions = {
    target,
    fault,
    database,
    ...(values['no-probe'] === true ? { bin: NO_PROBE_BIN } : {}),
    ...(values.bin === undefined ? {} : { bin: resolve(values.bin) }),
    ...(values.orders === undefined ? {} : { orders: int(values.orders, 40, 'orders') }),
    ...(values.verbose === true
      ? {
          log: (l: string) => {
            process.stdout.write(`  ${l}\n`)
          },
        }
      : {}),
  }
  const seeds =
    values.seed !== undefined
      ? [int(values.seed, 0, 'seed')]
      : Array.from({ length: int(values.seeds, 10, 'seeds') }, (_, i) => int(values.first, 1000, 'first') + i)
  const t0 = Date.now()
  const failed: number[] = []
  for (const seed of seeds) {
    const r = await runSeed(seed, opts)
    process.stdout.write(
      `seed ${seed}: ${r.ok ? 'ok  ' : 'FAIL'}  ${r.bills}/${r.expectedBills} bills, ${r.kills} kills, ${r.pauses} pauses, ${Object.values(r.faultsFired).reduce((a, b) => a + b, 0)} faults, ${r.quietRounds} quiet runs, ${(r.ms / 1000).toFixed(1)} s\n`,
    )
    if (!r.ok) {
      failed.push(seed)
      process.stdout.write(`${failureReport(r, opts)}\n`)
    }
  }
  process.stdout.write(
    `\n${seeds.length - failed.length}/${seeds.length} seeds passed in ${((Date.now() - t0) / 1000).toFixed(1)} s` +
      `${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}\n`,
  )
  return failed.length === 0 ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  },
)
