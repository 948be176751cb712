/**
 * Everything `ferry serve` runs in one process, composed from a configuration: the host (store,
 * connectors, schemes) with the run hub and the metrics watching every run and connector call,
 * the account service and the HTTP app. Tests open it the same way and use `app.inject`.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { FerryConfig } from '../config/types.js'
import type { ConnectorDefinition } from '../connectors/contract.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { openHost, type Host } from '../engine/host.js'
import type { Clock } from '../engine/ports.js'
import type { Store } from '../store/index.js'
import { Metrics } from '../metrics/metrics.js'
import { buildApp } from './app.js'
import { AuthService } from './auth/service.js'
import { engineLoggerFrom } from './logger.js'
import type { ServiceOptions } from './route.js'
import { combineObservers, RunHub } from './run-hub.js'

export interface Service {
  readonly host: Host
  readonly store: Store
  readonly app: FastifyInstance
  readonly hub: RunHub
  readonly metrics: Metrics
  readonly auth: AuthService
  close(): Promise<void>
}

export interface OpenServiceOptions {
  readonly logger: Logger
  readonly options?: ServiceOptions
  readonly clock?: Clock
  readonly connectors?: readonly ConnectorDefinition[]
  /** Process metrics (CPU, memory, event loop); default true. */
  readonly defaultMetrics?: boolean
}

export async function openService(config: FerryConfig, o: OpenServiceOptions): Promise<Service> {
  const metrics = new Metrics({ defaultMetrics: o.defaultMetrics !== false })
  const hub = new RunHub()
  const host = await openHost(config, {
    log: engineLoggerFrom(o.logger),
    connectors: o.connectors ?? BUILTIN_CONNECTORS,
    calls: metrics,
    observer: combineObservers(hub, metrics),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  })
  try {
    metrics.bind(host)
    const auth = new AuthService(host.store)
    const app = await buildApp(
      { host, store: host.store, auth, hub, metrics, options: o.options ?? {} },
      { logger: o.logger },
    )
    return {
      host,
      store: host.store,
      app,
      hub,
      metrics,
      auth,
      async close() {
        await app.close()
        await hub.idle()
        await host.close()
      },
    }
  } catch (e) {
    await host.close()
    throw e
  }
}
