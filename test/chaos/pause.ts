/**
 * The pause-past-lease fault: worker A (`ferry run`) is stopped with SIGSTOP in the middle of
 * writing bills, stays stopped past its lease, worker B starts and takes the scheme over, and A
 * is resumed with SIGCONT while B is still writing. Exactly-once must hold: A, resumed, must not
 * write again what B wrote (fencing), and nothing of A's must be lost.
 */
import type { Sandbox } from '../../simulators/sandbox.js'
import { sleep, spawnFerry } from './processes.js'

export interface PausePlan {
  /** SIGSTOP A once this many bills were committed in the round. */
  readonly afterBills: number
  /** How long A stays stopped before B starts (past the lease TTL). */
  readonly stoppedMs: number
  /** SIGCONT A once B committed this many bills (or B ended). */
  readonly resumeAfterBillsOfB: number
}

export function pausePlan(seed: number, leaseTtlMs: number): PausePlan {
  return { afterBills: 2 + (seed % 5), stoppedMs: leaseTtlMs + 1_000, resumeAfterBillsOfB: 1 + (seed % 3) }
}

export function describePause(p: PausePlan): string {
  return `pause: SIGSTOP after ${p.afterBills} bills, ${p.stoppedMs} ms stopped, second worker started, SIGCONT after it wrote ${p.resumeAfterBillsOfB} bills`
}

const CAP_MS = 30_000

async function until(cond: () => boolean, capMs: number): Promise<boolean> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > capMs) return false
    await sleep(20)
  }
  return true
}

/** What happened, for the seed's report; `notes` say when the pause did not land as planned. */
export interface PauseOutcome {
  readonly stopped: boolean
  readonly notes: string[]
  readonly aStdout: string
  readonly aStderr: string
  readonly bStderr: string
}

export async function pauseRound(
  sb: Sandbox,
  p: PausePlan,
  bin: string,
  args: string[],
  env: Record<string, string>,
): Promise<PauseOutcome> {
  const bills = () => sb.jdy.bills.list().length
  const notes: string[] = []
  const base = bills()
  const a = spawnFerry(bin, args, env)
  let aExited = false
  void a.exited.then(() => {
    aExited = true
  })
  const hit = await until(() => aExited || bills() - base >= p.afterBills, CAP_MS)
  if (aExited || !hit) {
    notes.push(
      `worker A ${aExited ? 'ended' : 'was still short of the bill count'} before the pause (${bills() - base} bills)`,
    )
    a.process.kill('SIGKILL')
    await a.exited
    return { stopped: false, notes, aStdout: a.stdout, aStderr: a.stderr, bStderr: '' }
  }
  a.process.kill('SIGSTOP')
  try {
    await sleep(p.stoppedMs)
    const b = spawnFerry(bin, args, env)
    let bExited = false
    void b.exited.then(() => {
      bExited = true
    })
    const bBase = bills()
    await until(() => bExited || bills() - bBase >= p.resumeAfterBillsOfB, CAP_MS)
    if (bExited) notes.push('worker B ended before A was resumed')
    a.process.kill('SIGCONT')
    const done = await until(() => aExited && bExited, CAP_MS)
    if (!done) {
      notes.push('a worker was still running 30 s after the resume and was killed')
      a.process.kill('SIGKILL')
      b.process.kill('SIGKILL')
    }
    await Promise.all([a.exited, b.exited])
    return { stopped: true, notes, aStdout: a.stdout, aStderr: a.stderr, bStderr: b.stderr }
  } finally {
    // Never leave a stopped child behind.
    if (!aExited) {
      a.process.kill('SIGCONT')
      a.process.kill('SIGKILL')
    }
  }
}
