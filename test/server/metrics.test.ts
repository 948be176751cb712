import { afterEach, describe, expect, it } from 'vitest'
import { BUILTIN_CONNECTORS, openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { ledgerCounts } from '../../src/engine/scheduled.js'
import { observeConnectors, endpointOf } from '../../src/metrics/connectors.js'
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
      connectors: observeConnectors(BUILTIN_CONNECTORS, metrics),
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

  it('labels a call by its path only, never its query (which may carry a signature)', () => {
    expect(endpointOf('POST https://openapi.jushuitan.com/open/inventory/count/query?sign=abc&app_key=k')).toBe(
      '/open/inventory/count/query',
    )
    expect(endpointOf(undefined)).toBe('unknown')
  })

  it('counts a throttled answer when the connector penalises its budget', async () => {
    const metrics = new Metrics({ defaultMetrics: false })
    const [def] = observeConnectors(
      [
        {
          ...BUILTIN_CONNECTORS[0]!,
          open: (ctx) => {
            ctx.budget.penalise(10)
            return Promise.reject(new Error('stop'))
          },
        },
      ],
      metrics,
    )
    await expect(
      def!.open({
        connectionId: 'x',
        config: {},
        credentials: {
          get: () => Promise.resolve(undefined),
          set: () => Promise.resolve(),
          delete: () => Promise.resolve(),
        },
        budget: { acquire: () => Promise.resolve(() => undefined), penalise: () => undefined },
        log: silentLogger,
      }),
    ).rejects.toThrow('stop')
    expect(await metrics.text()).toContain(
      `ferry_connector_throttled_total{connector="${BUILTIN_CONNECTORS[0]!.name}"} 1`,
    )
  })
})
