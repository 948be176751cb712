/**
 * How routes are declared: method, URL, the least role allowed and JSON Schemas (TypeBox) for
 * params, query and body. The same declaration feeds Fastify's validation and the OpenAPI
 * document, so the two cannot drift.
 */
import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify'
import type { Host } from '../engine/host.js'
import type { Metrics } from '../metrics/metrics.js'
import type { Store } from '../store/index.js'
import type { AuthService } from './auth/service.js'
import type { Access, Principal } from './auth/roles.js'
import type { RunHub } from './run-hub.js'

export interface ServiceOptions {
  /** The demo: GET / on a loopback address signs in as the demo admin (never from another address). */
  readonly autoLoginUser?: string
  /** `/metrics` without a token when the caller is on loopback (default false: a token is required). */
  readonly metricsOnLoopback?: boolean
  /** Mark cookies `Secure` (behind TLS). Default false, because the default bind is 127.0.0.1 over plain HTTP. */
  readonly secureCookies?: boolean
  /** The built web console (index.html, assets/); default dist/console under the package root. */
  readonly consoleDir?: string
}

export interface ServiceContext {
  readonly host: Host
  readonly store: Store
  readonly auth: AuthService
  readonly hub: RunHub
  readonly metrics?: Metrics
  readonly options: ServiceOptions
}

/** `metrics`: a token of any role, or loopback when the setting allows it. */
export type RouteAccess = Access | 'metrics'

export interface RouteDef {
  readonly method: HTTPMethods
  readonly url: string
  readonly access: RouteAccess
  readonly summary: string
  readonly tags: readonly string[]
  readonly params?: TSchema
  readonly querystring?: TSchema
  readonly body?: TSchema
  /** Status of a successful answer (default 200), for the OpenAPI document. */
  readonly status?: number
  /** Content type of a successful answer (default application/json). */
  readonly produces?: string
  /**
   * A POST that changes nothing (evaluate an expression, diff a draft): not written to the audit
   * log, which the console would otherwise fill with one entry per keystroke.
   */
  readonly readsOnly?: boolean
  readonly handler: (req: FastifyRequest, reply: FastifyReply) => unknown
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
  }
  interface FastifyContextConfig {
    access?: RouteAccess
    status?: number
    produces?: string
    readsOnly?: boolean
  }
}

export function addRoute(app: FastifyInstance, r: RouteDef): void {
  app.route({
    method: r.method,
    url: r.url,
    // summary and tags are OpenAPI keywords; Fastify passes them through untouched.
    schema: {
      summary: r.summary,
      tags: [...r.tags],
      ...(r.params === undefined ? {} : { params: r.params }),
      ...(r.querystring === undefined ? {} : { querystring: r.querystring }),
      ...(r.body === undefined ? {} : { body: r.body }),
    } as FastifySchema,
    config: {
      access: r.access,
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.produces === undefined ? {} : { produces: r.produces }),
      ...(r.readsOnly === true ? { readsOnly: true } : {}),
    },
    handler: r.handler,
  })
}

/** The caller; routes other than public ones only run after the auth hook set it. */
export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal
  if (p === undefined) throw new Error('route ran without a principal')
  return p
}
