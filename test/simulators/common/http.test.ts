import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createAdminHandler,
  createClock,
  FaultEngine,
  jsonResponse,
  RequestLog,
  startSimServer,
  type Fault,
  type RunningServer,
} from '../../../simulators/common/index.js'

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'

const servers: RunningServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A toy vendor that "commits" every POST to /save: counts commits and echoes them. */
async function toyServer(faults: Fault[] = [], handlerThrows = false) {
  const commits: string[] = []
  const log = new RequestLog()
  const engine = new FaultEngine(1)
  engine.set(faults.map((fault) => ({ endpoint: 'POST /save', when: { calls: [1] }, fault })))
  const clock = createClock()
  const server = await startSimServer({
    handler: (req) => {
      if (handlerThrows) throw new Error('boom')
      commits.push(req.body.toString())
      return jsonResponse({ errcode: 0, saved: commits.length }, 200, {
        outcome: 'accepted',
        code: 0,
        params: { body: req.body.toString() },
      })
    },
    internalError: () =>
      jsonResponse({ errcode: 5000, description: 'internal' }, 500, { outcome: 'rejected', reason: 'internal' }),
    faults: engine,
    log,
    clock,
    admin: createAdminHandler({
      token: ADMIN_TOKEN,
      log,
      faults: engine,
      clock,
      reset: () => undefined,
      credentials: () => ({ key: 'k' }),
    }),
  })
  servers.push(server)
  const post = (body = 'x', signal?: AbortSignal) =>
    fetch(`${server.url}/save`, { method: 'POST', body, ...(signal === undefined ? {} : { signal }) })
  return { server, commits, log, post, engine }
}

describe('simulator HTTP helper', () => {
  it('commits before an after-commit reset: the client sees a dropped connection, the data is stored', async () => {
    const { commits, post, log } = await toyServer([{ kind: 'reset', afterCommit: true }])
    await expect(post('bill-1')).rejects.toThrow()
    expect(commits).toEqual(['bill-1'])
    expect(log.entries()[0]).toMatchObject({ outcome: 'fault', reason: 'fault:reset', status: 0 })
    expect(((await (await post('bill-2')).json()) as { saved: number }).saved).toBe(2)
  })

  it('does not run the endpoint for a reset before commit', async () => {
    const { commits, post } = await toyServer([{ kind: 'reset' }])
    await expect(post('bill-1')).rejects.toThrow()
    expect(commits).toEqual([])
  })

  it('commits and then holds the reply past the client timeout for a timeout-after-commit', async () => {
    const { commits, post } = await toyServer([{ kind: 'hang', ms: 2000, afterCommit: true }])
    await expect(post('bill-1', AbortSignal.timeout(200))).rejects.toThrow()
    expect(commits).toEqual(['bill-1'])
  })

  it('sends a truncated body, a non-JSON body and gateway HTML pages', async () => {
    const t = await toyServer([{ kind: 'truncated' }])
    const text = await (await t.post()).text()
    expect(() => JSON.parse(text) as unknown).toThrow()
    expect(text.length).toBeGreaterThan(0)
    const n = await toyServer([{ kind: 'non_json' }])
    const res = await n.post()
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<html>')
    const g = await toyServer([{ kind: 'http_error', status: 504 }])
    const gw = await g.post()
    expect(gw.status).toBe(504)
    expect(await gw.text()).toContain('504 Gateway Time-out')
    expect(g.commits).toEqual([])
  })

  it('answers with the vendor internal-error reply when the handler throws, and keeps serving', async () => {
    const { post } = await toyServer([], true)
    const res = await post()
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ errcode: 5000, description: 'internal' })
    expect((await post()).status).toBe(500)
  })

  it('keeps admin calls out of the log and away from faults', async () => {
    const { server, log, engine } = await toyServer()
    engine.set([{ endpoint: '*', when: { always: true }, fault: { kind: 'reset' } }])
    const res = await fetch(`${server.url}/__admin/credentials`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(await res.json()).toEqual({ ok: true, credentials: { key: 'k' } })
    expect(log.entries()).toEqual([])
  })

  it('closes promptly while a request hangs', async () => {
    const { server, post } = await toyServer([{ kind: 'hang', ms: 60_000 }])
    const pending = post().catch(() => 'failed')
    await new Promise((r) => setTimeout(r, 100))
    await server.close()
    servers.length = 0
    expect(await pending).toBe('failed')
  })

  it('answers 400 to bytes that are not HTTP', async () => {
    const { server, post } = await toyServer()
    const reply = await new Promise<string>((resolve) => {
      const s = connect(server.port, '127.0.0.1', () => s.write('\x00\x01\x02 garbage\r\n\r\n'))
      let buf = ''
      s.on('data', (d) => (buf += d.toString()))
      s.on('close', () => resolve(buf))
      s.on('error', () => resolve(buf))
    })
    expect(reply).toContain('400 Bad Request')
    expect((await post()).status).toBe(200)
  })
})
