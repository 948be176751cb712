import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectOptions } from 'fastify'
import { bearer, testService, type TestService } from './support.js'
import { fill, servedRoutes } from './routes.js'

type Doc = { paths: Record<string, Record<string, { 'x-ferry-role': string; requestBody?: unknown }>> }

describe('authentication and roles on every route', () => {
  let t: TestService
  let doc: Doc
  const bodies: string[] = []
  const call = async (o: InjectOptions) => {
    const r = await t.svc.app.inject(o)
    bodies.push(r.body, JSON.stringify(r.headers))
    return r
  }
  beforeAll(async () => {
    t = await testService()
    doc = (
      await t.svc.app.inject({ method: 'GET', url: '/openapi.json', headers: bearer(t.tokens.viewer) })
    ).json<Doc>()
  }, 60_000)
  afterAll(async () => {
    await t.close()
  })
  const roleOf = (method: string, url: string) =>
    doc.paths[url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()]?.['x-ferry-role']

  it('answers 401 ERR_AUTH_REQUIRED on every route but the public ones without credentials, or with an unknown token', async () => {
    const routes = servedRoutes(t.svc.app)
    const open = routes
      .filter((r) => roleOf(r.method, r.url) === 'public')
      .map((r) => `${r.method} ${r.url}`)
      .sort()
    expect(open).toEqual(['GET /', 'GET /assets/:file', 'GET /healthz', 'GET /readyz', 'POST /api/v1/auth/login'])
    for (const r of routes.filter((x) => roleOf(x.method, x.url) !== 'public')) {
      for (const headers of [{}, bearer('fry_0000_forged')]) {
        const res = await call({
          method: r.method,
          url: fill(r.url),
          headers,
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        })
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(401)
        expect(res.json()).toMatchObject({ code: 'ERR_AUTH_REQUIRED', details: { kind: 'user' } })
      }
    }
  })

  it("answers 403 ERR_AUTH_FORBIDDEN to a role below the route's, before reading the body", async () => {
    const routes = servedRoutes(t.svc.app)
    let checked = 0
    for (const r of routes) {
      const need = roleOf(r.method, r.url)
      const lower =
        need === 'admin' ? (['viewer', 'operator'] as const) : need === 'operator' ? (['viewer'] as const) : []
      for (const role of lower) {
        const res = await call({
          method: r.method,
          url: fill(r.url),
          headers: bearer(t.tokens[role]),
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        })
        expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403)
        expect(res.json()).toMatchObject({ code: 'ERR_AUTH_FORBIDDEN' })
        checked++
      }
    }
    expect(checked).toBeGreaterThan(25)
  })

  it('refuses an invalid body on every route that takes one with a coded 400, and changes nothing', async () => {
    const state = async () =>
      JSON.stringify([
        await t.svc.store.access.listUsers(),
        (await t.svc.store.access.listTokens()).map(({ lastUsedAt: _u, ...rest }) => rest),
        await t.svc.store.connections.list(),
        await t.svc.store.schemes.list(),
        await Promise.all(t.svc.host.schemes.map((s) => t.svc.store.runs.list(s.id))),
      ])
    const before = await state()
    const withBody = servedRoutes(t.svc.app).filter(
      (r) => doc.paths[r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method.toLowerCase()]?.requestBody !== undefined,
    )
    expect(withBody.length).toBeGreaterThan(12)
    for (const r of withBody) {
      for (const payload of [{ unexpected: true }, '[1,2', 'not json at all']) {
        const res = await call({
          method: r.method,
          url: fill(r.url),
          headers: { ...bearer(t.tokens.admin), 'content-type': 'application/json' },
          payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
        })
        expect(res.statusCode, `${r.method} ${r.url} ${JSON.stringify(payload)}`).toBe(400)
        expect(['ERR_API_REQUEST_INVALID', 'ERR_API_BAD_REQUEST']).toContain(res.json<{ code: string }>().code)
      }
    }
    const bad = await call({
      method: 'POST',
      url: '/api/v1/schemes/jst-count-to-jdy-check-loss/backfill',
      headers: bearer(t.tokens.admin),
      payload: { from: 'yesterday' },
    })
    expect(bad.json()).toMatchObject({
      code: 'ERR_API_REQUEST_INVALID',
      details: {
        location: 'body.from',
        errors: expect.arrayContaining([expect.objectContaining({ path: 'body.from' })]),
      },
    })
    expect(await state()).toBe(before)
  })

  it('keeps connection secrets write-only: answers say "set", and no secret reaches a response or the log', async () => {
    const info = t.sandbox.info()
    const newSecret = 'brand-new-secret-value-42'
    const put = await call({
      method: 'PUT',
      url: '/api/v1/connections/jdy2',
      headers: bearer(t.tokens.admin),
      payload: {
        connector: 'kingdee-jdy',
        settings: {
          baseUrl: info.jdy.url,
          clientId: info.jdy.clientId,
          clientSecret: newSecret,
          outerInstanceId: info.jdy.outerInstanceId,
          accountId: info.jdy.accountId,
          appKey: info.jdy.appKey,
          appSecret: info.jdy.appSecret,
          domain: info.jdy.domain,
        },
      },
    })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json()).toMatchObject({
      id: 'jdy2',
      source: 'store',
      settings: { clientSecret: 'set', appSecret: 'set', clientId: info.jdy.clientId },
    })
    // An update that leaves a secret out (or sends it back as "set") keeps it.
    const { settings } = put.json<{ settings: Record<string, string> }>()
    const upd = await call({
      method: 'PUT',
      url: '/api/v1/connections/jdy2',
      headers: bearer(t.tokens.admin),
      payload: { connector: 'kingdee-jdy', settings: { ...settings, appSecret: undefined, appKey: 'changed' } },
    })
    expect(upd.statusCode, upd.body).toBe(200)
    expect((await t.svc.store.connections.get('jdy2')).config).toMatchObject({
      clientSecret: newSecret,
      appKey: 'changed',
    })
    const unknown = await call({
      method: 'PUT',
      url: '/api/v1/connections/jdy2',
      headers: bearer(t.tokens.admin),
      payload: { connector: 'kingdee-jdy', settings: { password: 'x' } },
    })
    expect(unknown.json()).toMatchObject({
      code: 'ERR_API_CONNECTION_SETTINGS',
      details: { location: 'body.settings.password' },
    })
    for (const url of [
      '/api/v1/connections',
      '/api/v1/connections/jdy',
      '/api/v1/connections/jst',
      '/api/v1/connections/jdy2',
      '/api/v1/schemes/jdy-materials',
      '/api/v1/audit',
    ]) {
      expect((await call({ method: 'GET', url, headers: bearer(t.tokens.admin) })).statusCode, url).toBe(200)
    }
    const secrets = [
      newSecret,
      info.jdy.clientSecret,
      info.jdy.appSecret,
      info.jst.appSecret,
      info.jst.accessToken,
      t.tokens.admin,
      t.tokens.viewer,
      t.tokens.operator,
    ]
    const everything = bodies.join('\n') + t.logs()
    for (const s of secrets) expect(everything.includes(s), `secret ${s.slice(0, 4)}… leaked`).toBe(false)
    expect(t.logs()).toContain('request completed')
  })
})

