/**
 * Authentication, roles, CSRF and the audit log, as Fastify hooks. Every route declares the
 * least role it allows; the hook runs before validation, so an anonymous caller learns nothing
 * about a body's shape. Programs send `Authorization: Bearer <token>`; the console signs in and
 * gets an HttpOnly, SameSite=Strict session cookie plus a CSRF token it must echo in the
 * X-CSRF-Token header on every state-changing call (double submit, bound to the session).
 */
import type {} from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ServiceContext } from '../route.js'
import { AuthRequired, CsrfInvalid, Forbidden } from '../errors.js'
import { allows, type Principal } from './roles.js'
import { AuthService, SESSION_TTL_MS, type NewSession } from './service.js'

export const SESSION_COOKIE = 'ferry_session'
export const CSRF_COOKIE = 'ferry_csrf'
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

declare module 'fastify' {
  interface FastifyRequest {
    /** Extra facts for the audit entry (never secrets): a run id, a record id, a user name. */
    auditDetail?: Record<string, unknown>
  }
}

export function isLoopback(req: FastifyRequest): boolean {
  const a = req.socket.remoteAddress ?? ''
  return a === '::1' || /^(::ffff:)?127\./.test(a)
}

async function authenticate(ctx: ServiceContext, req: FastifyRequest): Promise<Principal | undefined> {
  const header = req.headers.authorization
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    const p = m?.[1] === undefined ? undefined : await ctx.auth.fromToken(m[1])
    if (p === undefined) throw AuthRequired(['the API token is unknown or revoked'])
    return p
  }
  const sid = req.cookies[SESSION_COOKIE]
  if (sid !== undefined && sid !== '') return ctx.auth.fromSession(sid)
  return undefined
}

export function setSessionCookies(ctx: ServiceContext, reply: FastifyReply, s: NewSession): void {
  const base = {
    path: '/',
    sameSite: 'strict' as const,
    secure: ctx.options.secureCookies === true,
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  }
  void reply.setCookie(SESSION_COOKIE, s.sessionId, { ...base, httpOnly: true })
  void reply.setCookie(CSRF_COOKIE, s.csrfToken, { ...base, httpOnly: false })
}

export function clearSessionCookies(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' })
  void reply.clearCookie(CSRF_COOKIE, { path: '/' })
}

export function installAuth(app: FastifyInstance, ctx: ServiceContext): void {
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id)
    const access = req.routeOptions.config.access
    if (access === undefined || access === 'public') return
    const principal = await authenticate(ctx, req)
    if (access === 'metrics') {
      if (principal === undefined && !(ctx.options.metricsOnLoopback === true && isLoopback(req)))
        throw AuthRequired(['/metrics needs an API token'])
      if (principal !== undefined) req.principal = principal
      return
    }
    if (principal === undefined) throw AuthRequired(['send an API token or sign in'])
    req.principal = principal
    if (!allows(principal.role, access))
      throw Forbidden([principal.role, access, `${req.method} ${req.routeOptions.url ?? req.url}`])
    if (
      principal.kind === 'user' &&
      UNSAFE.has(req.method) &&
      !AuthService.csrfMatches(principal, headerText(req.headers['x-csrf-token']))
    )
      throw CsrfInvalid([])
  })

  // Every state-changing call to the API is written down, refused ones included.
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url
    if (!UNSAFE.has(req.method) || route === undefined || !route.startsWith('/api/')) return
    if (req.routeOptions.config.readsOnly === true) return
    const p = req.principal
    try {
      await ctx.store.access.audit({
        actor: p?.name ?? (typeof req.auditDetail?.name === 'string' ? req.auditDetail.name : 'anonymous'),
        actorKind: p?.kind ?? 'anonymous',
        role: p?.role ?? null,
        action: `${req.method} ${route}`,
        target: req.url.split('?')[0] ?? req.url,
        status: reply.statusCode,
        ip: req.ip,
        requestId: req.id,
        detail: req.auditDetail ?? null,
      })
    } catch (e) {
      req.log.error({ err: e instanceof Error ? e.message : String(e) }, 'audit entry could not be written')
    }
  })
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}
