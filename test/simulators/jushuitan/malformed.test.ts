import { request } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { COUNT, harness, PARTNER } from './harness.js'

async function raw(
  url: string,
  path: string,
  init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? 'POST',
    ...(init.body === undefined ? {} : { body: init.body }),
    headers: init.headers ?? { 'content-type': 'application/x-www-form-urlencoded' },
  })
  const text = await res.text()
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' }
}

describe('JST simulator on malformed input (never crashes, answers in the real shapes)', () => {
  it('answers 140 in the JSON envelope to a body with broken percent-encoding', async () => {
    const { sim, call } = await harness()
    const r = await raw(sim.url, COUNT, { body: 'app_key=%zz&biz=%E4%B8' })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.text)).toMatchObject({ code: 140, data: null })
    expect((await call(PARTNER, {})).json?.code).toBe(0)
  })

  it('answers 130 to an empty body, a JSON body and a body with no sign', async () => {
    const { sim } = await harness()
    expect(JSON.parse((await raw(sim.url, COUNT, { body: '' })).text).code).toBe(130)
    expect(
      JSON.parse(
        (await raw(sim.url, COUNT, { body: '{"app_key":"x"}', headers: { 'content-type': 'application/json' } })).text,
      ).code,
    ).toBe(130)
    expect(JSON.parse((await raw(sim.url, COUNT, { body: 'app_key=x&timestamp=1&charset=utf-8' })).text).code).toBe(130)
  })

  it('answers nginx 413 to a body over the size cap', async () => {
    const { sim, call } = await harness({ maxBodyBytes: 64 * 1024 })
    const r = await raw(sim.url, COUNT, { body: `biz=${'a'.repeat(200 * 1024)}` })
    expect(r.status).toBe(413)
    expect(r.type).toContain('text/html')
    expect((await call(PARTNER, {})).json?.code).toBe(0)
  })

  it('answers 405 to a GET and 404 HTML to an unknown path', async () => {
    const { sim } = await harness()
    const get = await raw(sim.url, COUNT, { method: 'GET', headers: {} })
    expect(get.status).toBe(405)
    expect(get.text).toContain('<html>')
    const unknown = await raw(sim.url, '/open/nothing/here', { body: 'a=b' })
    expect(unknown.status).toBe(404)
    expect(unknown.type).toContain('text/html')
    expect(sim.log.counters()['/open/nothing/here']?.rejected.not_found).toBe(1)
  })

  it('survives a request with no content-type and a garbage HTTP request line', async () => {
    const { sim, call } = await harness()
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${sim.url}${COUNT}`, { method: 'POST' }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end('app_key=1')
    })
    expect(status).toBe(200)
    const reply = await new Promise<string>((resolve) => {
      const s = connect(sim.port, '127.0.0.1', () => s.write('THIS IS NOT HTTP\r\n\r\n'))
      let buf = ''
      s.on('data', (d) => (buf += d.toString()))
      s.on('close', () => resolve(buf))
      s.on('error', () => resolve(buf))
    })
    expect(reply).toContain('400')
    expect((await call(PARTNER, {})).json?.code).toBe(0)
  })

  it('survives a client that disconnects mid-body', async () => {
    const { sim, call } = await harness()
    await new Promise<void>((resolve) => {
      const s = connect(sim.port, '127.0.0.1', () => {
        s.write(
          `POST ${COUNT} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\napp_key=`,
        )
        setTimeout(() => s.destroy(), 50)
      })
      s.on('close', () => resolve())
    })
    expect((await call(PARTNER, {})).json?.code).toBe(0)
  })
})
