/**
 * The gateway checks every request passes before routing (spec §7 "Verify on every request"):
 * auth version, client id, timestamp window, SignHeaders, then the signature over the decoded query.
 */
import type { SimRequest } from '../common/http.js'
import { gatewayError, type Reply } from './envelope.js'
import { canonicalQuery, hmacHexBase64, naiveCanonicalQuery, sameSignature, stringToSign } from './signing.js'
import type { GatewayOptions, JdyClient } from './types.js'

/** The parts of an HTTP request the simulator looks at. */
export interface ParsedRequest {
  readonly method: string
  readonly path: string
  /** Decoded query pairs in arrival order (repeated keys kept). */
  readonly query: ReadonlyArray<readonly [string, string]>
  /** Lower-cased header names, first value only. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** The simulator's view of a request from the shared HTTP helper: query pairs and first header values. */
export function fromSimRequest(req: SimRequest): ParsedRequest {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) {
    const first = Array.isArray(v) ? v[0] : v
    if (first !== undefined) headers[k.toLowerCase()] = first
  }
  return { method: req.method, path: req.path, query: [...req.query], headers, body: req.body }
}

export function queryValue(req: ParsedRequest, key: string): string | undefined {
  return req.query.find(([k]) => k === key)?.[1]
}

export interface GatewayContext {
  readonly options: GatewayOptions
  readonly clients: ReadonlyMap<string, JdyClient>
  readonly now: number
  /** Nonces seen recently (only used when `rejectNonceReuse`). */
  readonly nonces: Map<string, number>
}

const REQUIRED_SIGN_HEADERS = ['x-api-nonce', 'x-api-timestamp']

/** Returns the calling client, or the gateway's rejection. */
export function checkGateway(req: ParsedRequest, ctx: GatewayContext): { client: JdyClient } | { reply: Reply } {
  const o = ctx.options
  const h = req.headers
  const reject = (code: Parameters<typeof gatewayError>[1], reason: string, detail?: string): { reply: Reply } => ({
    reply: gatewayError(o.httpStatus, code, reason, detail),
  })

  if (h['x-api-auth-version'] !== '2.0') return reject(4001, 'auth_version')
  const clientId = h['x-api-clientid']
  if (clientId === undefined || clientId === '') return reject(4002, 'client_id')
  const client = ctx.clients.get(clientId)
  if (client === undefined) return reject(4003, 'client_id')

  const tsText = h['x-api-timestamp'] ?? ''
  const ts = /^\d{1,16}$/.test(tsText) ? Number(tsText) : NaN
  if (!Number.isFinite(ts) || Math.abs(ctx.now - ts) > o.timestampToleranceMs) return reject(4006, 'timestamp')

  const signHeaders = (h['x-api-signheaders'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
  const listsBoth = REQUIRED_SIGN_HEADERS.every((n) => signHeaders.includes(n))
  const docOrder = signHeaders.join(',') === 'x-api-timestamp,x-api-nonce'
  if (!listsBoth || (o.signHeadersOrder === 'doc' && !docOrder)) return reject(4007, 'sign_headers')
  const nonce = h['x-api-nonce'] ?? ''
  if (nonce === '') return reject(4008, 'signature', 'X-Api-Nonce is empty')

  const signed = signHeaders.map((n) => [n, h[n] ?? ''] as const)
  const given = h['x-api-signature'] ?? ''
  const expected = (cq: string): string =>
    hmacHexBase64(
      client.clientSecret,
      stringToSign({ method: req.method, path: req.path, canonicalQuery: cq, headers: signed }),
    )
  const good =
    sameSignature(given, expected(canonicalQuery(req.query))) ||
    (o.acceptNaiveQueryEncoding && sameSignature(given, expected(naiveCanonicalQuery(req.query))))
  if (!good) return reject(4008, 'signature')

  if (o.rejectNonceReuse) {
    for (const [n, at] of ctx.nonces) if (ctx.now - at > o.timestampToleranceMs) ctx.nonces.delete(n)
    const key = `${clientId}:${nonce}`
    if (ctx.nonces.has(key)) return reject(4008, 'nonce_reused', 'X-Api-Nonce was already used')
    ctx.nonces.set(key, ctx.now)
  }
  return { client }
}
