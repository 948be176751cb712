/**
 * Who may use the service: local users, their sessions, API tokens and the audit log (migration
 * 6). The store keeps hashes only (the service hashes passwords with scrypt and the random
 * session ids and tokens with SHA-256 before they get here), so nothing read from these tables
 * signs anyone in.
 */
import { randomUUID } from 'node:crypto'
import type { StoreContext } from './context.js'
import { pageSize, parseCursor, writeOnce } from './context.js'
import { StoreBadInput, StoreNotFound } from './errors.js'

export interface UserRow {
  readonly id: string
  readonly name: string
  readonly role: string
  readonly disabled: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface ApiTokenRow {
  readonly id: string
  readonly name: string
  readonly role: string
  readonly createdBy: string
  readonly createdAt: Date
  readonly lastUsedAt: Date | null
  readonly revokedAt: Date | null
}

export interface SessionRow {
  readonly userId: string
  readonly csrfHash: string
  readonly expiresAt: Date
}

export interface AuditEntry {
  readonly seq: number
  readonly at: Date
  readonly actor: string
  /** `user`, `token`, `anonymous` (a failed sign-in) or `cli`. */
  readonly actorKind: string
  readonly role: string | null
  /** `METHOD /route/pattern`, e.g. `POST /api/v1/schemes/:id/runs`. */
  readonly action: string
  /** The path as called, e.g. `/api/v1/schemes/jdy-stores/runs`. */
  readonly target: string
  readonly status: number
  readonly ip: string | null
  readonly requestId: string | null
  readonly detail: Record<string, unknown> | null
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'>

const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)))

export class AccessRepo {
  constructor(private readonly ctx: StoreContext) {}

  // Users ------------------------------------------------------------------------------------

