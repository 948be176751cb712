import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { LocalRateBudget } from '../../../src/connectors/budget.js'
import { VirtualClock } from '../../../src/connectors/budget-clock.js'
import { outcomeOf } from '../../../src/connectors/http/classify.js'
import { HttpClient, scrubUrl } from '../../../src/connectors/http/client.js'

const SECRET = 'tok-9f8e7d6c5b4a'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

const routes: Record<string, Handler> = {
  '/ok': (_req, res, body) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ code: 0, echo: body }))
  },
  '/html502': (_req, res) => {
    res.statusCode = 502
    res.setHeader('content-type', 'text/html')
    res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
  },
  '/html200': (_req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end('<!doctype html><title>login</title>')
  },
  '/cut-json': (_req, res) => {
    // No length and the connection closes: the client sees a short but "complete" body.
    res.setHeader('content-type', 'application/json')
    res.setHeader('connection', 'close')
    res.end(`{"code":0,"data":{"token":"${SECRET}","datas":[{"io_id":1`)
  },
  '/deep': (_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(`{"code":0,"data":{"datas":[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]}}`)
  },
  '/cut-length': (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' })
    res.write('{"code":0,"data":')
    setTimeout(() => req.socket.destroy(), 20)
  },
  '/reset': (req) => {
    req.socket.destroy()
  },
  '/slow': (_req, res) => {
    const t = setTimeout(() => res.end('{"code":0}'), 10_000)
    res.on('close', () => clearTimeout(t))
  },
  '/throttle': (_req, res) => {
    res.statusCode = 429
    res.setHeader('retry-after', '3')
    res.end('{}')
  },
  '/gate': (_req, res) => {
    // Held until the test opens the gate: shows how many calls are at the server at once.
    gate.held.push(res)
    gate.onHeld()
  },
  '/missing': (_req, res) => {
    res.statusCode = 404
    res.end('<html>not found</html>')
  },
}

let server: Server | undefined
let connections = 0
const gate: { held: ServerResponse[]; onHeld: () => void } = { held: [], onHeld: () => undefined }

async function start(): Promise<string> {
  connections = 0
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      const h = routes[path]
      if (h === undefined) {
        res.statusCode = 500
        res.end()
      } else h(req, res, body)
    })
  })
  server.on('connection', () => (connections += 1))
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  if (server !== undefined) {
    server.closeAllConnections()
    await new Promise((r) => server!.close(r))
    server = undefined
  }
})

function client(
  baseUrl: string,
  logs: unknown[] = [],
  extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
) {
  const log = {
    debug: (o: unknown) => logs.push(o),
    info: (o: unknown) => logs.push(o),
    warn: (o: unknown) => logs.push(o),
  }
  return new HttpClient({ baseUrl, timeoutMs: 300, log, secrets: () => [SECRET], ...extra })
}

const read = (path: string) => ({ method: 'POST' as const, path, body: 'a=1', idempotent: true })
const write = (path: string) => ({ method: 'POST' as const, path, body: 'a=1', idempotent: false })

