import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testService, type TestService } from './support.js'

const cookies = (h: string | string[] | undefined) => [h ?? []].flat()

describe('the web console served by ferry serve', () => {
  let dir: string
  beforeAll(() => {
    // A stand-in build: the server's job is serving whatever Vite wrote, not what is in it.
    dir = mkdtempSync(join(tmpdir(), 'ferry-console-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><head><title>Ferry</title></head><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>',
    )
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("ferry")')
    writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}')
    writeFileSync(join(dir, 'secret.txt'), 'not served')
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  describe('when built', () => {
    let t: TestService
    beforeAll(async () => {
      t = await testService({ options: { autoLoginUser: 'demo', consoleDir: dir } })
      await t.svc.auth.addUser('demo', 'admin')
    }, 60_000)
    afterAll(async () => {
      await t.close()
    })

    it('answers the app at / and tells it about the demo sign-in, which happens only on loopback', async () => {
      const local = await t.svc.app.inject({ method: 'GET', url: '/' })
      expect(local.statusCode).toBe(200)
      expect(local.headers['content-type']).toContain('text/html')
      expect(local.body).toContain('<div id="root"></div>')
      expect(local.body).toContain('<meta name="ferry-demo" content="auto" data-user="demo"></head>')
      expect(cookies(local.headers['set-cookie']).some((c) => c.startsWith('ferry_session='))).toBe(true)

      const remote = await t.svc.app.inject({ method: 'GET', url: '/', remoteAddress: '192.168.7.9' })
      expect(remote.body).toContain('<meta name="ferry-demo" content="remote"></head>')
      expect(remote.headers['set-cookie']).toBeUndefined()
    })

    it('serves the built assets with their type and a long cache, and nothing outside assets/', async () => {
      const js = await t.svc.app.inject({ method: 'GET', url: '/assets/index-abc123.js' })
      expect(js.statusCode).toBe(200)
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect(js.headers['cache-control']).toContain('immutable')
      expect(js.body).toBe('console.log("ferry")')
      expect(
        (await t.svc.app.inject({ method: 'GET', url: '/assets/index-abc123.css' })).headers['content-type'],
      ).toContain('text/css')
      for (const url of [
        '/assets/missing-1.js',
        '/assets/..%2Fsecret.txt',
        '/assets/secret.txt',
        '/assets/..%2Findex.html',
      ]) {
        const res = await t.svc.app.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400)
        expect(res.statusCode, url).toBeLessThan(500)
        expect(res.body, url).not.toContain('not served')
      }
    })
  })

  it('still starts without a built console and says how to build it', async () => {
    const t = await testService({ options: { consoleDir: join(dir, 'not-here') } })
    try {
      const res = await t.svc.app.inject({ method: 'GET', url: '/' })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('The web console has not been built')
      expect(res.body).toContain('npm run build')
      expect((await t.svc.app.inject({ method: 'GET', url: '/assets/index-abc123.js' })).statusCode).toBe(404)
      expect((await t.svc.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    } finally {
      await t.close()
    }
  }, 60_000)
})
