/**
 * Accounts and credentials over the store's access repository: users with scrypt password
 * hashes, sessions (cookie id and CSRF token stored hashed), API tokens (stored hashed, shown
 * once) and the first admin of a fresh installation.
 */
import type { ApiTokenRow, Store, UserRow } from '../../store/index.js'
import { Conflict, LoginFailed, LoginThrottled } from '../errors.js'
import { isRole, type Principal, type Role } from './roles.js'
import {
  DECOY_HASH,
  TOKEN_PREFIX,
  generatePassword,
  hashPassword,
  newApiToken,
  randomSecret,
  sha256,
  verifyPassword,
} from './secrets.js'
import { LoginThrottle } from './throttle.js'

export const SESSION_TTL_MS = 12 * 3_600_000

export interface NewSession {
  readonly sessionId: string
  readonly csrfToken: string
  readonly user: UserRow
}

export class AuthService {
  readonly throttle: LoginThrottle

  constructor(
    private readonly store: Store,
    opts: { throttle?: LoginThrottle } = {},
  ) {
    this.throttle = opts.throttle ?? new LoginThrottle()
  }

  async addUser(name: string, role: Role, password?: string): Promise<{ user: UserRow; password: string }> {
    if ((await this.store.access.userByName(name)) !== undefined) throw Conflict([`user "${name}" already exists`])
    const pw = password ?? generatePassword()
    const user = await this.store.access.addUser({ name, role, passwordHash: await hashPassword(pw) })
    return { user, password: pw }
  }

  /**
   * A fresh installation has no user: create `admin` with a random password and return it once
   * (`ferry serve` prints it). Undefined when any user exists.
   */
  async bootstrapAdmin(): Promise<{ name: string; password: string } | undefined> {
    if ((await this.store.access.countUsers()) > 0) return undefined
    const { user, password } = await this.addUser('admin', 'admin')
    return { name: user.name, password }
  }

  async setPassword(userId: string, password: string): Promise<UserRow> {
    return this.store.access.updateUser(userId, { passwordHash: await hashPassword(password) })
  }

  /** Check a name and password (throttled per address and per name) and open a session. */
  async login(name: string, password: string, ip: string): Promise<NewSession> {
    const keys = [`ip:${ip}`, `user:${name.toLowerCase()}`]
    const wait = this.throttle.retryAfter(keys)
    if (wait > 0) throw LoginThrottled([wait], { details: { retryAfterSeconds: wait } })
    const found = await this.store.access.userByName(name)
    // Hash even for an unknown name, so timing does not tell which names exist.
    const ok = await verifyPassword(password, found?.passwordHash ?? DECOY_HASH)
    if (found === undefined || !ok || found.disabled) {
      this.throttle.fail(keys)
      throw LoginFailed([])
    }
    this.throttle.succeed(keys)
    return this.openSession(found, ip)
  }

  /** A session for a known user without a password: the demo's loopback sign-in only. */
  async openSession(user: UserRow, ip: string): Promise<NewSession> {
    const sessionId = randomSecret(32)
    const csrfToken = randomSecret(24)
    await this.store.access.createSession({
      idHash: sha256(sessionId),
      userId: user.id,
      csrfHash: sha256(csrfToken),
      ip,
      ttlMs: SESSION_TTL_MS,
    })
    const { passwordHash: _drop, ...plain } = user as UserRow & { passwordHash?: string }
    return { sessionId, csrfToken, user: plain }
  }

  async logout(sessionHash: string): Promise<void> {
    await this.store.access.deleteSession(sessionHash)
  }

  async fromSession(sessionId: string): Promise<Principal | undefined> {
    const idHash = sha256(sessionId)
    const s = await this.store.access.session(idHash)
    if (s === undefined || s.user.disabled || !isRole(s.user.role)) return undefined
    return {
      kind: 'user',
      id: s.user.id,
      name: s.user.name,
      role: s.user.role,
      csrfHash: s.session.csrfHash,
      sessionHash: idHash,
    }
  }

  async fromToken(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined
    const t = await this.store.access.tokenByHash(sha256(token))
    if (t === undefined || !isRole(t.role)) return undefined
    return { kind: 'token', id: t.id, name: t.name, role: t.role }
  }

  /** A new API token; the plain token is returned here only and never stored. */
  async createToken(role: Role, name: string, createdBy: string): Promise<{ token: string; info: ApiTokenRow }> {
    const { id, token } = newApiToken()
    const info = await this.store.access.addToken({ id, name, role, tokenHash: sha256(token), createdBy })
    return { token, info }
  }

  static csrfMatches(principal: Principal, header: string | undefined): boolean {
    return (
      principal.csrfHash !== undefined && header !== undefined && header !== '' && sha256(header) === principal.csrfHash
    )
  }
}
