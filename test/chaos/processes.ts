/**
 * `ferry` as a child process for the chaos suite: spawn, watch, SIGKILL, and run to the end
 * while the lease of a killed predecessor is still held. `bin` picks the build under test: the
 * real CLI (`src/cli/bin.ts`) or a deliberately broken one (see no-probe-bin.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const REAL_BIN = join(ROOT, 'src/cli/bin.ts')
export const NO_PROBE_BIN = join(ROOT, 'test/chaos/no-probe-bin.ts')

export interface Child {
  readonly process: ChildProcess
  stdout: string
  stderr: string
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>
}

export function spawnFerry(bin: string, args: readonly string[], env: Readonly<Record<string, string>>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const child: Child = {
    process: proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      proc.once('exit', (code) => {
        resolve(code)
      })
    }),
  }
  proc.stdout.on('data', (d: Buffer) => {
    child.stdout += d.toString()
  })
  proc.stderr.on('data', (d: Buffer) => {
    child.stderr += d.toString()
  })
  return child
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Run `ferry <args>` until it exits on its own, starting again while it only reports
 * ERR_SCHEME_BUSY (a killed process's lease has not expired yet).
 */
export async function runToExit(
  bin: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  maxBusy = 20,
): Promise<Finished> {
  for (let i = 0; ; i++) {
    const child = spawnFerry(bin, args, env)
    const code = await child.exited
    if (!child.stderr.includes('ERR_SCHEME_BUSY') || i >= maxBusy)
      return { code, stdout: child.stdout, stderr: child.stderr }
    await sleep(700)
  }
}

/** The run summary printed by `ferry run --json`, if the output holds one. */
export function summaryOf(
  stdout: string,
): { status?: string; error?: { code?: string; message?: string } } | undefined {
  const start = stdout.indexOf('{')
  if (start < 0) return undefined
  try {
    return JSON.parse(stdout.slice(start)) as { status?: string }
  } catch {
    return undefined
  }
}
