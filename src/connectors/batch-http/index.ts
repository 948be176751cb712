/**
 * A generic batch target over HTTP+JSON, answering in the shape of 金蝶云星空's batchSave
 * (`Result.ResponseStatus.SuccessEntitys[]` / `Errors[]`, each with the row's `DIndex`). It is
 * the smallest connector that accepts `operation: batchArraySave`, and the template for a third
 * connector: one folder, one declaration, registered in BUILTIN_CONNECTORS. Protocol:
 * docs/connectors/batch-http.md.
 */
import { toFerryError } from '../../core/errors.js'
import type {
  BatchWriteRequest,
  ConnectorContext,
  ConnectorRuntime,
  ProbeResult,
  TargetRuntime,
  WriteOutcome,
} from '../contract.js'
import { defineConnector } from '../contract.js'
import { HttpClient } from '../http/client.js'
import { outcomeOf } from '../http/classify.js'

interface Config {
  baseUrl: string
  token: string
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)

/** Per-row outcomes from a batchSave answer; rows it does not mention are unknown. */
export function settleBatchAnswer(body: unknown, count: number): WriteOutcome[] {
  const status =
    isObj(body) && isObj(body.Result) && isObj(body.Result.ResponseStatus) ? body.Result.ResponseStatus : undefined
  const out: WriteOutcome[] = Array.from({ length: count }, () => ({
    kind: 'unknown_outcome',
    message: 'the batch answer does not mention this row',
  }))
  if (status === undefined)
    return out.map(() => ({ kind: 'unknown_outcome', message: 'the batch answer has no Result.ResponseStatus' }))
  for (const s of Array.isArray(status.SuccessEntitys) ? status.SuccessEntitys : []) {
    const i = isObj(s) ? Number(s.DIndex) : NaN
    if (Number.isInteger(i) && i >= 0 && i < count && isObj(s))
      out[i] = { kind: 'ok', ...(text(s.Id) === undefined ? {} : { targetId: text(s.Id) }), response: s }
  }
  for (const e of Array.isArray(status.Errors) ? status.Errors : []) {
    const i = isObj(e) ? Number(e.DIndex) : NaN
    if (!Number.isInteger(i) || i < 0 || i >= count || !isObj(e)) continue
    const message = text(e.Message) ?? 'rejected'
    const code = text(e.ErrorCode)
    out[i] =
      code === 'DUPLICATE'
        ? { kind: 'already_exists', message, response: e, vendorCode: code }
        : { kind: 'data', message, response: e, ...(code === undefined ? {} : { vendorCode: code }) }
  }
  return out
}

class BatchTarget implements TargetRuntime {
  constructor(
    private readonly http: HttpClient,
    private readonly cfg: Config,
    private readonly signal?: AbortSignal,
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

  async write(req: {
    api: string
    payload: Readonly<Record<string, unknown>>
    key: string
    signal?: AbortSignal
  }): Promise<WriteOutcome> {
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
      ...((signal ?? this.signal) === undefined ? {} : { signal: signal ?? this.signal }),
    })
    const body = JSON.parse(res.text) as unknown
    if (!isObj(body) || typeof body.exists !== 'boolean')
      throw toFerryError(new Error(`probe of ${key}: unexpected answer`))
    return {
      exists: body.exists,
      ...(text(body.Id) === undefined ? {} : { targetId: text(body.Id) }),
      ...(isObj(body.document) ? { document: body.document } : {}),
    }
  }
}

export const batchHttp = defineConnector({
  name: 'batch-http',
  title: 'Generic batch target (HTTP+JSON, 星空 batchSave answers)',
  version: 1,
  config: {
    baseUrl: { type: 'url', required: true, title: 'Base URL', description: 'Every call path is appended to it.' },
    token: {
      type: 'secret',
      required: true,
      title: 'Bearer token',
      description: 'Sent as `Authorization: Bearer <token>`; never logged.',
    },
  },
  apis: [{ api: '/batchSave', effect: 'EXECUTE', title: 'batch save (array of documents)', businessKey: 'FBillNo' }],
  errorCatalogue: [
    {
      vendorCode: 'DUPLICATE',
      outcome: 'already_exists',
      ferryKind: 'data',
      meaning: 'A document with this number already exists.',
    },
    { vendorCode: 'INVALID', outcome: 'data', ferryKind: 'data', meaning: 'The row was refused (validation).' },
  ],
  budget: { perSecond: 10, perMinute: 600, inFlight: 2 },
  open(ctx: ConnectorContext): Promise<ConnectorRuntime> {
    const cfg: Config = { baseUrl: String(ctx.config.baseUrl), token: String(ctx.config.token) }
    const http = new HttpClient({
      baseUrl: cfg.baseUrl,
      budget: ctx.budget,
      log: ctx.log,
      ...(ctx.observer === undefined ? {} : { observer: ctx.observer }),
      secrets: () => [cfg.token],
      ...(ctx.inFlight === undefined ? {} : { connections: ctx.inFlight }),
    })
    return Promise.resolve({ target: new BatchTarget(http, cfg), close: () => http.close() })
  },
})
