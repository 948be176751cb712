/**
 * A tiny local HTTP server (port 0) that answers every request with a fixture from
 * test/fixtures/bad-input, so the real connectors meet malformed vendor answers on the wire.
 * JDY token requests get a well-formed token so the bad answer reaches the business call.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../fixtures/bad-input/', import.meta.url))

export function fixture(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, 'utf8')
}

export interface Answer {
  readonly status?: number
  readonly contentType?: string
  readonly body: string
}

export interface BadServer {
  readonly url: string
  /** Paths requested, in order (without the query string). */
  readonly requests: string[]
  /** The answer for a path (exact match) or for every other path (`*`). */
  answer(path: string, a: Answer | ((n: number) => Answer)): void
  close(): Promise<void>
}

const JDY_TOKEN = '/jdyconnector/app_management/kingdee_auth_token'

export async function startBadServer(): Promise<BadServer> {
  const answers = new Map<string, Answer | ((n: number) => Answer)>()
  answers.set(JDY_TOKEN, () => ({
    body: JSON.stringify({
      errcode: 0,
      description: '成功',
      data: { 'app-token': 'bad-input-test-token', expires: Date.now() + 3_600_000 },
    }),
  }))
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      requests.push(path)
      const a = answers.get(path) ?? answers.get('*')
      const n = requests.filter((p) => p === path).length
      const answer = typeof a === 'function' ? a(n) : (a ?? { status: 404, body: 'not found' })
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json;charset=UTF-8' })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(path, a) {
      answers.set(path, a)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((e) => (e === undefined ? resolve() : reject(e)))
      }),
  }
}
