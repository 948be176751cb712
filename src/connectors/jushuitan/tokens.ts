/**
 * 聚水潭 access tokens (spec §4). Self-built apps get one silently with `getInitToken`; every app
 * renews with `refreshToken` ahead of expiry and once when a call answers code 100. Tokens and
 * refresh tokens live in the CredentialStore so they survive restarts; the lifetime is never
 * assumed, only read from `expires_in`.
 *
 * A renewal attempted early that fails must not cost the current token (spec §4.4): the old one is
 * kept and used until it really expires, and the next early attempt waits an hour.
 */
import { randomBytes } from 'node:crypto'
import { isFerryError } from '../../core/errors.js'
import type { ConnectorLogger, CredentialStore } from '../contract.js'
import type { JstCaller } from './api.js'
import type { JstOptions } from './config.js'
import { JstBadResponse, JstReauthorize } from './errors.js'

export const TOKEN_NAMES = {
  access: 'jst.access_token',
  refresh: 'jst.refresh_token',
  expiresAt: 'jst.access_token_expires_at',
} as const
const EARLY_RETRY_MS = 3_600_000

interface Held {
  readonly token: string
  /** Epoch ms; undefined when the token came from configuration with no known lifetime. */
  readonly expiresAt: number | undefined
}

export interface TokenDeps {
  readonly caller: JstCaller
  readonly store: CredentialStore
  readonly connectionId: string
  readonly options: JstOptions
  readonly now: () => number
  readonly log: ConnectorLogger
}

export class JstTokens {
  private held: Held | undefined
  private loaded = false
  private pending: Promise<Held> | undefined
  private lastEarlyAttempt = -Infinity

  constructor(private readonly d: TokenDeps) {}

  /** The token to sign the next call with, renewing it first when it is close to expiry. */
  async current(signal?: AbortSignal): Promise<string> {
    if (!this.loaded) await this.load()
    const now = this.d.now()
    const h = this.held
    if (h === undefined || (h.expiresAt !== undefined && now >= h.expiresAt))
      return (await this.renewOnce(signal)).token
    if (
      h.expiresAt !== undefined &&
      now >= h.expiresAt - this.d.options.refreshAheadMs &&
      now - this.lastEarlyAttempt >= EARLY_RETRY_MS
    ) {
      this.lastEarlyAttempt = now
      try {
        return (await this.renewOnce(signal, true)).token
      } catch (e) {
        this.d.log.warn(
          { code: isFerryError(e) ? e.code : 'unknown' },
          'early jushuitan token renewal failed; keeping the current token',
        )
        return h.token
      }
    }
    return h.token
  }

  /** Code 100 answered a call signed with `rejected`: renew unless someone already has. */
  async renew(rejected: string, signal?: AbortSignal): Promise<string> {
    if (this.held !== undefined && this.held.token !== rejected) return this.held.token
    return (await this.renewOnce(signal)).token
  }

  /** The token in memory, if any (for scrubbing it from text; never log it). */
  heldToken(): string | undefined {
    return this.held?.token
  }

  /** Forget the cached token so the next call reloads the store (tests; tokens rotated elsewhere). */
  forget(): void {
    this.held = undefined
    this.loaded = false
  }

  private renewOnce(signal?: AbortSignal, early = false): Promise<Held> {
    // One renewal at a time: concurrent callers share it instead of each invalidating the other's token.
    this.pending ??= this.obtain(signal, early).finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  private async load(): Promise<void> {
    const { store, connectionId } = this.d
    const token = await store.get(connectionId, TOKEN_NAMES.access)
    const exp = Number(await store.get(connectionId, TOKEN_NAMES.expiresAt))
    if (token !== undefined) this.held = { token, expiresAt: Number.isFinite(exp) && exp > 0 ? exp : undefined }
    else if (this.d.options.accessToken !== undefined)
      this.held = { token: this.d.options.accessToken, expiresAt: undefined }
    this.loaded = true
  }

  /** `early`: the current token still works, so only a refresh is tried (a failure keeps it). */
  private async obtain(signal: AbortSignal | undefined, early: boolean): Promise<Held> {
    const refresh = (await this.d.store.get(this.d.connectionId, TOKEN_NAMES.refresh)) ?? this.d.options.refreshToken
    if (refresh !== undefined) {
      try {
        return await this.exchange(
          '/openWeb/auth/refreshToken',
          {
            grant_type: 'refresh_token',
            refresh_token: refresh,
            scope: 'all',
          },
          refresh,
          signal,
        )
      } catch (e) {
        if (early) throw e
        // Self-built apps can always start over with getInitToken (spec §4.4); ISV apps cannot.
        if (this.d.options.appType === 'isv') throw asReauthorize(e)
        this.d.log.warn(
          { code: isFerryError(e) ? e.code : 'unknown' },
          'jushuitan refreshToken failed; requesting a new token',
        )
      }
    }
    if (early) throw JstReauthorize(['no refresh_token is stored, so the token cannot be renewed ahead of expiry'])
    if (this.d.options.appType === 'isv') {
      throw JstReauthorize([
        'the ISV app has no usable token; the merchant must authorise it and the new access_token must be configured',
      ])
    }
    return this.exchange(
      '/openWeb/auth/getInitToken',
      {
        grant_type: 'authorization_code',
        code: randomBytes(3).toString('hex'),
      },
      undefined,
      signal,
    )
  }

  private async exchange(
    path: string,
    extra: Record<string, string>,
    oldRefresh: string | undefined,
    signal?: AbortSignal,
  ): Promise<Held> {
    const data = await this.d.caller.post(
      path,
      () =>
        Promise.resolve((ts: number) => ({
          app_key: this.d.options.appKey,
          timestamp: String(ts),
          charset: 'utf-8',
          ...extra,
        })),
      signal,
    )
    const t = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>
    const expiresIn = Number(t.expires_in)
    if (typeof t.access_token !== 'string' || t.access_token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw JstBadResponse([path, 'the token answer has no access_token/expires_in'], {
        details: { outcome: 'transient' },
      })
    }
    const expiresAt = this.d.now() + expiresIn * 1000
    const refresh = typeof t.refresh_token === 'string' && t.refresh_token !== '' ? t.refresh_token : oldRefresh
    const { store, connectionId } = this.d
    await store.set(connectionId, TOKEN_NAMES.access, t.access_token, new Date(expiresAt))
    await store.set(connectionId, TOKEN_NAMES.expiresAt, String(expiresAt), new Date(expiresAt))
    if (refresh !== undefined) await store.set(connectionId, TOKEN_NAMES.refresh, refresh)
    this.held = { token: t.access_token, expiresAt }
    this.loaded = true
    this.d.log.info({ api: path, expiresAt: new Date(expiresAt).toISOString() }, 'jushuitan token renewed')
    return this.held
  }
}

function asReauthorize(e: unknown): unknown {
  if (isFerryError(e) && e.kind === 'config' && e.code !== 'ERR_JST_REAUTHORIZE') {
    return JstReauthorize([`refreshing the ISV token failed (${e.code})`], { cause: e, details: e.details })
  }
  return e
}
