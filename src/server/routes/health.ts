/**
 * Probes, metrics and the console's front page. `/healthz` (the process answers) and `/readyz`
 * (the store answers) need no credentials; `/metrics` needs a token unless the loopback setting
 * allows it; `/` is a static page without data (and, in the demo only, the loopback sign-in).
 */
import type { FastifyInstance } from 'fastify'
import { toFerryError } from '../../core/errors.js'
import { isLoopback, setSessionCookies, SESSION_COOKIE } from '../auth/hooks.js'
import { errorBody, httpStatus } from '../http-errors.js'
import { addRoute, type ServiceContext } from '../route.js'

const page = (note: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry</title></head>
<body style="font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;line-height:1.5">
<h1>Ferry</h1>
<p>${note}</p>
<p>The API lives under <code>/api/v1</code>; its OpenAPI 3.1 document is <a href="/openapi.json">/openapi.json</a>
(docs/api.md explains authentication, roles and a curl session).</p>
</body></html>
`

export function healthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  addRoute(app, { method: 'GET', url: '/healthz', access: 'public', summary: 'Liveness: the process answers', tags: ['meta'],
    handler: () => ({ status: 'ok' }) })

  addRoute(app, { method: 'GET', url: '/readyz', access: 'public', summary: 'Readiness: the store answers', tags: ['meta'],
    handler: async (_req, reply) => {
      try {
        await ctx.store.schemes.list()
        return { status: 'ready', store: ctx.store.target.replace(/\/\/[^@/]*@/, '//') }
      } catch (e) {
        const fe = toFerryError(e)
        return reply.status(httpStatus(fe) >= 500 ? httpStatus(fe) : 503).send(errorBody(fe))
      }
    } })

  addRoute(app, { method: 'GET', url: '/metrics', access: 'metrics', summary: 'Prometheus metrics', tags: ['meta'], produces: 'text/plain',
    handler: async (_req, reply) => {
      const m = ctx.metrics
      if (m === undefined) return reply.type('text/plain; version=0.0.4').send('# metrics are off in this service\n')
      return reply.type(m.registry.contentType).send(await m.text())
    } })

  addRoute(app, { method: 'GET', url: '/', access: 'public', summary: 'The console front page (static; the demo signs in here on loopback)', tags: ['meta'], produces: 'text/html',
    handler: async (req, reply) => {
      void reply.type('text/html; charset=utf-8')
      const demoUser = ctx.options.autoLoginUser
      if (demoUser === undefined) return page('Sign in with POST /api/v1/auth/login, or call the API with an API token.')
      const already = req.cookies[SESSION_COOKIE] !== undefined && await ctx.auth.fromSession(req.cookies[SESSION_COOKIE] ?? '') !== undefined
      if (!isLoopback(req)) return page('This is the demo. It signs you in automatically only from this machine (loopback); from here, sign in with a user.')
      if (!already) {
        const user = await ctx.store.access.userByName(demoUser)
        if (user !== undefined) setSessionCookies(ctx, reply, await ctx.auth.openSession(user, req.ip))
      }
      return page(`Demo: you are signed in automatically as <b>${demoUser}</b> (admin) because you are on loopback; from any other address you would have to sign in.`)
    } })
}
