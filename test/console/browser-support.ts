/**
 * What the console's browser tests share: where chromium is, how it is started without a network,
 * screenshots checked non-blank, sign-in, a console built from the sources under test, and waiting
 * for a run through the API.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { build } from 'vite'
import { expect } from 'vitest'
import { pngStats } from './png.js'

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium'
export const CI = process.env.CI === 'true'
export const MISSING = !existsSync(CHROMIUM)
export const ROOT = join(import.meta.dirname, '../..')
export const SHOTS = join(ROOT, 'test-results', 'console')

// The machine has no internet: without these Chromium waits on network services at start.
export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A screenshot under test-results/console/, refused when blank (one or two colours) or not 1280 wide. */
export async function shot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: false })
  mkdirSync(SHOTS, { recursive: true })
  writeFileSync(join(SHOTS, `${name}.png`), png)
  const s = pngStats(png)
  expect(s.width, name).toBe(1280)
  // A blank or single-colour page (white screen, crash) has one or two colours; a drawn page has many.
  expect(s.colours, `${name}: colours in the screenshot`).toBeGreaterThan(16)
}

export async function waitForRun(base: string, token: string, runId: string): Promise<string> {
  for (;;) {
    const r = (await (
      await fetch(`${base}api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { status: string }
    if (r.status !== 'running') return r.status
    await new Promise((res) => setTimeout(res, 200))
  }
}

export async function signIn(page: Page, base: string, name: string, password: string): Promise<void> {
  await page.goto(base)
  await page.locator('input[name="name"]').fill(name)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('button[type="submit"]').click()
  await page.locator('[data-testid="user"]').waitFor()
}

/** Build the console from the sources under test into `outDir`. */
export async function buildConsole(outDir: string): Promise<void> {
  await build({
    configFile: join(ROOT, 'console/vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  })
}
