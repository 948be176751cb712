/**
 * The admin API routes both simulators share (under `/__admin/`). Each simulator passes its own
 * extra routes (stored data, mutation hooks, credentials). Admin calls bypass faults and the log.
 *
 * The admin API can read every secret and rewrite every record, so it is not open to whoever can
 * reach the port: each call carries the simulator's admin token (`Authorization: Bearer <token>`
 * or `X-Admin-Token`), and a body must be `application/json` (a browser cannot send that
 * cross-site without a preflight, so a web page cannot drive the API with a form post).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { SimClock } from './clock.js'
import { validateRules, type FaultEngine } from './faults.js'
import { jsonResponse, type SimHandler, type SimRequest, type SimResponse } from './http.js'
import { faultProfile, isProfileName, PROFILE_NAMES } from './profiles.js'
import type { Outcome, RequestLog } from './request-log.js'

export interface AdminContext {
  /** Every admin call must present this token. */
  readonly token: string
  readonly log: RequestLog
  readonly faults: FaultEngine
  readonly clock: SimClock
  /** Restore the simulator's initial state (data, tokens, limits, log, faults, clock skew). */
  reset(): void | Promise<void>
  /** The credentials a client should use (this is a local fake; its secrets are test values). */
  credentials(): unknown
  /** Simulator-specific routes; return undefined for "not mine". `sub` is the path after the prefix. */
  extra?(sub: string, req: SimRequest, body: unknown): SimResponse | undefined | Promise<SimResponse | undefined>
}

/** A 400 for admin misuse. */
export function adminError(message: string, status = 400): SimResponse {
  return jsonResponse({ ok: false, error: message }, status)
}

/** Parse an admin JSON body; undefined when empty. Throws TypeError on bad JSON. */
export function adminBody(req: SimRequest): unknown {
  if (req.body.length === 0) return undefined
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown
  } catch {
    throw new TypeError('admin body must be JSON')
  }
}

/** A fresh admin token: 32 hex digits. */
export function newAdminToken(): string {
  return randomBytes(16).toString('hex')
}

/** The token a request presents, from `Authorization: Bearer …` or `X-Admin-Token`. */
function presentedToken(req: SimRequest): string | undefined {
  const auth = req.headers.authorization
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim()
  const header = req.headers['x-admin-token']
  return typeof header === 'string' ? header.trim() : undefined
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A request with a body (or a declared content type) must declare JSON. */
function isJsonRequest(req: SimRequest): boolean {
  const type = req.headers['content-type']
  if (type === undefined) return req.body.length === 0
  return /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)
}

/** Build the admin handler for a prefix such as `/__admin/`. */
export function createAdminHandler(ctx: AdminContext, prefix = '/__admin/'): SimHandler {
  if (ctx.token.length < 16) throw new RangeError('the admin token must have at least 16 characters')
  return async (req) => {
    const token = presentedToken(req)
    if (token === undefined || !sameToken(token, ctx.token)) {
      return {
        ...adminError(
          'admin token missing or wrong: send Authorization: Bearer <adminToken> (printed by ferry sandbox)',
          401,
        ),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'www-authenticate': 'Bearer realm="simulator admin"',
        },
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isJsonRequest(req)) {
      return adminError(
        `admin bodies must be application/json, got ${req.headers['content-type'] ?? 'a body without a content type'}`,
        415,
      )
    }
    const sub = req.path.slice(prefix.length).replace(/\/+$/, '')
    let body: unknown
    try {
      body = adminBody(req)
    } catch (e) {
      return adminError((e as Error).message)
    }
    try {
      const own = await route(ctx, sub, req, body)
      if (own !== undefined) return own
      const extra = ctx.extra === undefined ? undefined : await ctx.extra(sub, req, body)
      return extra ?? adminError(`unknown admin route ${req.method} ${req.path}`, 404)
    } catch (e) {
      return adminError(e instanceof Error ? e.message : String(e))
    }
  }
}

async function route(ctx: AdminContext, sub: string, req: SimRequest, body: unknown): Promise<SimResponse | undefined> {
  const m = req.method
  const b = (body ?? {}) as Record<string, unknown>
  if (sub === 'log' && m === 'GET') {
    const q = req.query
    const num = (k: string) => (q.get(k) === null ? undefined : Number(q.get(k)))
    return jsonResponse({
      ok: true,
      entries: ctx.log.entries({
        ...(q.get('endpoint') === null ? {} : { endpoint: q.get('endpoint') as string }),
        ...(q.get('outcome') === null ? {} : { outcome: q.get('outcome') as Outcome }),
        ...(num('sinceSeq') === undefined ? {} : { sinceSeq: num('sinceSeq') }),
        ...(num('limit') === undefined ? {} : { limit: num('limit') }),
      }),
    })
  }
  if (sub === 'log' && m === 'DELETE') {
    ctx.log.clear()
    return jsonResponse({ ok: true })
  }
  if (sub === 'counters' && m === 'GET') return jsonResponse({ ok: true, counters: ctx.log.counters() })
  if (sub === 'faults') {
    if (m === 'GET') return jsonResponse({ ok: true, rules: ctx.faults.list(), profiles: PROFILE_NAMES })
    if (m === 'DELETE') {
      ctx.faults.clear()
      return jsonResponse({ ok: true, rules: [] })
    }
    if (m === 'PUT' || m === 'POST') {
      let rules: unknown[]
      if (typeof b.profile === 'string') {
        if (!isProfileName(b.profile))
          return adminError(`unknown profile "${b.profile}"; expected one of ${PROFILE_NAMES.join(', ')}`)
        rules = faultProfile(b.profile)
      } else if (Array.isArray(b.rules)) {
        rules = b.rules as unknown[]
      } else {
        return adminError('body must be {"rules":[…]} or {"profile":"calm|realistic|hostile"}')
      }
      validateRules(rules)
      if (m === 'PUT') ctx.faults.set(rules)
      else ctx.faults.add(...rules)
      return jsonResponse({ ok: true, rules: ctx.faults.list() })
    }
  }
  if (sub === 'clock') {
    if (m === 'POST') {
      if (typeof b.advanceMs === 'number') ctx.clock.advance(b.advanceMs)
      if (typeof b.set === 'number' || typeof b.set === 'string') {
        const at = typeof b.set === 'number' ? b.set : Date.parse(b.set)
        if (!Number.isFinite(at)) return adminError('clock.set must be epoch ms or an ISO date')
        ctx.clock.set(at)
      }
      if (typeof b.skewMs === 'number') ctx.clock.skewMs = b.skewMs
    } else if (m !== 'GET') {
      return undefined
    }
    const now = ctx.clock.now()
    return jsonResponse({
      ok: true,
      now,
      iso: new Date(now).toISOString(),
      skewMs: ctx.clock.skewMs,
      frozen: ctx.clock.frozen,
    })
  }
  if (sub === 'reset' && m === 'POST') {
    await ctx.reset()
    return jsonResponse({ ok: true })
  }
  if (sub === 'credentials' && m === 'GET') return jsonResponse({ ok: true, credentials: ctx.credentials() })
  return undefined
}
