/**
 * What a console browser test needs: the console built from the sources under test, `ferry serve`
 * on port 0 over the simulators, Debian's chromium through playwright-core, and screenshots that
 * must not be blank. Outside CI a machine without chromium skips (by name); under CI it fails.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'
import { expect, it, vi } from 'vitest'
import { serve } from '../../src/cli/serve-command.js'
import type { FerryConfig } from '../../src/config/types.js'
import type { Service } from '../../src/server/service.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { configFor } from '../e2e/support.js'
import { pngStats } from './png.js'

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium'
export const CI = process.env.CI === 'true'
export const NO_CHROMIUM = !existsSync(CHROMIUM)
const ROOT = join(import.meta.dirname, '../..')

/**
 * One browser test (`it`): outside CI a machine without chromium skips it by name, with a warning
 * naming `what`; under CI=true a missing chromium fails it (.ci/run installs it).
 */
export function browserTest(what: string, title: string, fn: () => Promise<void>, timeoutMs: number): void {
  const skip = NO_CHROMIUM && !CI
  if (skip)
    console.warn(`${what} skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set FERRY_CHROMIUM)`)
  it.skipIf(skip)(
    skip ? `${title} (skipped: no chromium at ${CHROMIUM}; apt-get install -y chromium)` : title,
    async () => {
      expect(NO_CHROMIUM, `chromium is required under CI (expected at ${CHROMIUM}; .ci/run installs it)`).toBe(false)
      await fn()
    },
    timeoutMs,
  )
}

// The machine has no internet: without these Chromium waits on network services at start.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface ConsoleWorld {
  readonly base: string
  readonly svc: Service
  readonly sandbox: Sandbox
  readonly config: FerryConfig
  readonly context: BrowserContext
  readonly page: Page
  readonly token: string
  /** POST to the API with an operator token; answers the JSON. */
  post<T>(path: string, body?: unknown): Promise<T>
  /** Start a run (or backfill) through the API and wait until it settles; answers its status. */
  run(path: string, body?: unknown): Promise<string>
  /** Wait for a run's end event (its Server-Sent Events stream closes then); answers its status. */
  settled(runId: string): Promise<string>
  /** A screenshot under test-results/<dir>/<name>.png, checked to be 1280 wide and not blank. */
  shot(name: string): Promise<void>
  close(): Promise<void>
}

/**
 * `schedule: false` serves without the schemes' crontabs (`ferry serve --no-schedule`): a test whose
 * counts must come from its own run only, not from a tick of the wall clock during it.
 */
export async function openConsole(o: {
  shots: string
  orders?: number
  seed?: number
  schedule?: boolean
}): Promise<ConsoleWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-console-e2e-'))
  const consoleDir = join(dir, 'console')
  await build({
    configFile: join(ROOT, 'console/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: consoleDir, emptyOutDir: true },
  })
  const hour = 3_600_000
  const start = new Date(Math.floor(Date.now() / hour) * hour - 3 * 86_400_000 - 2 * hour)
  const sandbox = await startSandbox({ orders: o.orders ?? 120, days: 3, seed: o.seed ?? 17, start })
  vi.stubEnv('FERRY_LOG_LEVEL', 'error')
  const stop = new AbortController()
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  const config = configFor(sandbox, dir, start)
  let served: Promise<void> = Promise.resolve()
  const { svc, base } = await new Promise<{ svc: Service; base: string }>((resolve) => {
    served = serve(config, {
      port: 0,
      host: '127.0.0.1',
      json: true,
      signal: stop.signal,
      options: { consoleDir },
      ...(o.schedule === undefined ? {} : { schedule: o.schedule }),
      onListening: (s, url) => resolve({ svc: s, base: url }),
    })
  })
  const { token } = await svc.auth.createToken('operator', 'setup', 'test')
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 720 },
    timeout: 60_000,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(20_000)
  const shots = join(ROOT, 'test-results', o.shots)
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${base}api/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return (await r.json()) as T
  }
  const settled = async (runId: string): Promise<string> => {
    const r = await fetch(`${base}api/v1/runs/${runId}/events`, { headers: { authorization: `Bearer ${token}` } })
    const events = await r.text()
    const end = /event: end\ndata: (.*)\n/.exec(events)?.[1]
    const status = end === undefined ? undefined : (JSON.parse(end) as { status?: string }).status
    return status ?? (await api<{ status: string }>('GET', `runs/${runId}`)).status
  }
  return {
    base,
    svc,
    sandbox,
    config,
    context,
    page,
    token,
    post: (path, body = {}) => api('POST', path, body),
    async run(path, body = {}) {
      const { runId } = await api<{ runId: string }>('POST', path, body)
      return settled(runId)
    },
    settled,
    async shot(name) {
      const png = await page.screenshot({ fullPage: false })
      mkdirSync(shots, { recursive: true })
      writeFileSync(join(shots, `${name}.png`), png)
      const s = pngStats(png)
      expect(s.width, name).toBe(1280)
      // A blank or single-colour page (white screen, crash) has one or two colours; a drawn page has many.
      expect(s.colours, `${name}: colours in the screenshot`).toBeGreaterThan(16)
    },
    async close() {
      mkdirSync(shots, { recursive: true })
      await context.close().catch(() => undefined)
      stop.abort()
      await served
      out.mockRestore()
      vi.unstubAllEnvs()
      await sandbox.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function signIn(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(base)
  await page.locator('input[name="name"]').fill(name)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('button[type="submit"]').click()
  await page.locator('[data-testid="user"]').waitFor()
}

/** On failure: what the browser showed, for whoever reads the CI log. */
export async function failureShot(page: Page, shots: string): Promise<void> {
  const d = join(ROOT, 'test-results', shots)
  mkdirSync(d, { recursive: true })
  await page.screenshot({ path: join(d, 'failure.png') }).catch(() => undefined)
}
