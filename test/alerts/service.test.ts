import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseAlertsSection } from '../../src/config/alerts.js'
import { AlertService } from '../../src/alerts/service.js'
import { openStore, type Store } from '../../src/store/index.js'

const quiet = { info: () => undefined, warn: () => undefined }

describe('the alert service across processes', () => {
  const stores: Store[] = []
  let dir = ''
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('evaluates in one process only while it holds the evaluator lease, and another takes over after it stops', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-alert-svc-'))
    const key = randomBytes(32)
    const url = `sqlite:${join(dir, 'ferry.db')}`
    const a = await openStore({ url, masterKey: key })
    const b = await openStore({ url, masterKey: key })
    stores.push(a, b)
    const setup = parseAlertsSection({ interval: '10s' })
    const svcA = await AlertService.open({ store: a, setup, schemes: [], log: quiet, holder: 'A' })
    const svcB = await AlertService.open({ store: b, setup, schemes: [], log: quiet, holder: 'B' })
    expect(await svcA.tick()).toBeDefined()
    expect(await svcB.tick()).toBeUndefined()
    expect(await svcA.tick()).toBeDefined()
    await svcA.stop()
    expect(await svcB.tick()).toBeDefined()
    await svcB.stop()
  })
})

describe('alert settings', () => {
  it('merges rule overrides: defaults, then the config, then the scheme file, then the config per scheme', () => {
    const s = parseAlertsSection(
      {
        rules: { freshness: { after: '3h' }, consecutiveFailures: { count: 5 } },
        schemes: { orders: { rules: { consecutiveFailures: { count: 2 } } } },
      },
      { orders: { rules: { freshness: { after: '30m' }, consecutiveFailures: { count: 9 }, throttled: false } } },
    )
    expect(s.config.rules.freshness.afterMs).toBe(3 * 3_600_000)
    const orders = s.config.schemes.orders?.rules
    expect(orders?.freshness.afterMs).toBe(30 * 60_000)
    expect(orders?.consecutiveFailures.count).toBe(2)
    expect(orders?.throttled.enabled).toBe(false)
  })

  it('reports every bad setting with its path', () => {
    let problems: { location?: string }[] = []
    try {
      parseAlertsSection({
        language: 'fr',
        quietHours: { from: '25:00', to: '08:00' },
        channels: { x: { type: 'slack' }, y: { type: 'email', host: 'h', from: 'a@b' } },
        rules: { freshnes: {} },
      })
    } catch (e) {
      problems = (e as { details: { problems: { location?: string }[] } }).details.problems
    }
    expect(problems.map((p) => p.location)).toEqual(
      expect.arrayContaining([
        'alerts.language',
        'alerts.quietHours.from',
        'alerts.channels.x.type',
        'alerts.channels.y.to',
        'alerts.rules.freshnes',
      ]),
    )
  })
})

describe('alert settings from scheme files', () => {
  it("reads a scheme file's `alerts` key under the configuration's per-scheme overrides", async () => {
    const { alertsSetup } = await import('../../src/alerts/service.js')
    const { writeFileSync } = await import('node:fs')
    const d = mkdtempSync(join(tmpdir(), 'ferry-alert-files-'))
    try {
      const file = join(d, 'orders.json')
      writeFileSync(
        file,
        JSON.stringify({
          id: 'orders',
          name: 'orders',
          alerts: { rules: { freshness: { after: '45m' }, volume: false } },
        }),
      )
      const setup = await alertsSetup({
        schemes: [],
        config: {
          schemes: [{ file, enabled: true }],
          alerts: { schemes: { orders: { rules: { volume: true } } } },
        } as unknown as Parameters<typeof alertsSetup>[0]['config'],
      })
      expect(setup.config.schemes.orders?.rules.freshness.afterMs).toBe(45 * 60_000)
      expect(setup.config.schemes.orders?.rules.volume.enabled).toBe(true)
    } finally {
      rmSync(d, { recursive: true, force: true })
    }
  })
})
