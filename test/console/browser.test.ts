/**
 * The console in a real browser: playwright-core drives Debian's chromium against `ferry serve`
 * (port 0) over the simulators. Outside CI a machine without chromium skips this test by name;
 * under CI=true a missing chromium fails it (.ci/run installs it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterEach, describe, expect, vi } from 'vitest'
import { serve } from '../../src/cli/serve-command.js'
import type { Service } from '../../src/server/service.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { configFor, LOSS, oracle } from '../e2e/support.js'
import { browserTest, CHROMIUM } from './harness.js'
import { pngStats } from './png.js'

const ROOT = join(import.meta.dirname, '../..')
const SHOTS = join(ROOT, 'test-results', 'console')

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

async function shot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: false })
  mkdirSync(SHOTS, { recursive: true })
  writeFileSync(join(SHOTS, `${name}.png`), png)
  const s = pngStats(png)
  expect(s.width, name).toBe(1280)
  // A blank or single-colour page (white screen, crash) has one or two colours; a drawn page has many.
  expect(s.colours, `${name}: colours in the screenshot`).toBeGreaterThan(16)
}

async function waitForRun(base: string, token: string, runId: string): Promise<string> {
  for (;;) {
    const r = (await (
      await fetch(`${base}api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { status: string }
    if (r.status !== 'running') return r.status
    await new Promise((res) => setTimeout(res, 200))
  }
}

async function signIn(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(base)
  await page.locator('input[name="name"]').fill(name)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('button[type="submit"]').click()
  await page.locator('[data-testid="user"]').waitFor()
}

describe('the web console in Chromium', () => {
  let sandbox: Sandbox | undefined
  let context: BrowserContext | undefined
  const dirs: string[] = []
  afterEach(async () => {
    vi.unstubAllEnvs()
    await context?.close()
    await sandbox?.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  const title =
    'signs in, shows the dashboard, opens a parked record, checks an edited payload in place, retries it after master data is fixed and sees it done, switches language, and hides writes from a viewer'
  browserTest(
    'console browser test',
    title,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ferry-console-e2e-'))
      dirs.push(dir)
      // Build the console from the sources under test, into this test's own folder.
      const consoleDir = join(dir, 'console')
      await build({
        configFile: join(ROOT, 'console/vite.config.ts'),
        logLevel: 'error',
        build: { outDir: consoleDir, emptyOutDir: true },
      })

      const hour = 3_600_000
      const start = new Date(Math.floor(Date.now() / hour) * hour - 3 * 86_400_000 - 2 * hour)
      sandbox = await startSandbox({ orders: 120, days: 3, seed: 17, start })
      const sb = sandbox
      vi.stubEnv('FERRY_LOG_LEVEL', 'error')
      const stop = new AbortController()
      let base = ''
      let svc: Service | undefined
      let served: Promise<void> = Promise.resolve()
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
      const listening = new Promise<void>((resolve) => {
        served = serve(configFor(sandbox!, dir, start), {
          port: 0,
          host: '127.0.0.1',
          json: true,
          signal: stop.signal,
          options: { consoleDir },
          // The runs below are the test's own: a wall-clock tick holding the lease would refuse them.
          schedule: false,
          onListening: (s, url) => {
            svc = s
            base = url
            resolve()
          },
        })
      })
      try {
        await listening
        const passwords = { operator: 'operator-password-1', viewer: 'viewer-password-1' }
        await svc!.auth.addUser('olga', 'operator', passwords.operator)
        await svc!.auth.addUser('victor', 'viewer', passwords.viewer)
        const { token } = await svc!.auth.createToken('operator', 'setup', 'test')
        // Master data first, then the count scheme: records whose materials the book lacks are parked.
        const run = async (path: string, body: unknown = {}) => {
          const r = (await (
            await fetch(`${base}api/v1/${path}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
          ).json()) as { runId: string }
          expect(await waitForRun(base, token, r.runId)).toBe('succeeded')
        }
        for (const s of ['jdy-materials', 'jdy-stores', LOSS]) await run(`schemes/${s}/runs`)
        const parked = oracle(sb.jst.orders.latest(), sb.dataset.jdy).parked
        expect(parked.size, 'the dataset parks at least two records').toBeGreaterThanOrEqual(2)

        context = await chromium.launchPersistentContext(join(dir, 'profile'), {
          executablePath: CHROMIUM,
          headless: true,
          args: ARGS,
          viewport: { width: 1280, height: 720 },
          timeout: 60_000,
        })
        const page = context.pages()[0] ?? (await context.newPage())
        page.setDefaultTimeout(20_000)
        try {
          // Sign in (zh-CN is the default language) and see the role.
          await page.goto(base)
          await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN')
          await shot(page, '01-sign-in')
          await signIn(page, base, 'olga', passwords.operator)
          expect(await page.locator('[data-testid="role"]').textContent()).toBe('运维')

          // The dashboard lists every scheme; the count scheme shows its failed records.
          const row = page.locator(`tr[data-scheme="${LOSS}"]`)
          await row.waitFor()
          expect(await page.locator('tr[data-scheme]').count()).toBe(3)
          const failed = Number(await row.locator('a.failed').textContent())
          expect(failed).toBe(parked.size)
          await shot(page, '02-dashboard')

          // The failed count opens the explorer filtered to status=error (paged by the server).
          await row.locator('a.failed').click()
          await page.locator('[data-testid="records"] tr[data-record]').first().waitFor()
          expect(page.url()).toContain('status=error')
          expect(await page.locator('[data-testid="records"] tr[data-record]').count()).toBe(Math.min(failed, 50))
          await shot(page, '03-records')

          // A parked record: source, mapped payload and the lookup error.
          const first = page.locator('[data-testid="records"] tr[data-record]').first()
          const recordId = (await first.getAttribute('data-record')) ?? ''
          expect(parked.has(recordId)).toBe(true)
          await first.click()
          const drawer = page.locator('[data-testid="record-drawer"]')
          await drawer.getByText('ERR_LOOKUP_MISSING').first().waitFor()
          expect(await drawer.locator('h2').textContent()).toContain(recordId)
          await drawer.getByText('源数据').waitFor()
          await shot(page, '04-record')

          // Edit-and-retry checks the JSON in place before anything is sent.
          await drawer.getByRole('button', { name: '修改报文并重新推送' }).click()
          await drawer.locator('textarea').fill('{"bill_no": ')
          await drawer.getByText('JSON 格式错误').waitFor()
          expect(await drawer.getByRole('button', { name: '保存并重新推送' }).isDisabled()).toBe(true)
          await drawer.getByRole('button', { name: '取消', exact: true }).click()

          // Fix the master data in the book (the simulator's admin API) as a person would, re-read it,
          // then retry from the console: the drawer follows the record until it is written.
          const template = sb.dataset.jdy.materials[0]!
          let n = 0
          for (const sku of parked.get(recordId)!) {
            const res = await fetch(`${sb.info().jdy.admin}master-data/material`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${sb.adminToken}` },
              body: JSON.stringify({ ...template, id: `990000${++n}`, number: sku, name: `added ${sku}` }),
            })
            expect(res.status).toBe(200)
          }
          await run('schemes/jdy-materials/backfill', { from: '2020-01-01' })
          await drawer.getByRole('button', { name: '重新推送', exact: true }).click()
          await drawer.locator('.badge.s-done').waitFor({ timeout: 20_000 })
          expect(sb.jdy.bills.list().some((b) => b.bill_no === recordId)).toBe(true)
          await shot(page, '05-record-done')

          // Switch language: every visible string changes with it.
          await page.locator('[data-testid="lang-switch"]').click()
          await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en')
          await drawer.getByText('Source record').waitFor()
          await drawer.getByText(/^Requeued/).waitFor()
          expect(await page.locator('[data-testid="role"]').textContent()).toBe('Operator')
          expect(await page.locator('h1').textContent()).toBe(`Records of ${LOSS}`)
          await shot(page, '06-record-en')

          // Another failed record: the operator has the write buttons, a viewer has none.
          const other = [...parked.keys()].find((id) => id !== recordId)!
          const otherUrl = `${base}#/schemes/${LOSS}/records?status=error&record=${encodeURIComponent(other)}`
          await page.goto(otherUrl)
          await drawer.getByText('ERR_LOOKUP_MISSING').first().waitFor()
          // The drawer of the record before (done, its history also names ERR_LOOKUP_MISSING) can still
          // be showing when that text is found: wait for the new record's buttons, each exactly once.
          for (const name of ['Retry', 'Resolve', 'Edit payload and retry', 'Retry every failed record']) {
            await expect
              .poll(() => page.getByRole('button', { name, exact: true }).count(), { message: name, timeout: 10_000 })
              .toBe(1)
          }
          await context.clearCookies()
          await page.reload()
          await signIn(page, base, 'victor', passwords.viewer)
          expect(await page.locator('[data-testid="role"]').textContent()).toBe('Viewer')
          await page.goto(otherUrl)
          await drawer.getByText('ERR_LOOKUP_MISSING').first().waitFor()
          for (const name of ['Retry', 'Resolve', 'Edit payload and retry', 'Retry every failed record'])
            expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0)
          await shot(page, '07-viewer')
        } catch (e) {
          // What the browser showed when it failed, for whoever reads the CI log.
          mkdirSync(SHOTS, { recursive: true })
          await page.screenshot({ path: join(SHOTS, 'failure.png') }).catch(() => undefined)
          throw e
        }
      } finally {
        stop.abort()
        await served
        out.mockRestore()
      }
    },
    240_000,
  )
})
