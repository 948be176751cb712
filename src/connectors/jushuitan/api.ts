/**
 * One signed 聚水潭 call with the connector's recovery rules: a fresh timestamp (and signature) on
 * every attempt, a budget penalty and retry on 199/200, back-off on transient failures (reads are
 * idempotent), one re-sign on a timestamp complaint, and a hook the business path uses to renew
 * the token once on code 100. What remains after that is thrown as a classified FerryError.
 */
import { FerryError, toFerryError } from '../../core/errors.js'
import type { CallObserver, ConnectorLogger, RateBudget } from '../contract.js'
import type { HttpClient } from '../http/client.js'
import { classifyJst, decodeEnvelope, type JstCatalogueEntry } from './catalogue.js'
import type { JstOptions } from './config.js'
import { signedForm, type FormParams } from './sign.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }
const BACKOFF_BASE_MS = 1_000
const BACKOFF_CAP_MS = 60_000

export interface JstCallDeps {
  readonly http: HttpClient
  readonly options: JstOptions
  readonly budget: RateBudget
  readonly observer?: CallObserver
  readonly log: ConnectorLogger
  readonly now: () => number
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** Counters for logs and tests (spec §10.12). */
export interface JstCallStats {
  calls: number
  throttled: number
  tokenRenewals: number
  transientRetries: number
}

/** Decides about a non-zero code before the catalogue does; `true` means "try again". */
export type CodeHook = (code: number, entry: JstCatalogueEntry) => Promise<boolean>

export class JstCaller {
  readonly stats: JstCallStats = { calls: 0, throttled: 0, tokenRenewals: 0, transientRetries: 0 }

  constructor(private readonly d: JstCallDeps) {}

  /**
   * POST a signed form to `path` and return `data` of a code-0 answer. `prepare` runs on every
   * attempt before a budget slot is taken (it may itself call the API, e.g. to renew a token) and
   * returns the builder of the unsigned parameters; the builder runs once the slot is granted, so
   * the signed timestamp is fresh.
   */
  async post(
    path: string,
    prepare: () => Promise<(timestampSec: number) => FormParams>,
    signal?: AbortSignal,
    onCode?: CodeHook,
  ): Promise<unknown> {
    let transient = 0
    let throttled = 0
    let resigned = false
    for (;;) {
      let envelope
      try {
        const build = await prepare()
        const body = () => signedForm(this.d.options.appSecret, build(Math.floor(this.d.now() / 1000)))
        this.stats.calls += 1
        const res = await this.d.http.sendJson({ method: 'POST', path, headers: FORM, body, idempotent: true, signal })
        envelope = decodeEnvelope(path, res.body)
      } catch (e) {
        const err = toFerryError(e)
        if (err.kind === 'rate_limited' && throttled < this.d.options.rateLimitRetries) {
          throttled += 1
          this.penalise(Number(err.details.retryAfterMs ?? 1_000), undefined, err.details.retryAfterGiven === true)
          continue
        }
        if (err.kind === 'transient' && err.code !== 'ERR_CALL_ABORTED' && transient < this.d.options.retries) {
          transient += 1
          await this.backoff(transient, err, path, signal)
          continue
        }
        throw err
      }
      if (envelope.code === 0) return envelope.data
      const msg = this.d.http.scrub(envelope.msg)
      const entry = classifyJst(envelope.code, msg)
      // Spec §12.10: log raw code and message (no secrets in either) while the code tables are unconfirmed.
      this.d.log.warn(
        { api: path, vendorCode: envelope.code, vendorMsg: msg, outcome: entry.outcome },
        'jushuitan answered an error',
      )
      if (onCode !== undefined && (await onCode(envelope.code, entry))) continue
      if (entry.outcome === 'rate_limited' && throttled < this.d.options.rateLimitRetries) {
        throttled += 1
        // 199 is the per-second (or concurrency) limit, 200 the per-minute one: the budget holds
        // callers only until that window has room, never the catalogue's full 60 s for a 200.
        this.penalise(
          entry.waitMs ?? 1_000,
          envelope.code === 200 ? 'minute' : envelope.code === 199 ? 'second' : undefined,
        )
        continue
      }
      if (entry.action === 'fresh_timestamp' && !resigned) {
        resigned = true
        continue
      }
      if (entry.action === 'backoff' && transient < this.d.options.retries) {
        transient += 1
        await this.backoff(transient, undefined, path, signal)
        continue
      }
      const err = entry.error(path, envelope.code, msg)
      throw entry.outcome === 'rate_limited' ? withRetryAfter(err, entry.waitMs ?? 1_000) : err
    }
  }

  private penalise(waitMs: number, window?: 'second' | 'minute', exact = false): void {
    this.stats.throttled += 1
    this.d.budget.penalise(waitMs, { ...(window === undefined ? {} : { window }), exact })
    this.d.observer?.throttled(waitMs)
  }

  private async backoff(
    attempt: number,
    err: FerryError | undefined,
    path: string,
    signal?: AbortSignal,
  ): Promise<void> {
    this.stats.transientRetries += 1
    const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1))
    const wait = Math.round(base * (0.8 + Math.random() * 0.4))
    this.d.log.info({ api: path, attempt, waitMs: wait, code: err?.code }, 'retrying jushuitan read')
    await this.d.sleep(wait, signal)
  }
}

function withRetryAfter(err: FerryError, retryAfterMs: number): FerryError {
  return new FerryError(err.code, err.kind, err.message, {
    location: err.location,
    details: { ...err.details, retryAfterMs },
  })
}
