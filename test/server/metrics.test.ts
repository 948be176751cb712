import { afterEach, describe, expect, it } from 'vitest'
import { BUILTIN_CONNECTORS } from '../../src/connectors/builtin.js'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { ledgerCounts } from '../../src/engine/scheduled.js'
import { callObserverFor } from '../../src/connectors/contract.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { serveMetrics } from '../../src/metrics/server.js'
import { world, type World } from '../e2e/support.js'

describe('metrics for a headless Ferry (ferry start --metrics-port)', () => {
  let w: World | undefined
  let host: Host | undefined
  afterEach(async () => {
    await host?.close()
    await w?.close()
    host = undefined
    w = undefined
  })

  it('counts records, runs, vendor calls and budget waits of runs, and serves them on their own port', async () => {
    w = await world({ orders: 40, days: 3, seed: 9 })
    await w.host.close()
    const metrics = new Metrics({ defaultMetrics: false })
    host = await openHost(w.config, {
      log: silentLogger,
      observer: metrics,
      calls: metrics,
    })
    w.host = host
    metrics.bind(host)
    for (const s of host.schemes) await runScheme(host.deps, s)
    const server = await serveMetrics(metrics, 0)
    try {
      const text = await (await fetch(server.url)).text()
      const loss = host.schemes[2]!.id
      const written = await ledgerCounts(host.ports.ledger, loss)
      expect(text).toContain(
        `ferry_records_total{scheme="${loss}",stage="target",outcome="written"} ${written.done ?? 0}`,
      )
      expect(text).toMatch(/ferry_runs_total\{scheme="jdy-materials",stage="source",status="ok"\} 1/)
      expect(text).toMatch(
        /ferry_connector_calls_total\{connector="jushuitan",endpoint="\/open\/[^"]+",outcome="2xx"\} [1-9]/,
      )
      expect(text).toMatch(/ferry_budget_wait_seconds_total\{connector="kingdee-jdy"\}/)
      expect(text).toMatch(new RegExp(`ferry_seconds_since_last_closed_window\\{scheme="${loss}"\\} \\d`))
      expect(text).toContain(`ferry_ledger_records{scheme="${loss}",status="done"} ${written.done ?? 0}`)
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404)
    } finally {
      await server.close()
    }
  }, 90_000)

  it('counts what a connector reports through its call observer, under the connector it was bound to', async () => {
    const metrics = new Metrics({ defaultMetrics: false })
    const name = BUILTIN_CONNECTORS[0]!.name
    const observer = callObserverFor(name, [metrics])
    observer.call('/open/x', '2xx')
    observer.throttled(10)
    observer.budgetWait(1500)
    const text = await metrics.text()
    expect(text).toContain(`ferry_connector_calls_total{connector="${name}",endpoint="/open/x",outcome="2xx"} 1`)
    expect(text).toContain(`ferry_connector_throttled_total{connector="${name}"} 1`)
    expect(text).toContain(`ferry_budget_wait_seconds_total{connector="${name}"} 1.5`)
  })
})
