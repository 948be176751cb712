/** Wires one tiny-vendor connection: orders as a source, invoices as a target. */
import { toFerryError } from '../../../src/core/errors.js'
import type {
  ConnectorContext,
  ConnectorRuntime,
  Page,
  ProbeResult,
  ReadRequest,
  SourceRuntime,
  TargetRuntime,
  WriteOutcome,
  WriteRequest,
} from '../../../src/connectors/contract.js'
import { outcomeOf } from '../../../src/connectors/http/classify.js'
import { HttpClient } from '../../../src/connectors/http/client.js'
import { outcomeOfSave } from './catalogue.js'
import { parseTinyConfig, type TinyOptions } from './config.js'
import { TinyAnswerInvalid } from './errors.js'

function source(http: HttpClient, cfg: TinyOptions, headers: Record<string, string>): SourceRuntime {
  return {
    planWindows: (_api, from, to) => [{ start: from, end: to }],
    async *read(req: ReadRequest): AsyncIterable<Page> {
      for (let page = 1; ; page++) {
        const q = new URLSearchParams({ ...(req.params as Record<string, string>), page: String(page) })
        q.set('size', String(cfg.pageSize))
        const res = await http.sendJson({
          method: 'GET',
          path: `${req.api}?${q.toString()}`,
          headers,
          idempotent: true,
        })
        const body = res.body as { rows?: unknown; has_next?: unknown }
        if (!Array.isArray(body.rows)) throw TinyAnswerInvalid([req.api])
        yield { rows: body.rows as Record<string, unknown>[], pageIndex: page, hasNext: body.has_next === true }
        if (body.has_next !== true) return
      }
    },
  }
}

function target(http: HttpClient, headers: Record<string, string>): TargetRuntime {
  return {
    async write(req: WriteRequest): Promise<WriteOutcome> {
      // A throw (the engine's lease is gone) stops the write unsent and reaches the engine as it is.
      req.beforeSend?.()
      try {
        const res = await http.sendJson({
          method: 'POST',
          path: req.api,
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(req.payload),
          idempotent: false,
        })
        return outcomeOfSave(res.body)
      } catch (e) {
        const err = toFerryError(e)
        return { kind: outcomeOf(e), code: err.code, message: err.message }
      }
    },
    async probe(api: string, key: string): Promise<ProbeResult> {
      const res = await http.sendJson({
        method: 'GET',
        path: `${api}/${encodeURIComponent(key)}`,
        headers,
        idempotent: true,
      })
      const b = res.body as { exists?: unknown; id?: unknown; document?: unknown }
      if (typeof b.exists !== 'boolean') throw TinyAnswerInvalid([api])
      return {
        exists: b.exists,
        ...(typeof b.id === 'string' ? { targetId: b.id } : {}),
        ...(typeof b.document === 'object' && b.document !== null
          ? { document: b.document as Record<string, unknown> }
          : {}),
      }
    },
  }
}

export function openTiny(ctx: ConnectorContext): Promise<ConnectorRuntime> {
  const cfg = parseTinyConfig(ctx.config)
  const http = new HttpClient({
    baseUrl: cfg.baseUrl,
    budget: ctx.budget,
    log: ctx.log,
    ...(ctx.observer === undefined ? {} : { observer: ctx.observer }),
    secrets: () => [cfg.apiKey],
  })
  const headers = { 'x-tiny-key': cfg.apiKey }
  return Promise.resolve({
    source: source(http, cfg, headers),
    target: target(http, headers),
    close: () => http.close(),
  })
}