describe('console sessions', () => {
  let t: TestService
  beforeAll(async () => {
    t = await testService()
  }, 60_000)
  afterAll(async () => {
    await t.close()
  })

  const cookiesOf = (setCookie: string | string[] | undefined) =>
    Object.fromEntries([setCookie ?? []].flat().map((c) => c.split(';')[0]!.split('=') as [string, string]))

  it('signs in with an HttpOnly SameSite session cookie and demands the CSRF token on state-changing calls', async () => {
    const { password } = await t.svc.auth.addUser('olga', 'operator')
    const login = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'olga', password },
    })
    expect(login.statusCode).toBe(200)
    const set = [login.headers['set-cookie'] ?? []].flat()
    expect(set.find((c) => c.startsWith('ferry_session='))).toMatch(/HttpOnly/)
    expect(set.find((c) => c.startsWith('ferry_session='))).toMatch(/SameSite=Strict/)
    const c = cookiesOf(login.headers['set-cookie'])
    const cookie = `ferry_session=${c.ferry_session}; ferry_csrf=${c.ferry_csrf}`
    expect(login.json<{ csrfToken: string }>().csrfToken).toBe(c.ferry_csrf)
    expect(
      (await t.svc.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).json(),
    ).toMatchObject({ kind: 'user', name: 'olga', role: 'operator' })
    const noCsrf = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/schemes/jdy-stores/disable',
      headers: { cookie },
      payload: {},
    })
    expect(noCsrf.statusCode).toBe(403)
    expect(noCsrf.json()).toMatchObject({ code: 'ERR_AUTH_CSRF' })
    expect((await t.svc.store.schemes.get('jdy-stores'))?.paused).toBe(false)
    const wrong = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/schemes/jdy-stores/disable',
      headers: { cookie, 'x-csrf-token': 'guess' },
      payload: {},
    })
    expect(wrong.statusCode).toBe(403)
    const ok = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/schemes/jdy-stores/disable',
      headers: { cookie, 'x-csrf-token': c.ferry_csrf },
      payload: {},
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ paused: true, pauseReason: 'disabled by olga through the API' })
    const out = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': c.ferry_csrf },
    })
    expect(out.statusCode).toBe(200)
    expect((await t.svc.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(
      401,
    )
  })

  it('throttles sign-in after five failures, even with the right password, and says when to retry', async () => {
    const { password } = await t.svc.auth.addUser('mallory-target', 'viewer')
    for (let i = 0; i < 5; i++) {
      const r = await t.svc.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { name: 'mallory-target', password: `wrong-${i}` },
        remoteAddress: '10.1.1.1',
      })
      expect(r.json()).toMatchObject({ code: 'ERR_AUTH_LOGIN_FAILED' })
      expect(r.statusCode).toBe(401)
    }
    const r = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'mallory-target', password },
      remoteAddress: '10.1.1.2',
    })
    expect(r.statusCode).toBe(429)
    expect(r.json()).toMatchObject({ code: 'ERR_AUTH_LOGIN_THROTTLED', details: { kind: 'rate_limited' } })
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('writes every state-changing call to the audit log, refused ones included, readable by admins', async () => {
    await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/schemes/jdy-materials/disable',
      headers: bearer(t.tokens.operator),
      payload: { reason: 'audit test' },
    })
    await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(t.tokens.operator),
      payload: { role: 'admin' },
    })
    const log = (
      await t.svc.app.inject({ method: 'GET', url: '/api/v1/audit?limit=50', headers: bearer(t.tokens.admin) })
    ).json<{ entries: { actor: string; action: string; target: string; status: number; ip: string }[] }>()
    expect(log.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'operator test',
          action: 'POST /api/v1/schemes/:id/disable',
          target: '/api/v1/schemes/jdy-materials/disable',
          status: 200,
          ip: '127.0.0.1',
        }),
        expect.objectContaining({ actor: 'operator test', action: 'POST /api/v1/tokens', status: 403 }),
      ]),
    )
  })
})

