/**
 * A small batch-accepting target, answering like 金蝶云星空's batchSave. It shares no code with
 * the batch-http connector: its own HTTP server, token check and answer building. Faults: rows
 * refused by number, and a call whose rows are saved but whose answer is lost (socket destroyed).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface BatchTargetOptions {
  readonly token: string
  /** The document field holding its number (unique). */
  readonly keyField: string
}

export interface BatchCall {
  readonly path: string
  readonly rows: number
  readonly answered: boolean
}

export class BatchTargetSimulator {
  readonly docs = new Map<string, { id: string; doc: Record<string, unknown> }>()
  readonly calls: BatchCall[] = []
  /** Numbers refused with ErrorCode INVALID. */
  readonly refuse = new Set<string>()
  /** A call containing one of these numbers is saved, then its connection is dropped (once per number). */
  readonly loseAnswer = new Set<string>()
  private server: Server | undefined
  private seq = 1000

  constructor(private readonly o: BatchTargetOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res)
    })
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((r) => (this.server === undefined ? r() : this.server.close(() => r())))
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }

  private send(res: ServerResponse, status: number, v: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(v))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.headers.authorization !== `Bearer ${this.o.token}`) {
      this.send(res, 401, { error: 'unauthorized' })
      return
    }
    if (req.method === 'GET' && url.pathname.endsWith('/query')) {
      const hit = this.docs.get(url.searchParams.get('number') ?? '')
      this.send(res, 200, hit === undefined ? { exists: false } : { exists: true, Id: hit.id, document: hit.doc })
      return
    }
    if (req.method !== 'POST') {
      this.send(res, 404, { error: 'not found' })
      return
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(await this.body(req))
    } catch {
      this.send(res, 400, { error: 'bad json' })
      return
    }
    const rows =
      typeof parsed === 'object' && parsed !== null
        ? (Object.values(parsed).find(Array.isArray) as unknown[] | undefined)
        : undefined
    if (rows === undefined) {
      this.send(res, 400, { error: 'no array in the body' })
      return
    }
    const SuccessEntitys: unknown[] = []
    const Errors: unknown[] = []
    let lose = false
    rows.forEach((row, DIndex) => {
      const doc = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>
      const number =
        typeof doc[this.o.keyField] === 'string' || typeof doc[this.o.keyField] === 'number'
          ? String(doc[this.o.keyField])
          : ''
      if (this.loseAnswer.delete(number)) lose = true
      if (number === '')
        Errors.push({
          FieldName: this.o.keyField,
          Message: `${this.o.keyField} is required`,
          DIndex,
          ErrorCode: 'INVALID',
        })
      else if (this.refuse.has(number))
        Errors.push({ FieldName: this.o.keyField, Message: `row ${number} refused`, DIndex, ErrorCode: 'INVALID' })
      else if (this.docs.has(number))
        Errors.push({
          FieldName: this.o.keyField,
          Message: `单据编号 ${number} 已存在`,
          DIndex,
          ErrorCode: 'DUPLICATE',
        })
      else {
        const id = String(++this.seq)
        this.docs.set(number, { id, doc })
        SuccessEntitys.push({ Id: id, Number: number, DIndex })
      }
    })
    this.calls.push({ path: url.pathname, rows: rows.length, answered: !lose })
    if (lose) {
      res.socket?.destroy()
      return
    }
    this.send(res, 200, { Result: { ResponseStatus: { IsSuccess: Errors.length === 0, Errors, SuccessEntitys } } })
  }
}