  async addUser(u: { name: string; role: string; passwordHash: string }): Promise<UserRow> {
    if ((await this.userByName(u.name)) !== undefined) throw StoreBadInput([`user "${u.name}" already exists`])
    const now = this.ctx.now()
    const id = randomUUID()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('users')
        .values({
          id,
          name: u.name,
          role: u.role,
          password_hash: u.passwordHash,
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    )
    return { id, name: u.name, role: u.role, disabled: false, createdAt: new Date(now), updatedAt: new Date(now) }
  }

  async countUsers(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async listUsers(): Promise<UserRow[]> {
    const rows = await this.ctx.db.selectFrom('users').selectAll().orderBy('name').execute()
    return rows.map(toUser)
  }

  async getUser(id: string): Promise<UserRow> {
    const row = await this.ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw StoreNotFound(['user', id])
    return toUser(row)
  }

  /** The user and its password hash, for sign-in only. */
  async userByName(name: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
    const row = await this.ctx.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst()
    return row === undefined ? undefined : { ...toUser(row), passwordHash: row.password_hash }
  }

  async updateUser(id: string, change: { role?: string; passwordHash?: string; disabled?: boolean }): Promise<UserRow> {
    const res = await writeOnce(this.ctx, (db) =>
      db
        .updateTable('users')
        .set({
          updated_at: this.ctx.now(),
          ...(change.role === undefined ? {} : { role: change.role }),
          ...(change.passwordHash === undefined ? {} : { password_hash: change.passwordHash }),
          ...(change.disabled === undefined ? {} : { disabled: change.disabled ? 1 : 0 }),
        })
        .where('id', '=', id)
        .executeTakeFirst(),
    )
    if (Number(res.numUpdatedRows) === 0) throw StoreNotFound(['user', id])
    // A changed role, password or a disabled account ends every session of the user.
    await writeOnce(this.ctx, (db) => db.deleteFrom('sessions').where('user_id', '=', id).execute())
    return this.getUser(id)
  }

  // Sessions ---------------------------------------------------------------------------------

  async createSession(s: {
    idHash: string
    userId: string
    csrfHash: string
    ip?: string
    ttlMs: number
  }): Promise<void> {
    const now = this.ctx.now()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('sessions')
        .values({
          id_hash: s.idHash,
          user_id: s.userId,
          csrf_hash: s.csrfHash,
          ip: s.ip ?? null,
          created_at: now,
          expires_at: now + s.ttlMs,
          last_seen_at: now,
        })
        .execute(),
    )
  }

  /** The live session (not expired) with its user; expired rows are deleted on the way. */
  async session(idHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    const row = await this.ctx.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.user_id',
        'sessions.csrf_hash',
        'sessions.expires_at',
        'users.id',
        'users.name',
        'users.role',
        'users.disabled',
        'users.created_at',
        'users.updated_at',
        'users.password_hash',
      ])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst()
    if (row === undefined) return undefined
    if (Number(row.expires_at) <= this.ctx.now()) {
      await this.deleteSession(idHash)
      return undefined
    }
    return {
      session: { userId: row.user_id, csrfHash: row.csrf_hash, expiresAt: new Date(Number(row.expires_at)) },
      user: toUser(row),
    }
  }

  async deleteSession(idHash: string): Promise<void> {
    await writeOnce(this.ctx, (db) => db.deleteFrom('sessions').where('id_hash', '=', idHash).execute())
  }

  // API tokens -------------------------------------------------------------------------------

  async addToken(t: {
    id: string
    name: string
    role: string
    tokenHash: string
    createdBy: string
  }): Promise<ApiTokenRow> {
    const now = this.ctx.now()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          name: t.name,
          role: t.role,
          token_hash: t.tokenHash,
          created_by: t.createdBy,
          created_at: now,
          last_used_at: null,
          revoked_at: null,
        })
        .execute(),
    )
    return {
      id: t.id,
      name: t.name,
      role: t.role,
      createdBy: t.createdBy,
      createdAt: new Date(now),
      lastUsedAt: null,
      revokedAt: null,
    }
  }

  async listTokens(): Promise<ApiTokenRow[]> {
    const rows = await this.ctx.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute()
    return rows.map(toToken)
  }

  /** A token that is not revoked; marks it used. */
  async tokenByHash(tokenHash: string): Promise<ApiTokenRow | undefined> {
    const row = await this.ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (row === undefined) return undefined
    const now = this.ctx.now()
    // Only a coarse "last used" (once a minute), so a busy program does not write on every call.
    if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000) {
      await writeOnce(this.ctx, (db) =>
        db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute(),
      )
    }
    return toToken(row)
  }

  async revokeToken(id: string): Promise<ApiTokenRow> {
    const res = await writeOnce(this.ctx, (db) =>
      db
        .updateTable('api_tokens')
        .set({ revoked_at: this.ctx.now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    )
    if (Number(res.numUpdatedRows) === 0) throw StoreNotFound(['API token', id])
    const row = await this.ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    return toToken(row)
  }

  // Audit log --------------------------------------------------------------------------------

  async audit(e: NewAuditEntry): Promise<void> {
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('audit_log')
        .values({
          at: this.ctx.now(),
          actor: e.actor,
          actor_kind: e.actorKind,
          role: e.role,
          action: e.action,
          target: e.target,
          status: e.status,
          ip: e.ip,
          request_id: e.requestId,
          detail: e.detail === null ? null : JSON.stringify(e.detail),
        })
        .execute(),
    )
  }

  /** Newest first; pass `nextCursor` back for older entries. */
  async readAudit(
    opts: { limit?: number; cursor?: string } = {},
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
    const limit = pageSize(opts.limit, 100)
    const before = opts.cursor === undefined || opts.cursor === '' ? undefined : parseCursor(opts.cursor)
    const rows = await this.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .$if(before !== undefined, (qb) => qb.where('seq', '<', before ?? 0))
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute()
    const entries = rows.map((r) => ({
      seq: Number(r.seq),
      at: new Date(Number(r.at)),
      actor: r.actor,
      actorKind: r.actor_kind,
      role: r.role,
      action: r.action,
      target: r.target,
      status: Number(r.status),
      ip: r.ip,
      requestId: r.request_id,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
    }))
    const last = entries.at(-1)
    return rows.length === limit && last !== undefined ? { entries, nextCursor: String(last.seq) } : { entries }
  }
}

function toUser(r: {
  id: string
  name: string
  role: string
  disabled: number
  created_at: number
  updated_at: number
}): UserRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    disabled: Number(r.disabled) === 1,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  }
}

function toToken(r: {
  id: string
  name: string
  role: string
  created_by: string
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
}): ApiTokenRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)),
    lastUsedAt: date(r.last_used_at),
    revokedAt: date(r.revoked_at),
  }
}
