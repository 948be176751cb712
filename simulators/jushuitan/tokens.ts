/**
 * Access/refresh tokens and OAuth codes (JST spec §4, §11.1). Lifetimes run on the simulated
 * clock, so a test expires a token by advancing the clock.
 */
import { randomBytes } from 'node:crypto'
import type { SimClock } from '../common/clock.js'
import type { JstBehaviour } from './options.js'

export interface TokenData {
  access_token: string
  expires_in: number
  refresh_token: string
  scope: string
}

interface TokenRecord {
  accessToken: string
  refreshToken: string
  appKey: string
  coId: number
  /** Simulated epoch ms after which the access token is invalid. */
  expiresAt: number
  /** Where a rotated-out refresh token stops working. */
  refreshValidUntil: number
}

const hex = () => randomBytes(16).toString('hex')

export class TokenStore {
  private byAccess = new Map<string, TokenRecord>()
  private byRefresh = new Map<string, TokenRecord>()
  private codes = new Map<string, { appKey: string; issuedAt: number }>()

  constructor(
    private readonly clock: SimClock,
    private readonly behaviour: () => JstBehaviour,
    private readonly coId: number,
  ) {}

  /** Issue a fresh token pair for an app. */
  issue(appKey: string): TokenData {
    const b = this.behaviour()
    if (b.initTokenInvalidatesOld) this.revokeApp(appKey)
    const rec: TokenRecord = {
      accessToken: hex(),
      refreshToken: hex(),
      appKey,
      coId: this.coId,
      expiresAt: this.clock.now() + b.tokenTtlSec * 1000,
      refreshValidUntil: Number.POSITIVE_INFINITY,
    }
    this.byAccess.set(rec.accessToken, rec)
    this.byRefresh.set(rec.refreshToken, rec)
    return this.data(rec)
  }

  /** Re-create a known token pair with a fresh lifetime (reset keeps the advertised credentials valid). */
  restore(appKey: string, known: TokenData): TokenData {
    const rec: TokenRecord = {
      accessToken: known.access_token,
      refreshToken: known.refresh_token,
      appKey,
      coId: this.coId,
      expiresAt: this.clock.now() + this.behaviour().tokenTtlSec * 1000,
      refreshValidUntil: Number.POSITIVE_INFINITY,
    }
    this.byAccess.set(rec.accessToken, rec)
    this.byRefresh.set(rec.refreshToken, rec)
    return this.data(rec)
  }

  /** The app and merchant behind a valid access token, or undefined (unknown, expired, revoked, other app). */
  check(accessToken: string, appKey: string): { coId: number } | undefined {
    const rec = this.byAccess.get(accessToken)
    if (rec === undefined || rec.appKey !== appKey || this.clock.now() >= rec.expiresAt) return undefined
    return { coId: rec.coId }
  }

  /**
   * Refresh: returns the new pair, `too_early` when `refreshWindowSeconds` forbids it yet, or
   * `invalid` for an unknown/rotated-out refresh token.
   */
  refresh(refreshToken: string, appKey: string): TokenData | 'invalid' | 'too_early' {
    const b = this.behaviour()
    const now = this.clock.now()
    const rec = this.byRefresh.get(refreshToken)
    if (rec === undefined || rec.appKey !== appKey || now >= rec.refreshValidUntil) return 'invalid'
    if (b.refreshWindowSeconds !== undefined && now < rec.expiresAt - b.refreshWindowSeconds * 1000) return 'too_early'
    if (!b.rotateOnRefresh) {
      rec.expiresAt = now + b.tokenTtlSec * 1000
      return this.data(rec)
    }
    const graceEnd = now + b.graceSeconds * 1000
    rec.expiresAt = Math.min(rec.expiresAt, graceEnd)
    rec.refreshValidUntil = graceEnd
    const next: TokenRecord = {
      accessToken: hex(),
      refreshToken: hex(),
      appKey,
      coId: rec.coId,
      expiresAt: now + b.tokenTtlSec * 1000,
      refreshValidUntil: Number.POSITIVE_INFINITY,
    }
    this.byAccess.set(next.accessToken, next)
    this.byRefresh.set(next.refreshToken, next)
    return this.data(next)
  }

  /** An OAuth code as the authorize page would hand it to the ISV's callback (§4.2). */
  issueCode(appKey: string): string {
    const code = randomBytes(3).toString('hex')
    this.codes.set(code, { appKey, issuedAt: this.clock.now() })
    return code
  }

  /** Consume an OAuth code; false when unknown, used, for another app, or older than the TTL. */
  useCode(code: string, appKey: string): boolean {
    const c = this.codes.get(code)
    this.codes.delete(code)
    return (
      c !== undefined && c.appKey === appKey && this.clock.now() - c.issuedAt <= this.behaviour().oauthCodeTtlSec * 1000
    )
  }

  /** Revoke one access token (the "forced 100" fault in state form). */
  revoke(accessToken: string): boolean {
    const rec = this.byAccess.get(accessToken)
    if (rec === undefined) return false
    rec.expiresAt = Number.NEGATIVE_INFINITY
    return true
  }

  revokeApp(appKey: string): void {
    for (const rec of this.byAccess.values()) if (rec.appKey === appKey) rec.expiresAt = Number.NEGATIVE_INFINITY
  }

  revokeAll(): void {
    for (const rec of this.byAccess.values()) rec.expiresAt = Number.NEGATIVE_INFINITY
  }

  clear(): void {
    this.byAccess.clear()
    this.byRefresh.clear()
    this.codes.clear()
  }

  private data(rec: TokenRecord): TokenData {
    return {
      access_token: rec.accessToken,
      expires_in: Math.max(0, Math.round((rec.expiresAt - this.clock.now()) / 1000)),
      refresh_token: rec.refreshToken,
      scope: 'all',
    }
  }
}
