/**
 * `ferry worker` (takes jobs off the BullMQ queues) and `ferry scheduler` (publishes every
 * crontab as a BullMQ job scheduler and evaluates alerts, without the HTTP API). Both need
 * `queue.redisUrl`; docs/deploy.md shows how to run them under systemd or compose.
 */
import type { Command } from 'commander'
import { openHost, type Host } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'
import { Metrics } from '../metrics/metrics.js'
import { QueueNotConfigured, WorkerOption } from '../queue/errors.js'
import { serveHealth, workerMetrics } from '../queue/health.js'
import { isJobKind, JOB_KINDS, type JobKind } from '../queue/jobs.js'
import { FerryWorker } from '../queue/worker.js'
import { defaultLoad, reportFailure } from './command-host.js'
import { startScheduler } from './start-scheduler.js'
import { withStoredConnections } from './serve-command.js'

const out = (text: string) => {
  process.stdout.write(`${text}\n`)
}

interface WorkerFlags {
  config?: string
  concurrency: string
  queues: string
  healthPort?: string
  healthHost: string
  shutdownTimeout: string
  json?: boolean
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw WorkerOption([option, `expected a whole number from ${min} to ${max}, got "${text}"`])
  return n
}

function kindsOf(text: string): JobKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '')
  for (const k of kinds)
    if (!isJobKind(k))
      throw WorkerOption(['--queues', `unknown job kind "${k}"; expected some of ${JOB_KINDS.join(',')}`])
  if (kinds.length === 0) throw WorkerOption(['--queues', 'name at least one job kind'])
  return [...new Set(kinds)] as JobKind[]
}

/** Resolves on SIGINT/SIGTERM (or when `signal` aborts). */
function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
    signal?.addEventListener('abort', () => resolve(), { once: true })
  })
}

/** Run a worker until SIGTERM/SIGINT; exported for tests and the cluster bench. */
export async function runWorker(flags: WorkerFlags, signal?: AbortSignal): Promise<void> {
  const concurrency = wholeNumber('--concurrency', flags.concurrency, 1, 256)
  const kinds = kindsOf(flags.queues)
  const shutdownTimeoutMs = wholeNumber('--shutdown-timeout', flags.shutdownTimeout, 0, 86_400) * 1000
  const healthPort =
    flags.healthPort === undefined ? undefined : wholeNumber('--health-port', flags.healthPort, 0, 65535)
  const config = await withStoredConnections(defaultLoad(flags.config))
  if (config.queue === undefined) throw QueueNotConfigured(['ferry worker'])
  const log = createLogger()
  const metrics = new Metrics()
  let worker: FerryWorker | undefined
  const onJob = workerMetrics(metrics, () => worker)
  const host: Host = await openHost(config, {
    log,
    observer: metrics,
    calls: metrics,
  })
  metrics.bind(host)
  let health: Awaited<ReturnType<typeof serveHealth>> | undefined
  try {
    worker = await FerryWorker.start({
      host,
      queue: config.queue,
      kinds,
      concurrency,
      shutdownTimeoutMs,
      log,
      onJob,
    })
    if (healthPort !== undefined) health = await serveHealth(worker, metrics, healthPort, flags.healthHost)
    if (flags.json === true)
      out(
        JSON.stringify({
          worker: worker.id,
          kinds,
          concurrency,
          ...(health === undefined ? {} : { health: health.url }),
        }),
      )
    else {
      out(`worker ${worker.id}: ${kinds.join(', ')} jobs, ${concurrency} at a time per kind`)
      if (health !== undefined) out(`health: ${health.url}`)
    }
    await untilStopped(signal)
    if (flags.json !== true) out('stopping: finishing the jobs in progress')
    await worker.stop()
  } finally {
    await worker?.stop()
    await health?.close()
    await host.close()
  }
}

export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description('take source, target, remedy and reconcile jobs from the queues (needs queue.redisUrl)')
    .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
    .option('--concurrency <n>', 'jobs run at once per job kind', '1')
    .option('--queues <kinds>', `job kinds to take, comma-separated (${JOB_KINDS.join(',')})`, JOB_KINDS.join(','))
    .option('--health-port <port>', 'serve GET /health and GET /metrics on this port (0: any free port, printed)')
    .option('--health-host <host>', 'address for --health-port', '127.0.0.1')
    .option(
      '--shutdown-timeout <seconds>',
      'on SIGTERM, wait this long for jobs in progress before handing them back',
      '30',
    )
    .option('--json', 'machine-readable start line')
    .action(async (c: WorkerFlags) => {
      try {
        await runWorker(c)
      } catch (e) {
        reportFailure(e, c.json === true)
      }
    })

  program
    .command('scheduler')
    .description('publish every crontab as a queue job scheduler and evaluate alerts (needs queue.redisUrl)')
    .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
    .option('--json', 'machine-readable output')
    .action(async (c: { config?: string; json?: boolean }) => {
      let host: Host | undefined
      try {
        const config = await withStoredConnections(defaultLoad(c.config))
        if (config.queue === undefined) throw QueueNotConfigured(['ferry scheduler'])
        host = await openHost(config, { log: createLogger() })
        await startScheduler(host, c.json === true)
      } catch (e) {
        reportFailure(e, c.json === true)
      } finally {
        await host?.close()
      }
    })
}
