/**
 * buildApp: the Ferry HTTP service as a Fastify instance that does not listen (tests call
 * `inject`; `ferry serve` calls `listen`). Routes are plugins under routes/; one error handler
 * answers every failure as `{code, message, details}` with the status of its code or kind.
 */
import { randomUUID } from 'node:crypto'
import cookie from '@fastify/cookie'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { installAuth } from './auth/hooks.js'
import { RouteNotFound } from './errors.js'
import { sendError } from './http-errors.js'
import { collectRoutes, openApiDocument } from './openapi.js'
import { addRoute, type ServiceContext } from './route.js'
import { alertRoutes } from './routes/alerts.js'
import { authRoutes } from './routes/auth.js'
import { connectionRoutes } from './routes/connections.js'
import { consoleRoutes } from './routes/console.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { healthRoutes } from './routes/health.js'
import { recordRoutes } from './routes/records.js'
import { runRoutes } from './routes/runs.js'
import { designerRoutes } from './routes/designer.js'
import { schemeRoutes } from './routes/schemes.js'

export const API_VERSION = '0.1.0'

export async function buildApp(ctx: ServiceContext, opts: { logger: Logger }): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance at Fastify's default generics.
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID()
    },
    bodyLimit: 2 * 1024 * 1024,
    // Refuse what does not fit the schema instead of silently dropping it; coerce only query strings.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
  })
  await app.register(cookie)
  app.setErrorHandler((err, req, reply) => sendError(req, reply, err))
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, RouteNotFound([req.method, req.url.split('?')[0] ?? req.url])),
  )
  installAuth(app, ctx)
  const routes = collectRoutes(app)
  addRoute(app, {
    method: 'GET',
    url: '/openapi.json',
    access: 'viewer',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    handler: () => openApiDocument(routes, API_VERSION),
  })
  for (const plugin of [
    healthRoutes,
    consoleRoutes,
    authRoutes,
    schemeRoutes,
    designerRoutes,
    runRoutes,
    recordRoutes,
    connectionRoutes,
    alertRoutes,
    dashboardRoutes,
  ]) {
    await app.register((scope, _o, done) => {
      plugin(scope, ctx)
      done()
    })
  }
  await app.ready()
  return app
}
