/**
 * Business calls to the JDY gateway: signed headers plus `app-token` and `X-GW-Router-Addr`,
 * one self-healing retry on token expiry (1000202001, 4009–4011) or a stale appSecret
 * (1030002006), and the throttle answers fed back into the per-book budget.
 *
 * `call` returns the parsed answer, whatever its errcode, so the bill writer can classify save
 * answers itself; `get` is for reads and throws a classified FerryError on any failure.
 */
import { toFerryError, type FerryError } from '../../core/errors.js'
import { systemClock } from '../budget-clock.js'
import type { ConnectorContext } from '../contract.js'
import { HttpClient, takeSlot } from '../http/client.js'
import { outcomeOf } from '../http/classify.js'
import { fastRetryable, fastRetryDelay, THROTTLE_RETRIES } from '../http/fast-retry.js'
import { acceptJdyStatus, JdyAuth, type TokenState } from './tokens.js'
import { classify, errorFor, retryAfterMs, type JdyCatalogueEntry } from './catalogue.js'
import type { JdyConfig } from './config.js'
import { answerOf, type JdyAnswer } from './envelope.js'
import { JdyAuthRejected, JdyTokenRejected } from './errors.js'
import { signingHeaders, wireQuery, type QueryParams } from './sign.js'

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
  /** Failures of getting a token (not of the business call), which `call` passes on untouched. */
  private readonly tokenErrors = new WeakSet<object>()

  constructor(
    readonly cfg: JdyConfig,
    private readonly ctx: ConnectorContext,
  ) {
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
      ...(ctx.observer === undefined ? {} : { observer: ctx.observer }),
      secrets: () => this.auth.secrets(),
      now: () => this.now().getTime(),
    })
    this.auth = new JdyAuth(cfg, ctx, this.http)
  }

  now(): Date {
    return this.ctx.now?.() ?? new Date()
  }

  /**
   * One business call. Below the engine, so that it rarely sees any of these: a throttle answer
   * (HTTP 429, or for reads any rate_limited answer; for saves only answers that say the gateway
   * refused the call before running it) slows the book's budget and is sent again once the budget
   * lets it; a transient failure of a read, or a save that never left, gets a few fast jittered
   * retries; a token the gateway calls expired is renewed once (see {@link healed}). A save that
   * may have run is never repeated here. What remains is returned (answers) or thrown (classified
   * transport errors; a save that may have landed throws with `details.outcome = unknown_outcome`).
   */
  async call(c: JdyCall): Promise<JdyAnswer> {
    let throttled = 0
    let transient = 0
    for (;;) {
      let answer: JdyAnswer
      try {
        answer = await this.healed(c)
      } catch (e) {
        const err = toFerryError(e)
        // The token endpoint has its own small quota (2/min) and its own rules (tokens.ts): not retried here.
        if (this.tokenErrors.has(err)) throw err
        const outcome = outcomeOf(err)
        // HTTP 429 is thrown by the transport: the gateway refused the call, so even a save is safe to send again.
        if (outcome === 'rate_limited' && throttled < THROTTLE_RETRIES) {
          throttled++
          continue
        }
        if (fastRetryable(err, outcome, c.idempotent) && (await this.pause(++transient, c, err.code))) continue
        throw err
      }
      if (answer.errcode !== 0) {
        const entry = classify(answer)
        if (
          entry.outcome === 'rate_limited' &&
          throttled < THROTTLE_RETRIES &&
          (c.idempotent || refusedAtGateway(answer))
        ) {
          throttled++
          continue
        }
        if (
          entry.outcome === 'transient' &&
          entry.selfHeal === undefined &&
          c.idempotent &&
          (await this.pause(++transient, c, entry.code))
        )
          continue
      }
      return answer
    }
  }

  private async pause(n: number, c: JdyCall, code: string): Promise<boolean> {
    const wait = fastRetryDelay(n)
    if (wait === undefined) return false
    this.ctx.log.info(
      { connectionId: this.ctx.connectionId, path: c.path, attempt: n, waitMs: wait, code },
      'jdy fast retry',
    )
    await (this.ctx.sleep ?? ((ms: number, signal?: AbortSignal) => systemClock.sleep(ms, signal)))(wait, c.signal)
    return true
  }

  /** One call with at most one self-healing retry after an expired token or a rotated appSecret. */
  private async healed(c: JdyCall): Promise<JdyAnswer> {
    const first = await this.once(c)
    let answer = first.answer
    const heal = answer.errcode === 0 ? undefined : classify(answer).selfHeal
    if (heal !== undefined) {
      this.ctx.log.warn(
        { connectionId: this.ctx.connectionId, path: c.path, vendorCode: answer.errcode, heal },
        'jdy auth self-heal',
      )
      // Only the token this call used is dropped; a concurrent call may already hold a newer one.
      await this.auth.invalidate(first.token, heal === 'reauthorize')
      answer = (await this.once(c)).answer
      const again = answer.errcode === 0 ? undefined : classify(answer)
      if (again?.selfHeal !== undefined) {
        const err = again.selfHeal === 'reauthorize' ? JdyAuthRejected : JdyTokenRejected
        throw err([answer.errcode, answer.description], {
          details: { vendorCode: answer.errcode, path: c.path, outcome: again.outcome },
        })
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
    if (entry.outcome !== 'rate_limited') return
    const waitMs = this.waitFor(answer, entry)
    this.ctx.budget.penalise(waitMs, { exact: retryAfterMs(answer.retryAfter, this.now()) !== undefined })
    this.ctx.observer?.throttled(waitMs)
  }

  /** Feed a thrown transport-level throttle (HTTP 429) into the budget too. */
  noteError(e: FerryError): void {
    if (outcomeOf(e) === 'rate_limited') {
      const d = e.details as { retryAfterMs?: unknown; retryAfterGiven?: unknown }
      const ms = Number(d.retryAfterMs)
      // JDY documents one quota, per book per minute ([INFERRED] that a 429 always means it).
      const waitMs = Number.isFinite(ms) && ms > 0 ? ms : 2_000
      this.ctx.budget.penalise(waitMs, { exact: d.retryAfterGiven === true, window: 'minute' })
      this.ctx.observer?.throttled(waitMs)
    }
  }

  private async once(c: JdyCall): Promise<{ answer: JdyAnswer; token: string }> {
    let tok: TokenState
    try {
      tok = await this.auth.token(c.signal)
    } catch (e) {
      const err = toFerryError(e)
      this.tokenErrors.add(err)
      throw err
    }
    const release = await takeSlot(this.ctx.budget, this.ctx.observer, c.signal, () => this.now().getTime())
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
      ...signingHeaders(
        { method: c.method, path: c.path, params: c.params },
        this.cfg.clientId,
        this.cfg.clientSecret,
        this.now(),
      ),
      'Content-Type': 'application/json',
      'app-token': tok.token,
      ...(tok.domain === '' ? {} : { 'X-GW-Router-Addr': tok.domain }),
    }
    let res
    try {
      res = await this.http.send({
        method: c.method,
        path: query === '' ? c.path : `${c.path}?${query}`,
        headers,
        idempotent: c.idempotent,
        signal: c.signal,
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

/**
 * A throttle answer that says the gateway turned the call away before any backend ran it: HTTP
 * 429 and the circuit-breaker / overload codes. The generic 2000002000 "system error" is not one
 * (the backend may have run a save before failing), so a save answered that way goes back to the
 * engine, which probes before sending it again.
 */
function refusedAtGateway(a: JdyAnswer): boolean {
  return a.status === 429 || a.errcode === 5006 || a.errcode === 5007
}
