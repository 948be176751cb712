/**
 * The worker's own small HTTP endpoint (`ferry worker --health-port`): `GET /health` answers 200
 * with the worker's state and jobs while it takes jobs (503 while it stops), `GET /metrics` the
 * Prometheus metrics of its runs and jobs. Bound to loopback unless `--health-host` says otherwise;
 * it carries no secrets (the Redis URL is shown with its password masked).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, Gauge } from 'prom-client'
import type { Metrics } from '../metrics/metrics.js'
import type { JobKind } from './jobs.js'
import type { FerryWorker, JobOutcome } from './worker.js'

/** Job counters on the run metrics' registry; returns the hook FerryWorker calls per finished job. */
export function workerMetrics(metrics: Metrics, worker: () => FerryWorker | undefined) {
  const registers = [metrics.registry]
  const jobs = new Counter({
    name: 'ferry_worker_jobs_total',
    help: 'Queue jobs this worker finished, by kind and outcome (ok, failed, skipped, retried, handed_back).',
    labelNames: ['kind', 'outcome'],
    registers,
  })
  new Gauge({
    name: 'ferry_worker_jobs_active',
    help: 'Queue jobs this worker is running now.',
    registers,
    collect() {
      this.set(worker()?.health().active.length ?? 0)
    },
  })
  return (kind: JobKind, outcome: JobOutcome) => {
    jobs.inc({ kind, outcome })
  }
}

export async function serveHealth(
  worker: FerryWorker,
  metrics: Metrics,
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (req.method === 'GET' && path === '/health') {
      const h = worker.health()
      res.writeHead(h.status === 'running' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h))
      return
    }
    if (req.method === 'GET' && path === '/metrics') {
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
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        code: 'ERR_API_ROUTE_NOT_FOUND',
        message: `no route ${req.method ?? ''} ${req.url ?? ''} (try GET /health or GET /metrics)`,
        details: { kind: 'user' },
      }),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const addr = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
