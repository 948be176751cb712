/**
 * The HTTP transport every connector uses: undici with one keep-alive pool per base URL, a budget
 * slot per call, a per-call timeout, and classified failures (see classify.ts). It knows nothing
 * about any vendor's envelope; connectors interpret the parsed body themselves.
 *
 * Nothing secret leaves this file: URLs in logs and errors have secret-named query parameters
 * replaced, every text is scrubbed of the secret values the owner supplies, and bodies are never
 * logged.
 */
import { Pool } from 'undici'
import { redact, scrubText } from '../../core/redact.js'
import { isSecretKey, REDACTED } from '../../core/redact.js'
import type { CallObserver, ConnectorLogger, RateBudget } from '../contract.js'
import { classifyStatus, classifyTransportError, parseJsonBody, retryAfterMs } from './classify.js'

export interface HttpClientOptions {
  /** `https://host[:port][/prefix]`; every call path is appended to it. */
  readonly baseUrl: string
  /** Default whole-call timeout (connect + send + full body), default 30 s. */
  readonly timeoutMs?: number
  /** Connection-open timeout, default 10 s (capped at the call timeout). */
  readonly connectTimeoutMs?: number
  /**
   * Keep-alive sockets per base URL, default 4. Connectors pass their budget's in-flight limit so
   * every call the budget admits has a socket.
   */
  readonly connections?: number
  /** Every call takes a slot from this budget (token calls included). */
  readonly budget?: RateBudget
  readonly log?: ConnectorLogger
  /** Told of every call (path and status class or error code) and of the time spent waiting for the budget. */
  readonly observer?: CallObserver
  /** Secret values (app_secret, tokens) scrubbed from any text this client emits; read per call. */
  readonly secrets?: () => Iterable<string | undefined>
  readonly now?: () => number
}

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path and query, appended to the base URL. */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  /**
   * The request body, or a function building it once the budget slot is granted (so a signed
   * timestamp is not already stale after a long wait for the budget).
   */
  readonly body?: string | (() => string)
  /** True for reads and other calls safe to repeat; false for writes (drives unknown_outcome). */
  readonly idempotent: boolean
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
  /** Statuses that are answers, not transport failures (e.g. a vendor that sends JSON errors with 400). */
  readonly acceptStatus?: (status: number) => boolean
}

export interface HttpResult {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
}

export interface JsonResult extends HttpResult {
  readonly body: unknown
}

const noopLog: ConnectorLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined }

export class HttpClient {
  readonly origin: string
  private readonly prefix: string
  private readonly pool: Pool
  private readonly timeoutMs: number
  private readonly log: ConnectorLogger
  private readonly now: () => number
  private closed = false

  constructor(private readonly options: HttpClientOptions) {
    const url = new URL(options.baseUrl)
    this.origin = url.origin
    this.prefix = url.pathname.replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.log = options.log ?? noopLog
    this.now = options.now ?? Date.now
    this.pool = sharedPool(
      this.origin,
      Math.max(1, Math.floor(options.connections ?? 4)),
      Math.min(options.connectTimeoutMs ?? 10_000, this.timeoutMs),
    )
  }

  /** Scrub secret values and secret-named query parameters from a text. */
  scrub(text: string): string {
    return scrubText(text, this.options.secrets?.() ?? [])
  }

  /** `METHOD origin/path?query` safe for logs and errors. */
  describe(call: Pick<HttpCall, 'method' | 'path'>): string {
    return `${call.method} ${this.scrub(scrubUrl(this.origin + this.prefix + call.path))}`
  }

