/**
 * The flow designer and the mapping editor in a real browser (playwright-core driving chromium,
 * 1280×720) against `ferry serve` on port 0 over the simulators: open the count scheme in the
 * designer, change a mapping and see it evaluated (and an error shown in place and on its stage),
 * save a version after reviewing the diff, then run the scheme and watch the counts on the edges;
 * the bills the run wrote to the JDY simulator carry the saved version's mapping.
 */
import { afterEach, describe, expect } from 'vitest'
import { LOSS } from '../e2e/support.js'
import { browserTest, failureShot, openConsole, signIn, type ConsoleWorld } from './harness.js'

const SHOTS = 'console-designer'

const title =
  'opens the count scheme in the designer, evaluates a changed mapping with its error in place, saves a version after the diff, and runs it: counts on the edges, bills with the changed mapping'

describe('the flow designer in Chromium', () => {
  let w: ConsoleWorld | undefined
  afterEach(async () => {
    await w?.close()
  })

  browserTest(
    'console designer browser test',
    title,
    async () => {
      // No crontabs: a scheduled tick (every 5 and 10 minutes of the wall clock) could take the
      // source window or write bills between the save and "Run now" (a fresh-clone CI run saw the
      // run fetch nothing).
      w = await openConsole({ shots: SHOTS, orders: 40, schedule: false })
      const { page, base, svc } = w
      const password = 'operator-password-1'
      await svc.auth.addUser('olga', 'operator', password)
      const api = async (path: string) =>
        (await (
          await fetch(`${base}api/v1/${path}`, { headers: { authorization: `Bearer ${w!.token}` } })
        ).json()) as Record<string, unknown>
      // Master data only: the count scheme has not run, so its sample is read from the source.
      for (const s of ['jdy-materials', 'jdy-stores']) expect(await w.run(`schemes/${s}/runs`)).toBe('succeeded')
      const before = (await api(`schemes/${LOSS}`)).version as number
      try {
        await signIn(page, base, 'olga', password)
        // zh-CN first (the default language), then English, kept for the rest of the test.
        await page.goto(`${base}#/schemes/${LOSS}/designer`)
        await page.locator('[data-testid="node-mapping"]').getByText('字段映射').waitFor()
        await page.getByRole('button', { name: '保存为新版本…' }).waitFor()
        await w.shot('00-flow-zh')
        await page.locator('[data-testid="lang-switch"]').click()
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en')

        // The designer of the count scheme, by its URL (a shared link works the same).
        await page.goto(`${base}#/schemes/${LOSS}/designer`)
        for (const s of ['source', 'condition', 'reshape', 'mapping', 'quality', 'target'])
          await page.locator(`[data-testid="node-${s}"]`).waitFor()
        expect(await page.locator('[data-testid="node-condition"]').textContent()).toContain('groups: 1, clauses: 2')
        const editor = page.locator('[data-testid="mapping-editor"]')
        await editor.waitFor()
        await w.shot('01-flow')

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
        await w.shot('02-mapping-error')

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
        await w.shot('03-mapping')

        // Save: the diff comes first, then the new version.
        await page.locator('[data-testid="save-version"]').click()
        const dialog = page.locator('[data-testid="save-dialog"]')
        await dialog.locator('[data-testid="diff"]').waitFor()
        expect(await dialog.locator('tbody tr').count()).toBe(1)
        expect(await dialog.locator('tbody td').first().textContent()).toMatch(
          /^target\.metadata\.request\[\d+\]\.value$/,
        )
        await w.shot('04-diff')
        await dialog.locator('[data-testid="confirm-save"]').click()
        await page
          .locator('[data-testid="saved-note"]')
          .getByText(`version ${before + 1}`)
          .waitFor()
        await page
          .locator('[data-testid="version"]')
          .getByText(`Version ${before + 1}`)
          .waitFor()
        const saved = (await api(`schemes/${LOSS}/versions/${before + 1}/diff`)).changes as {
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
        // The labels are drawn by React Flow, which renders an edge only once its nodes are measured;
        // the counts above are plain text and can be there first (a fresh-clone CI run saw 0 labels).
        await expect
          .poll(() => page.locator('.react-flow__edge-text').count(), { timeout: 10_000 })
          .toBeGreaterThanOrEqual(3)
        await w.shot('05-run')
        // The run ran the saved version, not the scheme file: every bill the JDY simulator holds
        // carries the changed bill_no, and the service says that version runs.
        const bills = w.sandbox.jdy.bills.list()
        expect(bills.length).toBeGreaterThan(0)
        for (const b of bills) expect(b.bill_no).toMatch(/^(.+)-\1$/)
        expect((await api(`schemes/${LOSS}`)).running).toMatchObject({ version: before + 1, from: 'store' })

        // A viewer reads the same designer without a write control; the sample now comes from the
        // ledger the run filled. A stage opens from the keyboard.
        await svc.auth.addUser('victor', 'viewer', 'viewer-password-1')
        await w.context.clearCookies()
        await page.reload()
        await signIn(page, base, 'victor', 'viewer-password-1')
        await page.goto(`${base}#/schemes/${LOSS}/designer`)
        await page.locator('[data-testid="node-mapping"]').waitFor()
        await editor.locator('button[data-field="bill_no"]').click()
        await ok.waitFor()
        expect(await input.getAttribute('readonly')).not.toBeNull()
        expect(await page.locator('[data-testid="save-version"]').count()).toBe(0)
        expect(await page.getByRole('button', { name: 'Run now' }).count()).toBe(0)
        await page.getByText('Evaluated against 5 records from the ledger.').waitFor()
        await page.locator('[data-testid="node-condition"] button').focus()
        await page.keyboard.press('Enter')
        await page.locator('#stage-editor-title').getByText('Condition').waitFor()
        expect(await page.getByRole('button', { name: 'Apply to the draft' }).count()).toBe(0)
        await w.shot('06-viewer')
      } catch (e) {
        await failureShot(page, SHOTS)
        throw e
      }
    },
    240_000,
  )
})
