/**
 * The flow designer and the mapping editor in a real browser (playwright-core driving chromium,
 * 1280×720) against `ferry serve` on port 0 over the simulators: open the count scheme in the
 * designer, change a mapping and see it evaluated (and an error shown in place and on its stage),
 * save a version after reviewing the diff, then run the scheme and watch the counts on the edges.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { serve } from '../../src/cli/serve-command.js'
import type { Service } from '../../src/server/service.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { configFor, LOSS } from '../e2e/support.js'
import { ARGS, buildConsole, CHROMIUM, CI, MISSING, SHOTS, shot, signIn, waitForRun } from './browser-support.js'

const title =
  'opens the count scheme in the designer, evaluates a changed mapping with its error in place, saves a version after the diff, and shows the run counts on the edges'

describe('the flow designer in Chromium', () => {
  let sandbox: Sandbox | undefined
  let context: BrowserContext | undefined
  const dirs: string[] = []
  afterEach(async () => {
    vi.unstubAllEnvs()
    await context?.close()
    await sandbox?.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it.skipIf(MISSING && !CI)(
    MISSING && !CI ? `${title} (skipped: no chromium at ${CHROMIUM}; apt-get install -y chromium)` : title,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ferry-designer-e2e-'))
      dirs.push(dir)
      const consoleDir = join(dir, 'console')
      await buildConsole(consoleDir)

      const hour = 3_600_000
      const start = new Date(Math.floor(Date.now() / hour) * hour - 2 * 86_400_000 - 2 * hour)
      sandbox = await startSandbox({ orders: 40, days: 2, seed: 23, start })
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
          onListening: (s, url) => {
            svc = s
            base = url
            resolve()
          },
        })
      })
      try {
        await listening
        const password = 'operator-password-1'
        await svc!.auth.addUser('olga', 'operator', password)
        const { token } = await svc!.auth.createToken('operator', 'setup', 'test')
        const api = async (method: string, path: string, body?: unknown) =>
          (await (
            await fetch(`${base}api/v1/${path}`, {
              method,
              headers: {
                authorization: `Bearer ${token}`,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            })
          ).json()) as Record<string, unknown>
        // Master data only: the count scheme has not run, so its sample is read from the source.
        for (const s of ['jdy-materials', 'jdy-stores']) {
          const r = await api('POST', `schemes/${s}/runs`, {})
          expect(await waitForRun(base, token, r.runId as string)).toBe('succeeded')
        }
        const before = (await api('GET', `schemes/${LOSS}`)).version as number

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
          await signIn(page, base, 'olga', password)
          // Switch to English once; the choice is kept for the rest of the test.
          await page.locator('[data-testid="lang-switch"]').click()
          await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en')

          // The dashboard links each scheme to its designer.
          await page.locator(`tr[data-scheme="${LOSS}"] [data-testid="open-designer"]`).click()
          for (const s of ['source', 'condition', 'reshape', 'mapping', 'quality', 'target'])
            await page.locator(`[data-testid="node-${s}"]`).waitFor()
          expect(await page.locator('[data-testid="node-condition"]').textContent()).toContain('groups: 1, clauses: 2')
          const editor = page.locator('[data-testid="mapping-editor"]')
          await editor.waitFor()
          await shot(page, 'designer-01-flow')

          // The sample record's io_id, as bill_no maps it now.
          await editor.locator('button[data-field="bill_no"]').click()
          const input = editor.locator('[data-testid="value-input"]')
          expect(await input.inputValue()).toBe('{{io_id}}')
          const ok = editor.locator('[data-testid="value-ok"]')
          await ok.waitFor()
          // io_id is a number in the simulator's orders; whatever it is, it is there.
          const ioId = String(JSON.parse((await ok.textContent()) ?? 'null'))
          expect(ioId).not.toBe('null')
          // Lineage: a line from the source field io_id to bill_no.
          await expect.poll(() => page.locator('.mapping-lines path.hot').count()).toBe(1)

          // A broken value: the error appears in place with its code, and on the mapping stage.
          await input.fill('_function CONCAT({{io_id}}, ')
          const err = editor.locator('[data-testid="value-error"]')
          await err.getByText('ERR_EXPR_SYNTAX').waitFor()
          await page.locator('[data-testid="problems-mapping"]').waitFor()
          expect(await page.locator('[data-testid="problems-condition"]').count()).toBe(0)
          await editor.locator('[data-testid="function-help"] code').first().getByText('CONCAT(').waitFor()
          await shot(page, 'designer-02-mapping-error')

          // Completion of a field inside {{ (keyboard only), then the value evaluates again.
          await input.press('End')
          await input.pressSequentially("'-', {{io_")
          const list = editor.locator('[data-testid="completions"]')
          await list.getByText('io_id', { exact: true }).waitFor()
          await input.press('Enter')
          await input.pressSequentially(')')
          expect(await input.inputValue()).toBe("_function CONCAT({{io_id}}, '-', {{io_id}})")
          await expect.poll(() => ok.textContent()).toBe(JSON.stringify(`${ioId}-${ioId}`))
          await expect.poll(() => page.locator('[data-testid="problems-mapping"]').count()).toBe(0)
          await shot(page, 'designer-03-mapping')

          // Save: the diff comes first, then the new version.
          await page.locator('[data-testid="save-version"]').click()
          const dialog = page.locator('[data-testid="save-dialog"]')
          await dialog.locator('[data-testid="diff"]').waitFor()
          expect(await dialog.locator('tbody tr').count()).toBe(1)
          expect(await dialog.locator('tbody td').first().textContent()).toMatch(
            /^target\.metadata\.request\[\d+\]\.value$/,
          )
          await shot(page, 'designer-04-diff')
          await dialog.locator('[data-testid="confirm-save"]').click()
          await page
            .locator('[data-testid="saved-note"]')
            .getByText(`version ${before + 1}`)
            .waitFor()
          await page
            .locator('[data-testid="version"]')
            .getByText(`Version ${before + 1}`)
            .waitFor()
          const saved = (await api('GET', `schemes/${LOSS}/versions/${before + 1}/diff`)).changes as {
            after: unknown
          }[]
          expect(saved.map((c) => c.after)).toEqual(["_function CONCAT({{io_id}}, '-', {{io_id}})"])

          // Run against the simulators: the counts appear on the edges and end above zero.
          await page.getByRole('button', { name: 'Run now' }).click()
          await page.locator('[data-testid="run-state"]').getByText('Run ended: succeeded').waitFor({ timeout: 60_000 })
          const counts = Object.fromEntries(
            ((await page.locator('[data-testid="edge-counts"]').textContent()) ?? '')
              .split(' ')
              .map((p) => p.split(':'))
              .map(([k, v]) => [k, Number(v)]),
          ) as Record<string, number>
          expect(counts.source).toBeGreaterThan(0)
          expect(counts.condition).toBeGreaterThan(0)
          expect(counts.condition).toBeLessThanOrEqual(counts.source!)
          expect(await page.locator('.react-flow__edge-text').count()).toBeGreaterThanOrEqual(3)
          await shot(page, 'designer-05-run')
        } catch (e) {
          mkdirSync(SHOTS, { recursive: true })
          await page.screenshot({ path: join(SHOTS, 'designer-failure.png') }).catch(() => undefined)
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
