/** Sign-in, sessions, users, API tokens and the audit log. */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { clearSessionCookies, setSessionCookies } from '../auth/hooks.js'
import { ROLES } from '../auth/roles.js'
import { addRoute, principalOf, type ServiceContext } from '../route.js'
import { Cursor, IdParams, Limit } from '../schemas.js'

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)))
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' })
const Password = Type.String({ minLength: 12, maxLength: 200 })

const LoginBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
const UserBody = Type.Object(
  { name: Name, role: RoleSchema, password: Type.Optional(Password) },
  { additionalProperties: false },
)
const UserPatch = Type.Object(
  { role: Type.Optional(RoleSchema), password: Type.Optional(Password), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
)
const TokenBody = Type.Object(
  { role: RoleSchema, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
)
const AuditQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
)

export function authRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/api/v1/auth/login',
    access: 'public',
    summary: 'Sign in: sets the session and CSRF cookies, answers the CSRF token',
    tags: ['auth'],
    body: LoginBody,
    handler: async (req, reply) => {
      const b = req.body as Static<typeof LoginBody>
      req.auditDetail = { name: b.name }
      const s = await ctx.auth.login(b.name, b.password, req.ip)
      setSessionCookies(ctx, reply, s)
      return { user: { id: s.user.id, name: s.user.name, role: s.user.role }, csrfToken: s.csrfToken }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/auth/logout',
    access: 'viewer',
    summary: 'End this session',
    tags: ['auth'],
    handler: async (req, reply) => {
      const p = principalOf(req)
      if (p.sessionHash !== undefined) await ctx.auth.logout(p.sessionHash)
      clearSessionCookies(reply)
      return { ok: true }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/auth/me',
    access: 'viewer',
    summary: 'Who is calling',
    tags: ['auth'],
    handler: (req) => {
      const p = principalOf(req)
      return { kind: p.kind, id: p.id, name: p.name, role: p.role }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/users',
    access: 'admin',
    summary: 'List users',
    tags: ['auth'],
    handler: async () => ({ users: await ctx.store.access.listUsers() }),
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/users',
    access: 'admin',
    summary: 'Add a user (a password is generated and answered once when none is given)',
    tags: ['auth'],
    body: UserBody,
    status: 201,
    handler: async (req, reply) => {
      const b = req.body as Static<typeof UserBody>
      const { user, password } = await ctx.auth.addUser(b.name, b.role, b.password)
      req.auditDetail = { user: user.name, role: user.role }
      return reply.status(201).send({ user, ...(b.password === undefined ? { password } : {}) })
    },
  })

  addRoute(app, {
    method: 'PATCH',
    url: '/api/v1/users/:id',
    access: 'admin',
    summary: "Change a user's role, password or disabled flag (ends its sessions)",
    tags: ['auth'],
    params: IdParams,
    body: UserPatch,
    handler: async (req) => {
      const { id } = req.params as Static<typeof IdParams>
      const b = req.body as Static<typeof UserPatch>
      req.auditDetail = { userId: id, changed: Object.keys(b) }
      if (b.password !== undefined) await ctx.auth.setPassword(id, b.password)
      const user =
        b.role === undefined && b.disabled === undefined
          ? await ctx.store.access.getUser(id)
          : await ctx.store.access.updateUser(id, {
              ...(b.role === undefined ? {} : { role: b.role }),
              ...(b.disabled === undefined ? {} : { disabled: b.disabled }),
            })
      return { user }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/tokens',
    access: 'admin',
    summary: 'List API tokens (never the tokens themselves)',
    tags: ['auth'],
    handler: async () => ({ tokens: await ctx.store.access.listTokens() }),
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/tokens',
    access: 'admin',
    summary: 'Create an API token; the token is in this answer only',
    tags: ['auth'],
    body: TokenBody,
    status: 201,
    handler: async (req, reply) => {
      const b = req.body as Static<typeof TokenBody>
      const p = principalOf(req)
      const { token, info } = await ctx.auth.createToken(b.role, b.name ?? `${b.role} token`, `${p.kind}:${p.name}`)
      req.auditDetail = { tokenId: info.id, role: info.role }
      return reply.status(201).send({ token, info })
    },
  })

  addRoute(app, {
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    access: 'admin',
    summary: 'Revoke an API token',
    tags: ['auth'],
    params: IdParams,
    handler: async (req) => {
      const { id } = req.params as Static<typeof IdParams>
      req.auditDetail = { tokenId: id }
      return { token: await ctx.store.access.revokeToken(id) }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/audit',
    access: 'admin',
    summary: 'The audit log, newest first',
    tags: ['auth'],
    querystring: AuditQuery,
    handler: async (req) => {
      const q = req.query as Static<typeof AuditQuery>
      return ctx.store.access.readAudit({
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      })
    },
  })
}