describe('HttpClient', () => {
  it('returns the parsed JSON body and reuses keep-alive connections for consecutive calls', async () => {
    const c = client(await start())
    const a = await c.sendJson(read('/ok'))
    for (let i = 0; i < 5; i++) expect((await c.sendJson(read('/ok'))).status).toBe(200)
    expect(a.body).toEqual({ code: 0, echo: 'a=1' })
    // undici may open a second socket while the first is being returned to the pool, never more.
    expect(connections).toBeLessThanOrEqual(2)
    await c.close()
  })

  it('shares one keep-alive pool between clients of one base URL and keeps it open until the last closes', async () => {
    const base = await start()
    const a = client(base)
    const b = client(base)
    await a.sendJson(read('/ok'))
    await b.sendJson(read('/ok'))
    await a.close()
    await a.close()
    expect((await b.sendJson(read('/ok'))).status).toBe(200)
    expect(connections).toBeLessThanOrEqual(2)
    await b.close()
  })

  it('keeps as many calls at the server at once as the pool has sockets, beyond the default four', async () => {
    const c = client(await start(), [], { connections: 12, timeoutMs: 30_000 })
    gate.held = []
    const allHeld = new Promise<void>((resolve) => {
      gate.onHeld = () => {
        if (gate.held.length === 12) resolve()
      }
    })
    const calls = Array.from({ length: 12 }, () => c.sendJson(read('/gate')))
    await allHeld
    for (const res of gate.held) res.end('{"code":0}')
    for (const r of await Promise.all(calls)) expect(r.status).toBe(200)
    expect(connections).toBe(12)
    gate.onHeld = () => undefined
    await c.close()
  })

  it('takes one budget slot per call and gives it back after the answer', async () => {
    const budget = new LocalRateBudget({ perSecond: 10, inFlight: 1, clock: new VirtualClock(0) })
    const c = client(await start(), [], { budget })
    await c.sendJson(read('/ok'))
    await expect(c.send(read('/reset'))).rejects.toBeTruthy()
    expect(budget.stats()).toMatchObject({ acquired: 2, inFlight: 0 })
    await c.close()
  })

  it('classifies a refused connection as transient for reads and writes alike: nothing was sent', async () => {
    const base = await start()
    server!.close()
    server = undefined
    const c = client(base)
    for (const call of [read('/ok'), write('/ok')]) {
      const err = await c.send(call).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_HTTP_CONNECT', kind: 'transient' })
      expect(outcomeOf(err)).toBe('transient')
    }
    await c.close()
  })

  it.each([
    ['a reset connection', '/reset', 'ERR_HTTP_INTERRUPTED'],
    ['a call that outlives its timeout', '/slow', 'ERR_HTTP_TIMEOUT'],
    ['an HTML 502 page', '/html502', 'ERR_HTTP_SERVER'],
    ['a body cut short of its Content-Length', '/cut-length', 'ERR_HTTP_INTERRUPTED'],
  ])('makes %s a retryable transient error on a read', async (_name, path, code) => {
    const c = client(await start())
    const err = await c.sendJson(read(path)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code, kind: 'transient' })
    expect(outcomeOf(err)).toBe('transient')
    await c.close()
  })

  it.each([
    ['a reset connection', '/reset'],
    ['a call that outlives its timeout', '/slow'],
    ['an HTML 502 page', '/html502'],
    ['a body cut short of its Content-Length', '/cut-length'],
    ['a truncated JSON body', '/cut-json'],
    ['an HTML page with status 200', '/html200'],
  ])('makes %s an unknown outcome on a write, never plain retryable', async (_name, path) => {
    const c = client(await start())
    const err = await c.sendJson(write(path)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_HTTP_OUTCOME_UNKNOWN' })
    expect(outcomeOf(err)).toBe('unknown_outcome')
    await c.close()
  })

  it.each([
    ['a truncated JSON body', '/cut-json', 'not valid JSON'],
    ['an HTML page with status 200', '/html200', 'HTML page'],
  ])('yields ERR_HTTP_BAD_BODY instead of throwing a SyntaxError for %s', async (_name, path, text) => {
    const c = client(await start())
    const err = await c.sendJson(read(path)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_HTTP_BAD_BODY', kind: 'transient' })
    expect((err as Error).message).toContain(text)
    await c.close()
  })

  it('refuses an answer nested 10,000 deep with ERR_HTTP_BODY_LIMIT on a read and an unknown outcome on a write', async () => {
    const c = client(await start())
    const readErr = await c.sendJson(read('/deep')).catch((e: unknown) => e)
    expect(readErr).toMatchObject({ code: 'ERR_HTTP_BODY_LIMIT', kind: 'data' })
    expect((readErr as Error).message).toMatch(/nested deeper than 100 levels at data\.datas\[0\]\.a/)
    const writeErr = await c.sendJson(write('/deep')).catch((e: unknown) => e)
    expect(writeErr).toMatchObject({ code: 'ERR_HTTP_OUTCOME_UNKNOWN' })
    await c.close()
  })

  it('passes the Retry-After wait on with a 429 answer', async () => {
    const c = client(await start())
    const err = await c.send(read('/throttle')).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_HTTP_RATE_LIMITED', kind: 'rate_limited', details: { retryAfterMs: 3000 } })
    expect(outcomeOf(err)).toBe('rate_limited')
    await c.close()
  })

  it('treats a 404 as a configuration problem, and lets the caller accept statuses it understands', async () => {
    const c = client(await start())
    await expect(c.send(read('/missing'))).rejects.toMatchObject({ code: 'ERR_HTTP_REJECTED', kind: 'config' })
    const accepted = await c.send({ ...read('/missing'), acceptStatus: (s) => s === 404 })
    expect(accepted.status).toBe(404)
    await c.close()
  })

  it('reports a cancelled read as ERR_CALL_ABORTED', async () => {
    const c = client(await start())
    const ac = new AbortController()
    const pending = c.send({ ...read('/slow'), timeoutMs: 5_000, signal: ac.signal })
    setTimeout(() => ac.abort(), 20)
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CALL_ABORTED' })
    await c.close()
  })

  it('keeps secrets out of error messages and log lines', async () => {
    const logs: unknown[] = []
    const c = client(await start(), logs)
    const errors: unknown[] = []
    for (const call of [
      read(`/reset?access_token=${SECRET}`),
      read(`/cut-json?x=1`),
      write(`/slow?app_secret=${SECRET}`),
    ]) {
      errors.push(await c.sendJson(call).catch((e: unknown) => e))
    }
    const text = JSON.stringify(errors.map((e) => ({ m: (e as Error).message, j: e }))) + JSON.stringify(logs)
    expect(errors).toHaveLength(3)
    expect(text).not.toContain(SECRET)
    expect(text).toContain('access_token=[redacted]')
    await c.close()
  })

  it('scrubs a call target only when an error or a log line reads it', async () => {
    let scrubs = 0
    const secrets = () => {
      scrubs += 1
      return [SECRET]
    }
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }
    const base = await start()
    const c = new HttpClient({ baseUrl: base, timeoutMs: 300, log: quiet, secrets })
    for (let i = 0; i < 3; i++) expect((await c.sendJson(read(`/ok?access_token=${SECRET}`))).status).toBe(200)
    expect(scrubs).toBe(0)
    const logs: Record<string, unknown>[] = []
    const logged = new HttpClient({
      baseUrl: base,
      timeoutMs: 300,
      log: { ...quiet, debug: (o) => logs.push(o) },
      secrets,
    })
    await logged.sendJson(read(`/ok?access_token=${SECRET}`))
    expect(logs[0]?.target).toBe(`POST ${base}/ok?access_token=[redacted]`)
    expect(scrubs).toBe(1)
    await c.close()
    await logged.close()
  })
})

describe('scrubUrl', () => {
  it('redacts secret-named query parameters and leaves the others', () => {
    expect(scrubUrl('https://h/p?app_key=k&access_token=t&sign=abc&page=2')).toBe(
      'https://h/p?app_key=k&access_token=[redacted]&sign=[redacted]&page=2',
    )
  })
})
