/**
 * Wires one 聚水潭 connection: an HTTP client for its base URL (sharing the credential's budget),
 * the signed caller, the token manager and the readers, behind the engine's SourceRuntime.
 */
import { systemClock } from '../budget-clock.js'
import type { ConnectorContext, ConnectorRuntime, Page, ReadRequest, SourceRuntime } from '../contract.js'
import { ConnectorApiUnknown } from '../errors.js'
import { HttpClient } from '../http/client.js'
import { JstCaller } from './api.js'
import { jstOptions, type JstOptions } from './config.js'
import { COUNT_API, JstReaders, PARTNER_API, SKU_API, type Business } from './readers.js'
import { businessParams } from './sign.js'
import { JstTokens } from './tokens.js'
import { planWindows } from './windows.js'
import { parseJstTime } from './time.js'

export interface JstRuntime extends ConnectorRuntime {
  readonly source: SourceRuntime
  /** Internals exposed for observability and tests (counters only, no secrets). */
  readonly internals: {
    readonly business: Business
    readonly caller: JstCaller
    readonly tokens: JstTokens
    readonly readers: JstReaders
    readonly options: JstOptions
  }
}

export function openJst(ctx: ConnectorContext): JstRuntime {
  const options = jstOptions(ctx.config)
  const now = () => (ctx.now?.() ?? new Date()).getTime()
  const sleep = ctx.sleep ?? ((ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal))
  const late: { tokens?: JstTokens } = {}
  const http = new HttpClient({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    budget: ctx.budget,
    // One socket per call the app's budget lets through (at least the default 4).
    ...(ctx.inFlight === undefined ? {} : { connections: Math.max(4, ctx.inFlight) }),
    log: ctx.log,
    ...(ctx.observer === undefined ? {} : { observer: ctx.observer }),
    now,
    // Secrets known right now, including tokens obtained at run time.
    secrets: () => [options.appSecret, options.accessToken, options.refreshToken, late.tokens?.heldToken()],
  })
  const caller = new JstCaller({
    http,
    options,
    budget: ctx.budget,
    log: ctx.log,
    now,
    sleep,
    ...(ctx.observer === undefined ? {} : { observer: ctx.observer }),
  })
  const t = new JstTokens({
    caller,
    store: ctx.credentials,
    connectionId: ctx.connectionId,
    options,
    now,
    log: ctx.log,
  })
  late.tokens = t

  const business = async (api: string, biz: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> => {
    const text = JSON.stringify(biz) // serialised once: the signed string is the sent string (spec §3.2)
    let used: string | undefined
    let renewed = false
    return caller.post(
      api,
      async () => {
        const token = await t.current(signal)
        used = token
        return (ts) => businessParams(options.appKey, token, ts, text)
      },
      signal,
      async (_code, entry) => {
        if (entry.action !== 'refresh_token' || renewed || used === undefined) return false
        renewed = true
        caller.stats.tokenRenewals += 1
        await t.renew(used, signal)
        return true
      },
    )
  }
  const readers = new JstReaders(business, options)

  const source: SourceRuntime = {
    planWindows(api, from, to) {
      if (api === PARTNER_API) return [{ start: from, end: to }]
      return planWindows(from, to, new Date(now()), options)
    },
    read(req: ReadRequest): AsyncIterable<Page> {
      switch (req.api) {
        case COUNT_API:
          return readers.counts(req.params, req.window, req.signal)
        case SKU_API:
          return readers.skus(req.params, req.window, req.signal)
        case PARTNER_API:
          return readers.warehouses(req.params, req.signal)
        default:
          throw ConnectorApiUnknown(['jushuitan', req.api, [COUNT_API, SKU_API, PARTNER_API].join(', ')])
      }
    },
    rowTime(api, row) {
      // Both windowed apis are windowed by `modified`; the warehouse list has no windows.
      if (api !== COUNT_API && api !== SKU_API) return undefined
      const ms = parseJstTime(row.modified)
      return ms === undefined ? undefined : new Date(ms)
    },
  }

  return {
    source,
    readers: {
      warehouses: (params) => readers.warehouses(params ?? {}),
      skus: (params) => readers.skus(params ?? {}, undefined),
      counts: (params) => readers.counts(params ?? {}, undefined),
    },
    internals: { business, caller, tokens: t, readers, options },
    close: () => http.close(),
  }
}
