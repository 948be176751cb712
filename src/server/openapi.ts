/**
 * The OpenAPI 3.1 document, generated from the route declarations Fastify validates with (JSON
 * Schema 2020-12 is OpenAPI 3.1's schema language, so TypeBox schemas go in as they are).
 */
import type { FastifyInstance, RouteOptions } from 'fastify'
import { ErrorBody } from './schemas.js'

interface Collected {
  method: string
  url: string
  schema: Record<string, unknown>
  access: string
  status: number
  produces: string
}

/** Collect every route as it is registered (call before the routes are added). */
export function collectRoutes(app: FastifyInstance): Collected[] {
  const routes: Collected[] = []
  app.addHook('onRoute', (r: RouteOptions) => {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD')
    for (const method of methods) {
      routes.push({
        method: method.toLowerCase(),
        url: r.url,
        schema: (r.schema ?? {}) as Record<string, unknown>,
        access: r.config?.access ?? 'admin',
        status: r.config?.status ?? 200,
        produces: r.config?.produces ?? 'application/json',
      })
    }
  })
  return routes
}

const plain = (s: unknown): unknown => JSON.parse(JSON.stringify(s)) as unknown

function parameters(schema: unknown, where: 'path' | 'query'): unknown[] {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined
  return Object.entries(s?.properties ?? {}).map(([name, sch]) => ({
    name,
    in: where,
    required: where === 'path' || (s?.required ?? []).includes(name),
    schema: plain(sch),
  }))
}

export function openApiDocument(routes: readonly Collected[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    const s = r.schema
    const op: Record<string, unknown> = {
      summary: s.summary,
      tags: s.tags,
      operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      'x-ferry-role': r.access,
      parameters: [...parameters(s.params, 'path'), ...parameters(s.querystring, 'query')],
      ...(s.body === undefined
        ? {}
        : { requestBody: { required: true, content: { 'application/json': { schema: plain(s.body) } } } }),
      responses: {
        [String(r.status)]: { description: 'success', content: { [r.produces]: { schema: {} } } },
        ...(r.access === 'public'
          ? {}
          : { 401: { $ref: '#/components/responses/Error' }, 403: { $ref: '#/components/responses/Error' } }),
        ...(s.body === undefined && s.querystring === undefined && s.params === undefined
          ? {}
          : { 400: { $ref: '#/components/responses/Error' } }),
        default: { $ref: '#/components/responses/Error' },
      },
      security: r.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
    }
    ;(paths[path] ??= {})[r.method] = op
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry',
      version,
      description: 'Ferry as a service: schemes, runs, records, proof. See docs/api.md.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { ErrorBody: plain(ErrorBody) },
      responses: {
        Error: {
          description: 'An error: `{code, message, details}`; the status follows the code or its kind (docs/api.md).',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token from `ferry token create` or POST /api/v1/tokens.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'ferry_session',
          description:
            'A console session from POST /api/v1/auth/login; state-changing calls also need the X-CSRF-Token header.',
        },
      },
    },
  }
}
