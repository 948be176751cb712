/**
 * The dashboard slice of the console in Chromium: the dashboard's figures and chart, a run started
 * on the scheme page whose counters move live (SSE), a hand-picked retry of a parked record after
 * its master data is fixed, a reconciliation and its differences, connections with write-only
 * secrets, the language switch, and a viewer without write controls.
 */
import { afterEach, describe, expect } from 'vitest'
import { LOSS, oracle } from '../e2e/support.js'
import { browserTest, failureShot, openConsole, signIn, type ConsoleWorld } from './harness.js'

const SHOTS = 'console-dashboard'
const WRITTEN = `document.querySelector('[data-testid="live-run"] [data-counter="target.written"]')`
/** In the page (no DOM types here): note each value the live counter is drawn with while the run goes. */
const NOTE_WRITTEN = `(() => {
  const seen = []
  window.seenWritten = seen
  new MutationObserver(() => {
    const status = document.querySelector('[data-testid="live-run"]')?.getAttribute('data-status')
    const v = ${WRITTEN}?.textContent
    if (status === 'running' && v != null && seen.at(-1) !== v) seen.push(v)
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
})()`
/**
 * Click Run now and answer the run's id. The server runs the schemes' crontabs on the wall clock:
 * a scheduled run that took the lease after the page loaded refuses the click (409), so wait for it
 * to end and click again.
 */
async function runNow(w: ConsoleWorld): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const started = w.page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith(`/schemes/${LOSS}/runs`),
    )
    await w.page.getByRole('button', { name: '立即同步' }).click()
    const r = await started
    const body = (await r.json()) as { runId?: string; code?: string }
    if (r.status() === 202 && body.runId !== undefined) return body.runId
    expect(body.code, 'Run now refused').toBe('ERR_SCHEME_BUSY')
    expect(attempt, 'Run now refused three times').toBeLessThan(3)
    const runs = (await (
      await fetch(`${w.base}api/v1/runs?scheme=${LOSS}&limit=5`, { headers: { authorization: `Bearer ${w.token}` } })
    ).json()) as { runs: { id: string; status: string }[] }
    for (const run of runs.runs) if (run.status === 'running') await w.settled(run.id)
    await w.page.reload()
    await w.page.evaluate(NOTE_WRITTEN)
  }
}

const title =
  'shows every scheme, watches a run count live, retries a hand-picked parked record to done, reconciles a range, keeps secrets write-only, switches language and hides writes from a viewer'

