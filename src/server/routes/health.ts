/**
 * Probes and metrics. `/healthz` (the process answers) and `/readyz` (the store answers) need no
 * credentials; `/metrics` needs a token unless the loopback setting allows it. The console's `/`
 * is in console.ts.
 */
import type { FastifyInstance } from 'fastify'
import { toFerryError } from '../../core/errors.js'
import { errorBody, httpStatus } from '../http-errors.js'
import { addRoute, type ServiceContext } from '../route.js'

export function healthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/healthz',
    access: 'public',
    summary: 'Liveness: the process answers',
    tags: ['meta'],
    handler: () => ({ status: 'ok' }),
  })

  addRoute(app, {
    method: 'GET',
    url: '/readyz',
    access: 'public',
    summary: 'Readiness: the store answers',
    tags: ['meta'],
    handler: async (_req, reply) => {
      try {
        await ctx.store.schemes.list()
        return { status: 'ready', store: ctx.store.target.replace(/\/\/[^@/]*@/, '//') }
      } catch (e) {
        const fe = toFerryError(e)
        return reply.status(httpStatus(fe) >= 500 ? httpStatus(fe) : 503).send(errorBody(fe))
      }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/metrics',
    access: 'metrics',
    summary: 'Prometheus metrics',
    tags: ['meta'],
    produces: 'text/plain',
    handler: async (_req, reply) => {
      const m = ctx.metrics
      if (m === undefined) return reply.type('text/plain; version=0.0.4').send('# metrics are off in this service\n')
      return reply.type(m.registry.contentType).send(await m.text())
    },
  })
}
