/**
 * `ferry start --metrics-port`: the metrics alone on their own port (no API, no accounts), bound
 * to loopback unless `--metrics-host` says otherwise, for a headless Ferry scraped by Prometheus.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Metrics } from './metrics.js'

export async function serveMetrics(
  metrics: Metrics,
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          code: 'ERR_API_ROUTE_NOT_FOUND',
          message: `no route ${req.method ?? ''} ${req.url ?? ''}`,
          details: { kind: 'user' },
        }),
      )
      return
    }
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text)
      },
      (e: unknown) => {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`# metrics failed: ${e instanceof Error ? e.message : String(e)}\n`)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const addr = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
