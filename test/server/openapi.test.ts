import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, testService, type TestService } from './support.js'
import { servedRoutes } from './routes.js'

describe('the OpenAPI document', () => {
  let t: TestService
  beforeAll(async () => {
    t = await testService()
  }, 60_000)
  afterAll(async () => {
    await t.close()
  })

  it('lists every route the app serves, with the role it needs, as OpenAPI 3.1', async () => {
    const r = await t.svc.app.inject({ method: 'GET', url: '/openapi.json', headers: bearer(t.tokens.viewer) })
    expect(r.statusCode).toBe(200)
    const doc = r.json<{ openapi: string; paths: Record<string, Record<string, { 'x-ferry-role': string }>> }>()
    expect(doc.openapi).toBe('3.1.0')
    const served = servedRoutes(t.svc.app)
    expect(served.length).toBeGreaterThan(35)
    for (const { method, url } of served) {
      const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${url}`).toBeDefined()
      expect(['public', 'viewer', 'operator', 'admin', 'metrics']).toContain(
        doc.paths[path]?.[method.toLowerCase()]?.['x-ferry-role'],
      )
    }
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)
    expect(documented).toBe(served.length)
  })

  it('carries the request schemas the app validates with', async () => {
    const doc = (
      await t.svc.app.inject({ method: 'GET', url: '/openapi.json', headers: bearer(t.tokens.viewer) })
    ).json<{
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>
      >
    }>()
    expect(
      doc.paths['/api/v1/schemes/{id}/backfill']?.post?.requestBody?.content['application/json']?.schema.required,
    ).toEqual(['from'])
  })
})
