/**
 * Business calls to the JDY gateway: signed headers plus `app-token` and `X-GW-Router-Addr`,
 * one self-healing retry on token expiry (1000202001, 4009–4011) or a stale appSecret
 * (1030002006), and the throttle answers fed back into the per-book budget.
 *
 * `call` returns the parsed answer, whatever its errcode, so the bill writer can classify save
 * answers itself; `get` is for reads and throws a classified FerryError on any failure.
 */
import type { FerryError } from '../../core/errors.js'
import type { ConnectorContext } from '../contract.js'
import { HttpClient } from '../http/client.js'
import { outcomeOf } from '../http/classify.js'
import { acceptJdyStatus, JdyAuth, type TokenState } from './auth.js'
import { classify, errorFor, retryAfterMs, type JdyCatalogueEntry } from './catalogue.js'
import type { JdyConfig } from './config.js'
import { answerOf, type JdyAnswer } from './envelope.js'
import { JdyAuthRejected, JdyTokenRejected } from './errors.js'
import { signingHeaders, wireQuery, type QueryParams } from './signing.js'

export interface JdyCall {
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly params?: QueryParams
  readonly body?: unknown
  /** False for saves: a failure after sending becomes unknown_outcome. */
  readonly idempotent: boolean
  readonly signal?: AbortSignal
  /** Last check before the request leaves (see WriteRequest.beforeSend). */
  readonly beforeSend?: () => void
}

export class JdyApi {
  readonly auth: JdyAuth
  private readonly http: HttpClient

  constructor(readonly cfg: JdyConfig, private readonly ctx: ConnectorContext) {
    this.http = new HttpClient({
      baseUrl: cfg.baseUrl,
      timeoutMs: cfg.timeoutMs,
      connectTimeoutMs: cfg.connectTimeoutMs,
      // One socket per call the book's budget lets through (at least the default 4), so latency
      // is hidden instead of queueing behind a fixed pool.
      ...(ctx.inFlight === undefined ? {} : { connections: Math.max(4, ctx.inFlight) }),
      // No budget here: the slot is taken before signing (below), so time spent queueing for the
      // budget never ages X-Api-TimeStamp past the gateway's 5-minute tolerance.
      log: ctx.log,
      secrets: () => this.auth.secrets(),
      now: () => this.now().getTime(),
    })
    this.auth = new JdyAuth(cfg, ctx, this.http)
  }

  now(): Date {
    return this.ctx.now?.() ?? new Date()
  }

  /**
   * One business call with at most one self-healing retry. Transport failures throw the shared
   * classified errors (a save that may have landed throws with `details.outcome = unknown_outcome`).
   */
  async call(c: JdyCall): Promise<JdyAnswer> {
    const first = await this.once(c)
    let answer = first.answer
    const heal = answer.errcode === 0 ? undefined : classify(answer).selfHeal
    if (heal !== undefined) {
      this.ctx.log.warn({ connectionId: this.ctx.connectionId, path: c.path, vendorCode: answer.errcode, heal }, 'jdy auth self-heal')
      // Only the token this call used is dropped; a concurrent call may already hold a newer one.
      await this.auth.invalidate(first.token, heal === 'reauthorize')
      answer = (await this.once(c)).answer
      const again = answer.errcode === 0 ? undefined : classify(answer)
      if (again?.selfHeal !== undefined) {
        const err = again.selfHeal === 'reauthorize' ? JdyAuthRejected : JdyTokenRejected
        throw err([answer.errcode, answer.description], { details: { vendorCode: answer.errcode, path: c.path, outcome: again.outcome } })
      }
    }
    this.noteThrottle(answer)
    return answer
  }

  /** A read: the answer's `data`, or a classified FerryError. */
  async get(path: string, params: QueryParams, signal?: AbortSignal): Promise<unknown> {
    const answer = await this.call({ method: 'GET', path, params, idempotent: true, signal })
    if (answer.errcode !== 0) throw this.failure(answer, path)
    return answer.data
  }

  /** The FerryError for a failed answer, with retryAfterMs for throttles. */
  failure(answer: JdyAnswer, path: string, entry: JdyCatalogueEntry = classify(answer)): FerryError {
    return errorFor(entry, answer, path, entry.outcome === 'rate_limited' ? this.waitFor(answer, entry) : undefined)
  }

  waitFor(answer: JdyAnswer, entry: JdyCatalogueEntry): number {
    return retryAfterMs(answer.retryAfter, this.now()) ?? entry.waitMs ?? 2_000
  }

  /** Tell the per-book budget about a throttle answer so every caller on the book slows down. */
  noteThrottle(answer: JdyAnswer): void {
    if (answer.errcode === 0) return
    const entry = classify(answer)
    if (entry.outcome === 'rate_limited') this.ctx.budget.penalise(this.waitFor(answer, entry))
  }

  /** Feed a thrown transport-level throttle (HTTP 429) into the budget too. */
  noteError(e: FerryError): void {
    if (outcomeOf(e) === 'rate_limited') {
      const ms = Number((e.details as { retryAfterMs?: unknown }).retryAfterMs)
      this.ctx.budget.penalise(Number.isFinite(ms) && ms > 0 ? ms : 2_000)
    }
  }

  private async once(c: JdyCall): Promise<{ answer: JdyAnswer; token: string }> {
    const tok = await this.auth.token(c.signal)
    const release = await this.ctx.budget.acquire(c.signal)
    try {
      c.beforeSend?.()
      return { answer: await this.signedSend(c, tok), token: tok.token }
    } finally {
      release()
    }
  }

  private async signedSend(c: JdyCall, tok: TokenState): Promise<JdyAnswer> {
    const query = wireQuery(c.params)
    const headers: Record<string, string> = {
      ...signingHeaders({ method: c.method, path: c.path, params: c.params }, this.cfg.clientId, this.cfg.clientSecret, this.now()),
      'Content-Type': 'application/json',
      'app-token': tok.token,
      ...(tok.domain === '' ? {} : { 'X-GW-Router-Addr': tok.domain }),
    }
    let res
    try {
      res = await this.http.send({
        method: c.method, path: query === '' ? c.path : `${c.path}?${query}`, headers, idempotent: c.idempotent, signal: c.signal,
        ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
        acceptStatus: acceptJdyStatus,
      })
    } catch (e) {
      this.noteError(e as FerryError)
      throw e
    }
    return answerOf(c.path, res, c.idempotent)
  }

  async close(): Promise<void> {
    await this.http.close()
  }
}