describe('the console dashboard in Chromium', () => {
  let w: ConsoleWorld | undefined
  afterEach(async () => {
    await w?.close()
  })

  browserTest(
    'console dashboard browser test',
    title,
    async () => {
      w = await openConsole({ shots: SHOTS })
      const { page, base, sandbox: sb, svc } = w
      const passwords = { operator: 'operator-password-1', viewer: 'viewer-password-1' }
      await svc.auth.addUser('olga', 'operator', passwords.operator)
      await svc.auth.addUser('victor', 'viewer', passwords.viewer)
      await svc.auth.addUser('ada', 'admin', 'admin-password-1')
      // Master data first; the count scheme is run from the console below.
      for (const s of ['jdy-materials', 'jdy-stores']) expect(await w.run(`schemes/${s}/runs`)).toBe('succeeded')
      const parked = oracle(sb.jst.orders.latest(), sb.dataset.jdy).parked
      expect(parked.size).toBeGreaterThanOrEqual(2)
      try {
        // Sign in (zh-CN by default): every scheme, the chart drawn (ECharts, a lazy chunk).
        await signIn(page, base, 'olga', passwords.operator)
        await page.locator(`tr[data-scheme="${LOSS}"]`).waitFor()
        expect(await page.locator('tr[data-scheme]').count()).toBe(3)
        await page.locator('[data-testid="chart"] canvas').first().waitFor()
        expect(await page.locator('th', { hasText: '延迟' }).count()).toBe(1)
        await w.shot('01-dashboard')

        // The scheme page: run now, and the counters move while the run goes (Server-Sent Events).
        await page.locator(`tr[data-scheme="${LOSS}"] a.strong`).click()
        await page.getByRole('button', { name: '立即同步' }).waitFor()
        // Every value the counter shows while the run goes is noted in the page as it is drawn: how
        // often this process gets to look depends on the machine's load, and a look can miss values.
        await page.evaluate(NOTE_WRITTEN)
        // Each save answers after 300 ms, so the run lasts seconds and its counters are drawn
        // several times; 24 quick saves arrive between two frames and are drawn once, at the end.
        sb.jdy.faults.set([
          {
            endpoint: 'POST /jdy/v2/scm/inv_check_loss_bill',
            when: { always: true },
            fault: { kind: 'latency', ms: 300 },
          },
        ])
        let runId = ''
        try {
          runId = await runNow(w)
          // The scheme's own run, by its id: a scheduled run the page followed before has a status too.
          const counter = `document.querySelector('[data-run="${runId}"] [data-counter="target.written"]')`
          await page.waitForFunction(`Number(${counter}?.textContent) > 0`, undefined, {
            polling: 'raf',
            timeout: 60_000,
          })
          await w.shot('02-scheme-live')
          expect(await w.settled(runId)).toBe('succeeded')
        } finally {
          sb.jdy.faults.set([])
        }
        const live = page.locator(`[data-testid="live-run"][data-run="${runId}"]`)
        await live.and(page.locator('[data-status="succeeded"]')).waitFor()
        expect(Number(await live.getAttribute('data-events')), 'progress events received').toBeGreaterThan(1)
        const seen = await page.evaluate<string[]>('window.seenWritten')
        expect(new Set(seen).size, `target.written values drawn while running: ${seen.join(', ')}`).toBeGreaterThan(1)
        const finalWritten = Number(await live.locator('[data-counter="target.written"]').textContent())
        const book = sb.jdy.bills.list().length
        expect(finalWritten).toBe(book)
        // The history shows the run with its counters per stage.
        const history = page.locator('[data-testid="run-history"] tr[data-run]')
        await expect.poll(() => history.count()).toBeGreaterThanOrEqual(1)
        await history.first().getByRole('button').click()
        await page.locator('[data-testid="run-history"] [data-counter="source.fetched"]').waitFor()
        await w.shot('03-scheme-done')

        // A parked record: fix its master data, re-read it, then pick it (checkbox) and retry the selection.
        const [recordId, skus] = [...parked.entries()][0]!
        const template = sb.dataset.jdy.materials[0]!
        let n = 0
        for (const sku of skus) {
          const res = await fetch(`${sb.info().jdy.admin}master-data/material`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${sb.adminToken}` },
            body: JSON.stringify({ ...template, id: `990000${++n}`, number: sku, name: `added ${sku}` }),
          })
          expect(res.status).toBe(200)
        }
        expect(await w.run('schemes/jdy-materials/backfill', { from: '2020-01-01' })).toBe('succeeded')
        await page.goto(`${base}#/schemes/${LOSS}/records?status=error`)
        const row = page.locator(`[data-testid="records"] tr[data-record="${recordId}"]`)
        await row.waitFor()
        await row.locator('[data-testid="pick"]').check()
        const retrySelected = page.locator('[data-testid="retry-selected"]')
        expect(await retrySelected.textContent()).toBe('重新推送所选（1）')
        await w.shot('04-records-picked')
        const retried = page.waitForResponse(
          (r) => r.request().method() === 'POST' && r.url().endsWith('/records/retry'),
        )
        await retrySelected.click()
        const answer = (await (await retried).json()) as { requeued: string[]; runId: string | null }
        expect(answer.requeued).toEqual([recordId])
        await page.getByRole('status').filter({ hasText: '1' }).first().waitFor()
        // The retry's own run; or, when a scheduled run held the lease, the one that follows it.
        if (answer.runId !== null) expect(await w.settled(answer.runId)).toBe('succeeded')
        else
          await expect
            .poll(async () => (await svc.host.ports.ledger.getRecord({ schemeId: LOSS, recordId }))?.status, {
              timeout: 60_000,
            })
            .toBe('done')
        await page.goto(`${base}#/schemes/${LOSS}/records?record=${encodeURIComponent(recordId)}`)
        await page.locator('[data-testid="record-drawer"] .badge.s-done').waitFor()
        expect(sb.jdy.bills.list().some((b) => b.bill_no === recordId)).toBe(true)
        await w.shot('05-record-done')

        // Reconcile: a bill lost in the target shows as a difference of the range.
        const lost = sb.jdy.bills.list().find((b) => b.bill_no !== recordId)!
        sb.jdy.bills.bills.delete(lost.id)
        await page.goto(`${base}#/schemes/${LOSS}/reconcile`)
        const form = page.locator('[data-testid="reconcile-form"]')
        const pad = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16)
        await form.locator('input[name="from"]').fill(pad(new Date(Date.now() - 5 * 86_400_000)))
        await form.locator('input[name="to"]').fill(pad(new Date(Date.now() + 3_600_000)))
        await form.getByRole('button', { name: '开始对账' }).click()
        const missing = page.locator('[data-testid="differences"] tr[data-kind="missing"]')
        await missing.first().waitFor({ timeout: 30_000 })
        expect(await page.locator('[data-testid="differences"]').textContent()).toContain(lost.bill_no)
        await w.shot('06-reconcile')

        // Connections: secrets only as set / not set, never their values; no edit button below admin.
        await page.goto(`${base}#/connections`)
        const jdy = page.locator('tr[data-connection="jdy"]')
        await jdy.waitFor()
        expect(await jdy.locator('[data-setting="clientSecret"]').textContent()).toBe('已设置')
        const html = await page.content()
        const info = sb.info()
        for (const secret of [info.jdy.clientSecret, info.jdy.appSecret, info.jst.appSecret, info.jst.accessToken])
          expect(html.includes(secret), 'a secret value in the page').toBe(false)
        expect(await page.getByRole('button', { name: '编辑' }).count()).toBe(0)
        await w.shot('07-connections')

        // English: the dashboard's headings change with the language.
        await page.locator('[data-testid="lang-switch"]').click()
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en')
        await page.locator('h1', { hasText: 'Connections' }).waitFor()
        await page.goto(base)
        await page.locator('th', { hasText: 'Lag' }).waitFor()
        await page.getByText('Records per day (written; read for master data)').first().waitFor()
        await w.shot('08-dashboard-en')

        // An admin edits a connection: secrets start empty and, left empty, keep their stored value.
        await w.context.clearCookies()
        await signIn(page, base, 'ada', 'admin-password-1')
        await page.goto(`${base}#/connections`)
        await page.locator('tr[data-connection="jdy"]').getByRole('button', { name: 'Edit' }).click()
        const editForm = page.locator('[data-testid="connection-form"]')
        expect(await editForm.locator('input[name="clientSecret"]').inputValue()).toBe('')
        expect(await editForm.locator('input[name="clientSecret"]').getAttribute('type')).toBe('password')
        expect(await editForm.locator('input[name="baseUrl"]').inputValue()).toBe(info.jdy.url)
        await editForm.getByRole('button', { name: 'Save' }).click()
        await page.getByText('Connection jdy saved').waitFor()
        const savedRow = page.locator('tr[data-connection="jdy"]')
        await savedRow.getByText('Console / API (store)').waitFor()
        expect(await savedRow.locator('[data-setting="clientSecret"]').textContent()).toBe('Set')
        expect((await svc.host.store.connections.get('jdy')).config.clientSecret).toBe(info.jdy.clientSecret)
        expect((await page.content()).includes(info.jdy.clientSecret)).toBe(false)
        await w.shot('09-connection-saved')

        // A viewer: no run button, no checkboxes, no reconcile form.
        await w.context.clearCookies()
        await signIn(page, base, 'victor', passwords.viewer)
        await page.goto(`${base}#/schemes/${LOSS}`)
        await page.locator('[data-testid="run-history"]').waitFor()
        expect(await page.getByRole('button', { name: 'Run now' }).count()).toBe(0)
        await page.goto(`${base}#/schemes/${LOSS}/records`)
        await page.locator('[data-testid="records"] tr[data-record]').first().waitFor()
        expect(await page.locator('[data-testid="pick"]').count()).toBe(0)
        expect(await page.locator('[data-testid="retry-selected"]').count()).toBe(0)
        await page.goto(`${base}#/schemes/${LOSS}/reconcile`)
        await page.locator('[data-testid="reconcile-results"]').waitFor()
        expect(await page.locator('[data-testid="reconcile-form"]').count()).toBe(0)
        await w.shot('10-viewer')
      } catch (e) {
        await failureShot(page, SHOTS)
        throw e
      }
    },
    300_000,
  )
})