describe('the demo sign-in and /metrics access', () => {
  it('signs the demo in automatically only from loopback', async () => {
    // Without a built console, `/` is the plain page; console.test.ts covers the built one.
    const t = await testService({ options: { autoLoginUser: 'demo', consoleDir: '/nonexistent/ferry-console' } })
    try {
      await t.svc.auth.addUser('demo', 'admin')
      const local = await t.svc.app.inject({ method: 'GET', url: '/' })
      expect(local.body).toContain('signed in automatically as <b>demo</b>')
      expect([local.headers['set-cookie'] ?? []].flat().some((c) => c.startsWith('ferry_session='))).toBe(true)
      const remote = await t.svc.app.inject({ method: 'GET', url: '/', remoteAddress: '192.168.7.9' })
      expect(remote.headers['set-cookie']).toBeUndefined()
      expect(remote.body).toContain('only from this machine')
    } finally {
      await t.close()
    }
  }, 60_000)

  it('serves /metrics to a token, and without one only on loopback when the setting allows it', async () => {
    const strict = await testService()
    const open = await testService({ options: { metricsOnLoopback: true } })
    try {
      expect((await strict.svc.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401)
      const m = await strict.svc.app.inject({ method: 'GET', url: '/metrics', headers: bearer(strict.tokens.viewer) })
      expect(m.statusCode).toBe(200)
      expect(m.body).toContain('ferry_ledger_records')
      expect((await open.svc.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200)
      expect(
        (await open.svc.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.2.3.4' })).statusCode,
      ).toBe(401)
    } finally {
      await strict.close()
      await open.close()
    }
  }, 60_000)
})
