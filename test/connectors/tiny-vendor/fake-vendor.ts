/** The tiny vendor: orders to read, invoices to save and find by number, over real HTTP. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TinyOrder {
  readonly order_no: string
  readonly customer: string
  readonly total: number
  readonly status: 'open' | 'closed'
}

export class FakeVendor {
  readonly invoices = new Map<string, { id: string; doc: Record<string, unknown> }>()
  /** `METHOD path` of every request, query included. */
  readonly calls: string[] = []
  private server: Server | undefined

  constructor(
    private readonly key: string,
    readonly orders: readonly TinyOrder[],
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x')
        this.calls.push(`${req.method} ${url.pathname}${url.search}`)
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify(body))
        }
        if (req.headers['x-tiny-key'] !== this.key) return send(401, { message: 'bad key' })
        if (req.method === 'GET' && url.pathname === '/orders') {
          const size = Number(url.searchParams.get('size') ?? 2)
          const page = Number(url.searchParams.get('page') ?? 1)
          const status = url.searchParams.get('status')
          const all = this.orders.filter((o) => status === null || o.status === status)
          return send(200, { rows: all.slice((page - 1) * size, page * size), has_next: page * size < all.length })
        }
        if (req.method === 'POST' && url.pathname === '/invoices') {
          const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
          const no = String(doc.number)
          if (this.invoices.has(no)) return send(200, { ok: false, code: 'DUPLICATE', message: `${no} exists` })
          const id = `inv-${this.invoices.size + 1}`
          this.invoices.set(no, { id, doc })
          return send(200, { ok: true, id })
        }
        const m = /^\/invoices\/(.+)$/.exec(url.pathname)
        if (req.method === 'GET' && m !== null) {
          const found = this.invoices.get(decodeURIComponent(m[1]!))
          return send(
            200,
            found === undefined ? { exists: false } : { exists: true, id: found.id, document: found.doc },
          )
        }
        send(404, { message: 'no such endpoint' })
      })
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())))
  }
}
