/**
 * Book authorisation and app-token lifecycle (spec §1.1, §1.2, §6.1–6.2):
 * push_app_authorize → kingdee_auth_token → cached token, reused until shortly before expiry.
 *
 * The appSecret rotates (≈24 h, maybe on every call), so it lives in memory only and the
 * authorisation is pulled again before every token fetch. The token is persisted through the
 * CredentialStore (encrypted at rest there) so a restart does not spend the 2/min token quota.
 * One refresh at a time per book (single-flight); token calls are spaced by a sliding-window guard.
 */
import type { ConnectorContext } from '../contract.js'
import { takeSlot, type HttpClient } from '../http/client.js'
import { classify, errorFor } from './catalogue.js'
import type { JdyConfig } from './config.js'
import { answerOf, isRecord, text, type JdyAnswer } from './envelope.js'
import { JdyAuthorizationAmbiguous, JdyAuthorizationMissing, JdyAuthRejected, JdyResponseInvalid } from './errors.js'
import { appSignature, signingHeaders, wireQuery, type QueryParams } from './sign.js'
import { pause } from '../../core/sleep.js'

export const AUTHORIZE_PATH = '/jdyconnector/app_management/push_app_authorize'
export const TOKEN_PATH = '/jdyconnector/app_management/kingdee_auth_token'
/** Name under which the token is kept in the CredentialStore. */
export const TOKEN_CREDENTIAL = 'app-token'
const STALE_SECRET = 1030002006
const GUARD_STEP_MS = 250

export interface BookAuthorization {
  readonly appKey: string
  readonly appSecret: string
  /** Sent as X-GW-Router-Addr; not a host. */
  readonly domain: string
  readonly accountId?: string
}

export interface TokenState {
  readonly token: string
  readonly expiresAt: number
  readonly domain: string
}

/** JWT `exp` (seconds) in ms, when the token is a JWT; never verifies, only reads. */
export function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1]
  if (part === undefined) return undefined
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
    const exp = isRecord(claims) ? Number(claims.exp) : NaN
    return Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

export class JdyAuth {
  private cached: TokenState | undefined
  private appSecret: string | undefined
  private inflight: Promise<TokenState> | undefined
  private readonly tokenCalls: number[] = []
  /** Static appKey/appSecret from the config are used until the gateway calls them stale. */
  private useStatic: boolean

  constructor(
    private readonly cfg: JdyConfig,
    private readonly ctx: ConnectorContext,
    private readonly http: HttpClient,
  ) {
    this.useStatic = cfg.appKey !== undefined && cfg.appSecret !== undefined
  }

  private now(): number {
    return (this.ctx.now?.() ?? new Date()).getTime()
  }

  /** Secret values to scrub from any text (read per call, since they rotate). */
  secrets(): (string | undefined)[] {
    return [this.cfg.clientSecret, this.cfg.appSecret, this.appSecret, this.cached?.token]
  }

  /** A token valid for at least the renew margin; fetched at most once concurrently. */
  async token(signal?: AbortSignal): Promise<TokenState> {
    if (this.cached !== undefined && this.fresh(this.cached)) return this.cached
    this.inflight ??= this.load(signal).finally(() => {
      this.inflight = undefined
    })
    return this.inflight
  }

  /**
   * Forget the token (the gateway said it expired). `reauthorize` also forgets the appSecret
   * and any static pair, for 1030002006. Concurrent callers that already hold a newer token keep it.
   */
  async invalidate(rejected: string, reauthorize = false): Promise<void> {
    if (reauthorize) {
      this.useStatic = false
      this.appSecret = undefined
    }
    if (this.cached !== undefined && this.cached.token !== rejected) return
    this.cached = undefined
    await this.ctx.credentials.delete(this.ctx.connectionId, TOKEN_CREDENTIAL)
  }

  private fresh(t: TokenState): boolean {
    return t.expiresAt - this.cfg.tokenRenewMarginMs > this.now()
  }

  private async load(signal?: AbortSignal): Promise<TokenState> {
    const stored = await this.ctx.credentials.get(this.ctx.connectionId, TOKEN_CREDENTIAL)
    const parsed = stored === undefined ? undefined : parseStored(stored)
    if (parsed !== undefined && this.fresh(parsed)) {
      this.cached = parsed
      return parsed
    }
    const t = await this.fetchToken(signal)
    this.cached = t
    await this.ctx.credentials.set(this.ctx.connectionId, TOKEN_CREDENTIAL, JSON.stringify(t), new Date(t.expiresAt))
    this.ctx.log.info(
      { connectionId: this.ctx.connectionId, expiresAt: new Date(t.expiresAt).toISOString() },
      'jdy app-token renewed',
    )
    return t
  }

  private async fetchToken(signal?: AbortSignal): Promise<TokenState> {
    let auth = await this.authorization(signal)
    let answer = await this.requestToken(auth, signal)
    if (answer.errcode === STALE_SECRET) {
      // The appSecret rotated between the two calls, or the static pair is stale: pull once more.
      this.useStatic = false
      this.ctx.log.warn(
        { connectionId: this.ctx.connectionId, vendorCode: STALE_SECRET },
        'jdy appSecret stale; re-authorising once',
      )
      auth = await this.authorization(signal)
      answer = await this.requestToken(auth, signal)
    }
    if (answer.errcode !== 0) {
      if (answer.errcode === STALE_SECRET)
        throw JdyAuthRejected([answer.errcode, answer.description], { details: { vendorCode: answer.errcode } })
      throw errorFor(classify(answer), answer, TOKEN_PATH)
    }
    const data = isRecord(answer.data) ? answer.data : {}
    const token = text(data['app-token']) ?? text(data.app_token) ?? text(data.appToken)
    if (token === undefined) throw JdyResponseInvalid([TOKEN_PATH, answer.status, 'no app-token in data'])
    const expires = Number(data.expires)
    const expiresAt =
      Number.isFinite(expires) && expires > 1e12 ? expires : (jwtExpiry(token) ?? this.now() + this.cfg.tokenTtlMs)
    return { token, expiresAt, domain: auth.domain }
  }

