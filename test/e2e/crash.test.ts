/**
 * Crash recovery: `ferry run` in a child process is killed with SIGKILL at several points and
 * restarted; the simulators (in this process) must end up holding exactly the oracle's bills,
 * with no bill written twice.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { actualBills, LOSS, oracle, writeConfig } from './support.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SAVE = '/jdy/v2/scm/inv_check_loss_bill'
const COUNT = '/open/inventory/count/query'

function ferry(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode)
    else child.once('exit', (code) => r(code))
  })
}

async function until(cond: () => boolean, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (cond()) return
    if (child.exitCode !== null) throw new Error(`child exited (${child.exitCode}) before ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Run to completion, retrying while the dead process's lease has not expired yet. */
async function runToEnd(args: string[], env: Record<string, string>): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const child = ferry(args, env)
    let out = ''
    let err = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const code = await exited(child)
    if (code === 0) return out
    if (!err.includes('ERR_SCHEME_BUSY')) throw new Error(`ferry ${args.join(' ')} exited ${String(code)}: ${err}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
  throw new Error('scheme stayed busy')
}

describe('SIGKILL in the middle of a run', () => {
  let sandbox: Sandbox | undefined
  let dir: string | undefined
  afterEach(async () => {
    await sandbox?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('converges after restarts to the oracle with no duplicate bill', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-crash-'))
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 10 * 86_400_000 - 2 * hour)
    const sb = await startSandbox({ orders: 150, days: 10, seed: 21, start })
    sandbox = sb
    const env = {
      TEST_JST_SECRET: sb.info().jst.appSecret,
      TEST_JDY_SECRET: sb.info().jdy.clientSecret,
      FERRY_LOG_LEVEL: 'error',
    }
    const config = writeConfig(sb, dir, start)
    await runToEnd(['run', 'jdy-materials', '--config', config], env)
    await runToEnd(['run', 'jdy-stores', '--config', config], env)
    const expected = oracle(sb.jst.orders.latest(), sb.dataset.jdy)
    expect(expected.bills.size).toBeGreaterThan(10)
    const run = ['run', LOSS, '--config', config, '--json']
    const saves = () => sb.jdy.log.entries().filter((e) => e.endpoint.includes(SAVE) && e.outcome === 'accepted').length

    // 1. While paging: slow count queries, kill after the second page.
    sb.jst.faults.set([{ endpoint: COUNT, when: { always: true }, fault: { kind: 'latency', ms: 200 } }])
    let child = ferry(run, env)
    await until(
      () => sb.jst.log.entries({ endpoint: COUNT, outcome: 'accepted' }).length >= 2,
      child,
      'two count pages',
    )
    child.kill('SIGKILL')
    await exited(child)
    sb.jst.faults.clear()

    // 2. Between store and write: slow saves, kill once some bills are written and others wait.
    sb.jdy.faults.set([{ endpoint: `POST ${SAVE}`, when: { always: true }, fault: { kind: 'latency', ms: 150 } }])
    await new Promise((r) => setTimeout(r, 2100))
    child = ferry(run, env)
    await until(() => saves() >= 2, child, 'two saves')
    child.kill('SIGKILL')
    await exited(child)

    // 3. After a write was sent: the next save is committed but its answer never comes.
    const next = sb.jdy.log.entries().filter((e) => e.endpoint.includes(SAVE)).length + 1
    sb.jdy.faults.set([
      { endpoint: `POST ${SAVE}`, when: { from: 1 }, fault: { kind: 'hang', ms: 60_000, afterCommit: true }, times: 1 },
    ])
    const billsBefore = sb.jdy.bills.list().length
    await new Promise((r) => setTimeout(r, 2100))
    child = ferry(run, env)
    await until(() => sb.jdy.bills.list().length > billsBefore, child, `save ${next} committed`)
    child.kill('SIGKILL')
    await exited(child)
    sb.jdy.faults.clear()

    // 4. Restart and finish.
    await new Promise((r) => setTimeout(r, 2100))
    await runToEnd(run, env)
    const bills = sb.jdy.bills.list()
    expect(new Set(bills.map((b) => b.bill_no)).size).toBe(bills.length)
    const actual = actualBills(sb)
    expect([...actual.keys()].sort()).toEqual([...expected.bills.keys()].sort())
    for (const [no, bill] of expected.bills) expect(actual.get(no), `bill ${no}`).toEqual(bill)
  }, 240_000)
})