  /** Send a call and read the full body as text. Throws a classified FerryError on any failure. */
  async send(call: HttpCall): Promise<HttpResult> {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs
    // The scrubbed `METHOD url` is for errors and debug lines only: built on first read, not for
    // every call (it splits the URL once per secret).
    let described: string | undefined
    const describe = () => (described ??= this.describe(call))
    const facts = {
      get target() {
        return describe()
      },
      idempotent: call.idempotent,
      timeoutMs,
      timedOut: false,
      userAborted: false,
    }
    const release = await takeSlot(this.options.budget, this.options.observer, call.signal, this.now)
    const endpoint = (this.prefix + call.path).split('?')[0] ?? ''
    let reported = false
    const ac = new AbortController()
    const timer = setTimeout(() => {
      facts.timedOut = true
      ac.abort()
    }, timeoutMs)
    const onAbort = () => {
      facts.userAborted = true
      ac.abort()
    }
    if (call.signal?.aborted === true) onAbort()
    else call.signal?.addEventListener('abort', onAbort, { once: true })
    const started = this.now()
    try {
      const res = await this.pool.request({
        method: call.method,
        path: this.prefix + call.path,
        headers: call.headers,
        body: typeof call.body === 'function' ? call.body() : call.body,
        signal: ac.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      const text = await res.body.text()
      const headers = flattenHeaders(res.headers)
      const ms = this.now() - started
      this.log.debug(
        {
          get target() {
            return describe()
          },
          status: res.statusCode,
          ms,
        },
        'http call',
      )
      reported = true
      this.options.observer?.call(endpoint, `${Math.floor(res.statusCode / 100)}xx`)
      if (call.acceptStatus?.(res.statusCode) !== true) {
        const ra = headers['retry-after']
        const err = classifyStatus(
          res.statusCode,
          facts,
          retryAfterMs(ra, this.now(), 1_000),
          ra !== undefined && ra.trim() !== '',
        )
        if (err !== undefined) throw err
      }
      return { status: res.statusCode, headers, text }
    } catch (e) {
      const err = classifyTransportError(e, facts, (s) => this.scrub(s))
      this.log.warn({ target: describe(), code: err.code, ms: this.now() - started }, 'http call failed')
      if (!reported) this.options.observer?.call(endpoint, err.code)
      throw err
    } finally {
      clearTimeout(timer)
      call.signal?.removeEventListener('abort', onAbort)
      release()
    }
  }

  /** {@link send}, then parse the body as JSON; unreadable bodies become classified errors. */
  async sendJson(call: HttpCall): Promise<JsonResult> {
    const res = await this.send(call)
    return {
      ...res,
      body: parseJsonBody(res.text, this.factsOf(call), res.status, (s) => this.scrub(s)),
    }
  }

  /** What parseJsonBody needs of a call, its scrubbed target built only if an error quotes it. */
  private factsOf(call: HttpCall): { readonly target: string; readonly idempotent: boolean } {
    let described: string | undefined
    const describe = () => (described ??= this.describe(call))
    return {
      get target() {
        return describe()
      },
      idempotent: call.idempotent,
    }
  }

  /** Give the pool back; it closes when the last client of its base URL is closed. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await releasePool(this.pool)
  }
}

/**
 * Wait for a slot of `budget` (none: at once) and report the wait to `observer`. Connectors that
 * take the slot themselves (to sign after the wait) use it too, so every wait is observed.
 */
export async function takeSlot(
  budget: RateBudget | undefined,
  observer: CallObserver | undefined,
  signal: AbortSignal | undefined,
  now: () => number = Date.now,
): Promise<() => void> {
  if (budget === undefined) return () => undefined
  const t0 = now()
  const release = await budget.acquire(signal)
  observer?.budgetWait(Math.max(0, now() - t0))
  return release
}

/** One keep-alive pool per base URL (and socket settings), shared by every client of that URL. */
const pools = new Map<string, { pool: Pool; refs: number }>()

function sharedPool(origin: string, connections: number, connectTimeoutMs: number): Pool {
  const key = `${origin} ${connections} ${connectTimeoutMs}`
  let entry = pools.get(key)
  if (entry === undefined) {
    entry = {
      pool: new Pool(origin, { connections, keepAliveTimeout: 30_000, connect: { timeout: connectTimeoutMs } }),
      refs: 0,
    }
    pools.set(key, entry)
  }
  entry.refs += 1
  return entry.pool
}

async function releasePool(pool: Pool): Promise<void> {
  for (const [key, entry] of pools) {
    if (entry.pool !== pool) continue
    entry.refs -= 1
    if (entry.refs > 0) return
    pools.delete(key)
    await pool.close()
    return
  }
}

/** Replace values of secret-named query parameters (`?access_token=…`) in a URL. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const key = decodeSafe(eq < 0 ? pair : pair.slice(0, eq))
      return eq >= 0 && isSecretKey(key) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
    })
  return `${url.slice(0, q)}?${params.join('&')}`
}

/** Form fields safe to log: secret-named fields redacted (use for request summaries). */
export function redactForm(fields: Readonly<Record<string, string>>): Record<string, string> {
  return redact({ ...fields })
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return out
}