  /** push_app_authorize (or the static pair): appKey, appSecret, domain of the configured book. */
  private async authorization(signal?: AbortSignal): Promise<BookAuthorization> {
    if (this.useStatic && this.cfg.appKey !== undefined && this.cfg.appSecret !== undefined) {
      return { appKey: this.cfg.appKey, appSecret: this.cfg.appSecret, domain: this.cfg.domain ?? '' }
    }
    const answer = await this.authCall('POST', AUTHORIZE_PATH, { outerInstanceId: this.cfg.outerInstanceId }, signal)
    if (answer.errcode !== 0) {
      const entry = classify(answer)
      throw entry.outcome === 'data'
        ? JdyAuthRejected([answer.errcode, answer.description])
        : errorFor(entry, answer, AUTHORIZE_PATH)
    }
    const row = this.pickRow(answer.data)
    this.appSecret = row.appSecret
    return row
  }

  private pickRow(data: unknown): BookAuthorization {
    const rows = (Array.isArray(data) ? data : isRecord(data) ? [data] : []).filter(isRecord)
    const active = rows
      .filter((r) => Number(r.status) === 1)
      .filter((r) => r.outerInstanceId === undefined || text(r.outerInstanceId) === this.cfg.outerInstanceId)
      .filter(
        (r) => this.cfg.accountId === undefined || (text(r.accountId) ?? text(r.account_id)) === this.cfg.accountId,
      )
      // Several books per client: the configured appKey (static setups) also names the book (spec §1.1).
      .filter((r, _i, all) => all.length < 2 || this.cfg.appKey === undefined || text(r.appKey) === this.cfg.appKey)
    if (active.length === 0) throw JdyAuthorizationMissing([this.cfg.outerInstanceId, rows.length])
    if (active.length > 1) {
      throw JdyAuthorizationAmbiguous(
        [active.length, active.map((r) => text(r.accountId) ?? text(r.account_id) ?? '?').join(', ')],
        { location: 'config.accountId' },
      )
    }
    const r = active[0]!
    const appKey = text(r.appKey)
    const appSecret = text(r.appSecret)
    const domain = text(r.domain)
    if (appKey === undefined || appSecret === undefined || domain === undefined) {
      throw JdyResponseInvalid([AUTHORIZE_PATH, 200, 'authorisation row without appKey, appSecret or domain'])
    }
    return { appKey, appSecret, domain, accountId: text(r.accountId) ?? text(r.account_id) }
  }

  private async requestToken(auth: BookAuthorization, signal?: AbortSignal): Promise<JdyAnswer> {
    await this.spaceTokenCalls(signal)
    return this.authCall(
      'GET',
      TOKEN_PATH,
      { app_key: auth.appKey, app_signature: appSignature(auth.appKey, auth.appSecret) },
      signal,
    )
  }

  /**
   * Stay under the token endpoint's documented 2 calls/minute. The wait is re-checked in short
   * steps against the injected clock, so a test clock that jumps ahead releases it.
   */
  private async spaceTokenCalls(signal?: AbortSignal): Promise<void> {
    let logged = false
    for (;;) {
      const now = this.now()
      while (this.tokenCalls.length > 0 && this.tokenCalls[0]! <= now - 60_000) this.tokenCalls.shift()
      if (this.tokenCalls.length < this.cfg.tokenCallsPerMinute || signal?.aborted === true) break
      const waitMs = this.tokenCalls[0]! + 60_000 - now
      if (!logged)
        this.ctx.log.info({ connectionId: this.ctx.connectionId, waitMs }, 'jdy token endpoint guard: waiting')
      logged = true
      await pause(Math.min(waitMs, GUARD_STEP_MS), signal)
    }
    this.tokenCalls.push(this.now())
  }

  /** A signed call without app-token (the two auth endpoints). Both are safe to repeat. */
  private async authCall(
    method: 'GET' | 'POST',
    path: string,
    params: QueryParams,
    signal?: AbortSignal,
  ): Promise<JdyAnswer> {
    const release = await takeSlot(this.ctx.budget, this.ctx.observer, signal, () => this.now())
    try {
      // Signed only once the budget slot is ours, so the timestamp is fresh when sent.
      const headers = {
        ...signingHeaders({ method, path, params }, this.cfg.clientId, this.cfg.clientSecret, new Date(this.now())),
        'Content-Type': 'application/json',
      }
      const res = await this.http.send({
        method,
        path: `${path}?${wireQuery(params)}`,
        headers,
        idempotent: true,
        signal,
        ...(method === 'POST' ? { body: '{}' } : {}),
        acceptStatus: acceptJdyStatus,
      })
      return answerOf(path, res, true)
    } finally {
      release()
    }
  }
}

/** Statuses whose body is a JDY envelope worth reading; 429 and other 5xx go to the shared classifier. */
export function acceptJdyStatus(status: number): boolean {
  return status === 519 || (status >= 200 && status < 500 && status !== 429)
}

function parseStored(s: string): TokenState | undefined {
  try {
    const v = JSON.parse(s) as unknown
    if (!isRecord(v) || typeof v.token !== 'string' || typeof v.expiresAt !== 'number' || typeof v.domain !== 'string')
      return undefined
    return { token: v.token, expiresAt: v.expiresAt, domain: v.domain }
  } catch {
    return undefined
  }
}
