/**
 * `ferry serve --no-schedule`: the API and console without the schemes' crontabs. Runs then start
 * from the API only, which a console-only instance (or a test counting its own run) needs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { serve } from '../../src/cli/serve-command.js'
import { BUILTIN_CONNECTORS } from '../../src/connectors/builtin.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { LOSS, writeConfig } from './support.js'

describe('ferry serve and the schemes’ crontabs', () => {
  let sandbox: Sandbox | undefined
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-serve-schedule-'))
  })
  afterEach(async () => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
    await sandbox?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Serve until listening, answer what it printed and whether a run started by the API works. */
  async function served(schedule: boolean | undefined): Promise<{ printed: string; status: string }> {
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 86_400_000)
    sandbox = await startSandbox({ orders: 10, days: 1, seed: 5, start })
    const file = writeConfig(sandbox, dir, start)
    vi.stubEnv('TEST_JST_SECRET', sandbox.info().jst.appSecret)
    vi.stubEnv('TEST_JDY_SECRET', sandbox.info().jdy.clientSecret)
    vi.stubEnv('FERRY_LOG_LEVEL', 'error')
    const config = loadConfig({
      path: file,
      connectors: BUILTIN_CONNECTORS.map((c) => ({ name: c.name, config: c.config })),
    })
    let printed = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      printed += String(c)
      return true
    })
    const stop = new AbortController()
    let running: Promise<void> = Promise.resolve()
    const status = await new Promise<string>((resolve, reject) => {
      running = serve(config, {
        port: 0,
        host: '127.0.0.1',
        signal: stop.signal,
        ...(schedule === undefined ? {} : { schedule }),
        onListening: async (svc, url) => {
          const { token } = await svc.auth.createToken('operator', 'schedule-test', 'test')
          const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
          const started = (await (
            await fetch(`${url}api/v1/schemes/jdy-materials/runs`, { method: 'POST', headers, body: '{}' })
          ).json()) as { runId: string }
          const events = await (await fetch(`${url}api/v1/runs/${started.runId}/events`, { headers })).text()
          resolve((JSON.parse(/event: end\ndata: (.*)\n/.exec(events)?.[1] ?? '{}') as { status: string }).status)
        },
      }).catch(reject)
    })
    // The scheduler prints its lines after onListening: give it the turn, then stop.
    await new Promise((r) => setTimeout(r, 200))
    stop.abort()
    await running
    return { printed, status }
  }

  it('registers every scheme stage on its crontab by default', async () => {
    const { printed, status } = await served(undefined)
    expect(status).toBe('succeeded')
    expect(printed).toContain(`scheduled ${LOSS} source "*/10 * * * *"`)
    expect(printed).toContain(`scheduled ${LOSS} target "*/5 * * * *"`)
    expect(printed).not.toContain('schedules off')
  })

  it('registers no crontab with schedule off, and still runs what the API starts', async () => {
    const { printed, status } = await served(false)
    expect(status).toBe('succeeded')
    expect(printed).toContain('schedules off (--no-schedule)')
    expect(printed).not.toMatch(/^scheduled /m)
  })
})
