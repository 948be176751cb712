/**
 * Authorisations, appSecret rotation and app-tokens (spec §1.1, §1.2, §7 "Auth"). The appSecret
 * lives only here; tokens are opaque JWT-shaped strings whose `exp` claim matches the server side.
 */
import { randomBytes } from 'node:crypto'
import type { Rng } from '../common/prng.js'
import type { SimClock } from '../common/clock.js'
import { businessError, ok, throttled, type Reply } from './envelope.js'
import { appSignature, sameSignature } from './signing.js'
import type { AuthOptions, JdyBook, JdyClient } from './types.js'

export const STALE_SECRET_TEXT = '授权密钥校验失败，请获取最新密钥加密'
export const EXPIRED_TOKEN_TEXT = 'JWT token has expired'
const JWT_HEADER = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9'

interface TokenRecord {
  readonly book: JdyBook
  readonly expiresAt: number
  revoked: boolean
}

export function hexFrom(rng: Rng, length: number): string {
  let s = ''
  while (s.length < length) s += rng.int(0, 15).toString(16)
  return s
}

export function digitsFrom(rng: Rng, length: number): string {
  let s = String(rng.int(1, 9))
  while (s.length < length) s += String(rng.int(0, 9))
  return s
}

export class AuthState {
  readonly clients: Map<string, JdyClient>
  readonly books: JdyBook[]
  readonly #tokens = new Map<string, TokenRecord>()
  readonly #secretIssuedAt = new Map<JdyBook, number>()
  readonly #authorizeCalls = new Map<JdyBook, number>()
  readonly #tokenCalls = new Map<string, number[]>()

  constructor(
    clients: readonly JdyClient[],
    books: readonly JdyBook[],
    readonly options: AuthOptions,
    private readonly clock: SimClock,
    private readonly rng: Rng,
    private readonly validationErrcode: number,
  ) {
    this.clients = new Map(clients.map((c) => [c.clientId, c]))
    this.books = books.map((b) => ({ ...b }))
    for (const b of this.books) this.#secretIssuedAt.set(b, clock.now())
  }

  bookByOuterId(outerInstanceId: string): JdyBook | undefined {
    return this.books.find((b) => b.outerInstanceId === outerInstanceId)
  }

  /** Give the book a new appSecret; the old one stops working for `kingdee_auth_token` at once. */
  rotateSecret(book: JdyBook): string {
    book.appSecret = hexFrom(this.rng, 40)
    this.#secretIssuedAt.set(book, this.clock.now())
    return book.appSecret
  }

  #rotateIfOld(book: JdyBook): void {
    const every = this.options.rotateSecretEveryMs
    if (every > 0 && this.clock.now() - (this.#secretIssuedAt.get(book) ?? 0) >= every) this.rotateSecret(book)
  }

  /** `push_app_authorize`: the client's authorisation rows, optionally for one outerInstanceId. */
  authorize(client: JdyClient, outerInstanceId: string | undefined): Reply {
    const rows = this.books.filter(
      (b) => b.clientId === client.clientId && (outerInstanceId === undefined || b.outerInstanceId === outerInstanceId),
    )
    for (const book of rows) {
      const n = (this.#authorizeCalls.get(book) ?? 0) + 1
      this.#authorizeCalls.set(book, n)
      const every = this.options.rotateSecretEveryCalls
      if (every > 0 && n % every === 0) this.rotateSecret(book)
      else this.#rotateIfOld(book)
    }
    const data = rows.map((b) => ({
      appKey: b.appKey,
      appSecret: b.appSecret,
      domain: b.domain,
      outerInstanceId: b.outerInstanceId,
      accountId: b.accountId,
      accountName: b.accountName,
      serviceId: b.serviceId,
      groupName: b.groupName,
      agreementCompanyName: b.accountName,
      clientId: b.clientId,
      status: b.status,
    }))
    return this.options.authorizeEnvelope === 'code'
      ? { status: 200, body: { code: 200, msg: 'success', data } }
      : ok(data)
  }

  /** `kingdee_auth_token`: 2/min per client, then app_signature against the current appSecret. */
  issueToken(client: JdyClient, appKey: string | undefined, signature: string | undefined): Reply {
    const now = this.clock.now()
    const recent = (this.#tokenCalls.get(client.clientId) ?? []).filter((t) => now - t < 60_000)
    if (recent.length >= this.options.tokenCallsPerMinute) {
      this.#tokenCalls.set(client.clientId, recent)
      return throttled(this.options.tokenRateLimitStatus, 60_000 - (now - (recent[0] ?? now)))
    }
    recent.push(now)
    this.#tokenCalls.set(client.clientId, recent)

    if (appKey === undefined || appKey === '')
      return businessError(this.validationErrcode, 'app_key不能为空', 'validation')
    if (signature === undefined || signature === '')
      return businessError(this.validationErrcode, 'app_signature不能为空', 'validation')
    const book = this.books.find((b) => b.appKey === appKey && b.clientId === client.clientId)
    if (book === undefined) return businessError(1030002006, STALE_SECRET_TEXT, 'app_key')
    this.#rotateIfOld(book)
    if (!sameSignature(signature, appSignature(book.appSecret, appKey))) {
      return businessError(1030002006, STALE_SECRET_TEXT, 'app_signature')
    }
    const expiresAt = now + this.options.tokenTtlMs
    const token = makeToken(book, now, expiresAt)
    this.#tokens.set(token, { book, expiresAt, revoked: false })
    const uid = 141861382 + this.books.indexOf(book)
    return ok({ uid, 'app-token': token, ...(this.options.tokenResponseExpires ? { expires: expiresAt } : {}) }, '成功')
  }

  /** The book an app-token belongs to, or why it is not usable. */
  resolveToken(token: string): JdyBook | 'expired' {
    const rec = this.#tokens.get(token)
    if (rec === undefined || rec.revoked || this.clock.now() >= rec.expiresAt) return 'expired'
    return rec.book
  }

  /** Revoke every token of a book (or of all books): the next business call gets 1000202001. */
  revokeTokens(book?: JdyBook): number {
    let n = 0
    for (const rec of this.#tokens.values()) {
      if ((book === undefined || rec.book === book) && !rec.revoked) {
        rec.revoked = true
        n++
      }
    }
    return n
  }

  expiredTokenReply(): Reply {
    return businessError(1000202001, EXPIRED_TOKEN_TEXT, 'token', this.options.expiredTokenHttpStatus)
  }
}

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url')
}

function makeToken(book: JdyBook, now: number, expiresAt: number): string {
  const claims = {
    iss: 'jdy-simulator',
    acct: book.accountId,
    iat: Math.floor(now / 1000),
    exp: Math.floor(expiresAt / 1000),
    jti: randomBytes(8).toString('hex'),
  }
  return `${JWT_HEADER}.${b64url(JSON.stringify(claims))}.${b64url(randomBytes(32))}`
}
