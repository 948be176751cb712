/** Wires one batch-http connection: an HTTP client on the base URL and the batch target. */
import { toFerryError } from '../../core/errors.js'
import type {
  BatchWriteRequest,
  ConnectorContext,
  ConnectorRuntime,
  ProbeResult,
  TargetRuntime,
  WriteOutcome,
  WriteRequest,
} from '../contract.js'
import { HttpClient } from '../http/client.js'
import { outcomeOf } from '../http/classify.js'
import { settleBatchAnswer } from './catalogue.js'
import { parseBatchHttpConfig, type BatchHttpOptions } from './config.js'
import { BatchHttpProbeAnswer } from './errors.js'

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)

class BatchTarget implements TargetRuntime {
  constructor(
    private readonly http: HttpClient,
    private readonly cfg: BatchHttpOptions,
  ) {}

  private headers() {
    return { authorization: `Bearer ${this.cfg.token}`, 'content-type': 'application/json' }
  }

  async writeBatch(req: BatchWriteRequest): Promise<WriteOutcome[]> {
    try {
      const res = await this.http.send({
        method: 'POST',
        path: req.api,
        headers: this.headers(),
        idempotent: false,
        body: JSON.stringify({ [req.rowsKey]: req.items.map((i) => i.payload) }),
        ...(req.signal === undefined ? {} : { signal: req.signal }),
        acceptStatus: (s) => s === 200,
      })
      return settleBatchAnswer(JSON.parse(res.text) as unknown, req.items.length)
    } catch (e) {
      const err = toFerryError(e)
      const kind = outcomeOf(e)
      return req.items.map(() => ({ kind, message: err.message, code: err.code }))
    }
  }

  async write(req: WriteRequest): Promise<WriteOutcome> {
    const [o] = await this.writeBatch({
      api: req.api,
      rowsKey: 'array',
      items: [{ payload: req.payload, key: req.key }],
      ...(req.signal === undefined ? {} : { signal: req.signal }),
    })
    return o ?? { kind: 'unknown_outcome', message: 'empty batch answer' }
  }

  async probe(api: string, key: string, signal?: AbortSignal): Promise<ProbeResult> {
    const res = await this.http.send({
      method: 'GET',
      path: `${api}/query?number=${encodeURIComponent(key)}`,
      headers: this.headers(),
      idempotent: true,
      ...(signal === undefined ? {} : { signal }),
    })
    let body: unknown
    try {
      body = JSON.parse(res.text)
    } catch {
      body = undefined
    }
    if (!isObj(body) || typeof body.exists !== 'boolean') throw BatchHttpProbeAnswer([api, key])
    return {
      exists: body.exists,
      ...(text(body.Id) === undefined ? {} : { targetId: text(body.Id) }),
      ...(isObj(body.document) ? { document: body.document } : {}),
    }
  }
}

export function openBatchHttp(ctx: ConnectorContext): Promise<ConnectorRuntime> {
  const cfg = parseBatchHttpConfig(ctx.config)
  const http = new HttpClient({
    baseUrl: cfg.baseUrl,
    budget: ctx.budget,
    log: ctx.log,
    ...(ctx.observer === undefined ? {} : { observer: ctx.observer }),
    secrets: () => [cfg.token],
    ...(ctx.inFlight === undefined ? {} : { connections: ctx.inFlight }),
  })
  return Promise.resolve({ target: new BatchTarget(http, cfg), close: () => http.close() })
}
