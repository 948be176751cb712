/**
 * Connector metrics without touching the connectors: each definition's `open` is wrapped so the
 * runtime gets an observed rate budget (time spent in `acquire`, every `penalise` = a throttled
 * answer) and an observed logger (the HTTP client logs one `http call` line per answer and one
 * `http call failed` line per failure, with the method and URL as `target`).
 *
 * When the connectors report these facts themselves (issue 11), replace this file's wrappers by
 * that hook; the metric names stay.
 */
import type { ConnectorDefinition, ConnectorLogger, RateBudget } from '../connectors/contract.js'
import type { ConnectorCallObserver } from './metrics.js'

/** `POST https://host/open/x?sign=…` → `/open/x`: the endpoint label, bounded by the APIs a connector calls. */
export function endpointOf(target: unknown): string {
  if (typeof target !== 'string') return 'unknown'
  const url = target.replace(/^[A-Z]+ /, '')
  try {
    return new URL(url).pathname
  } catch {
    return url.split('?')[0] ?? 'unknown'
  }
}

function observedBudget(budget: RateBudget, connector: string, obs: ConnectorCallObserver): RateBudget {
  return {
    async acquire(signal) {
      const t0 = performance.now()
      const release = await budget.acquire(signal)
      obs.onBudgetWait(connector, (performance.now() - t0) / 1000)
      return release
    },
    penalise(waitMs) {
      obs.onThrottled(connector)
      budget.penalise(waitMs)
    },
  }
}

function observedLog(log: ConnectorLogger, connector: string, obs: ConnectorCallObserver): ConnectorLogger {
  const seen = (obj: Record<string, unknown>, msg?: string) => {
    if (msg === 'http call')
      obs.onCall(
        connector,
        endpointOf(obj.target),
        typeof obj.status === 'number' ? `${Math.floor(obj.status / 100)}xx` : 'unknown',
      )
    else if (msg === 'http call failed')
      obs.onCall(connector, endpointOf(obj.target), typeof obj.code === 'string' ? obj.code : 'failed')
  }
  return {
    debug: (obj, msg) => {
      seen(obj, msg)
      log.debug(obj, msg)
    },
    info: (obj, msg) => {
      seen(obj, msg)
      log.info(obj, msg)
    },
    warn: (obj, msg) => {
      seen(obj, msg)
      log.warn(obj, msg)
    },
  }
}

export function observeConnectors(
  defs: readonly ConnectorDefinition[],
  obs: ConnectorCallObserver,
): ConnectorDefinition[] {
  return defs.map((def) => ({
    ...def,
    open: (ctx) =>
      def.open({ ...ctx, budget: observedBudget(ctx.budget, def.name, obs), log: observedLog(ctx.log, def.name, obs) }),
  }))
}
