/**
 * `ferry sandbox`: run both simulators on one generated dataset until SIGINT/SIGTERM. The first
 * stdout line is one JSON object with the base URLs and the credentials to use (test values of a
 * local fake, printed on purpose); everything else goes to stderr. See docs/sandbox.md.
 */
import type { Command } from 'commander'
import { isProfileName, PROFILE_NAMES, type ProfileName } from '../../simulators/common/profiles.js'
import { isLoopback, startSandbox, type SandboxOptions } from '../../simulators/sandbox.js'
import { SandboxListen, SandboxOption } from '../sandbox/errors.js'

interface RawOptions {
  port?: string
  host: string
  seed: string
  orders: string
  days: string
  profile: string
  allowRemote?: boolean
}

function integer(option: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw SandboxOption([option, `expected an integer from ${min} to ${max}, got "${text}"`])
  return n
}

/** Validate CLI options into sandbox options (throws ERR_SANDBOX_OPTION). */
export function sandboxOptionsFromCli(raw: RawOptions): SandboxOptions & { profile: ProfileName } {
  const days = Number(raw.days)
  if (!Number.isFinite(days) || days <= 0 || days > 3650)
    throw SandboxOption(['--days', `expected a number of days above 0, got "${raw.days}"`])
  if (!isProfileName(raw.profile))
    throw SandboxOption(['--profile', `expected one of ${PROFILE_NAMES.join(', ')}, got "${raw.profile}"`])
  if (!isLoopback(raw.host) && raw.allowRemote !== true) {
    throw SandboxOption([
      '--host',
      `${raw.host} is not a loopback address; add --allow-remote to listen on it (anyone who can reach it can call the fake vendor APIs)`,
    ])
  }
  return {
    ...(raw.port === undefined ? {} : { port: integer('--port', raw.port, 0, 65534) }),
    host: raw.host,
    ...(raw.allowRemote === true ? { allowRemote: true } : {}),
    seed: /^\d+$/.test(raw.seed) && Number.isSafeInteger(Number(raw.seed)) ? Number(raw.seed) : raw.seed,
    orders: integer('--orders', raw.orders, 0, 1_000_000),
    days,
    profile: raw.profile,
  }
}

export interface SandboxIo {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
  /** Resolves when the sandbox should stop (signals in the CLI, a test's trigger otherwise). */
  readonly stopped: Promise<unknown>
}

/** Start, print the info line, wait for `stopped`, close. */
export async function runSandbox(options: SandboxOptions, io: SandboxIo): Promise<void> {
  let sandbox
  try {
    sandbox = await startSandbox(options)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw SandboxListen([options.port ?? 0, err.message], { cause: e })
    if (e instanceof RangeError) throw SandboxOption(['generator', e.message], { cause: e })
    throw e
  }
  io.stdout(`${JSON.stringify(sandbox.info())}\n`)
  io.stderr(
    `ferry sandbox: JST ${sandbox.jst.url}  JDY ${sandbox.jdy.url}  (${options.orders ?? 200} orders, profile ${options.profile ?? 'calm'}); Ctrl-C to stop\n`,
  )
  await io.stopped
  await sandbox.close()
  io.stderr('ferry sandbox: stopped\n')
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description(
      'Run the 聚水潭 and 金蝶云星辰 simulators on one seeded dataset until interrupted; the first stdout line is JSON with URLs and credentials.',
    )
    .option('--port <n>', 'JST port; the JDY simulator uses the next one (default: two free ports)')
    .option('--host <host>', 'interface to listen on (loopback only unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow a --host that is not a loopback address')
    .option('--seed <s>', 'seed for data, credentials and random faults', '1')
    .option('--orders <n>', 'count orders to generate', '200')
    .option('--days <d>', 'days the orders spread over, ending now', '7')
    .option('--profile <name>', `fault profile: ${PROFILE_NAMES.join(', ')}`, 'calm')
    .action(async (raw: RawOptions) => {
      const options = sandboxOptionsFromCli(raw)
      let onSignal: () => void = () => undefined
      const stopped = new Promise<void>((resolve) => {
        onSignal = () => resolve()
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
      })
      try {
        await runSandbox(options, {
          stdout: (l) => process.stdout.write(l),
          stderr: (l) => process.stderr.write(l),
          stopped,
        })
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
    })
}
