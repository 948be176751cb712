/**
 * Runs a simulator on node:http. The helper owns everything that is not vendor protocol: body
 * reading with a size cap, the admin prefix, fault application around the vendor handler, the
 * request log, and never crashing (a handler that throws gets the vendor's internal-error reply;
 * a malformed HTTP request gets a 400 from the parser hook).
 */
import { setMaxListeners } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SimClock } from './clock.js'
import type { Fault, FaultEngine } from './faults.js'
import type { Outcome, RequestLog } from './request-log.js'

/** A request as the vendor handler sees it. */
export interface SimRequest {
  readonly method: string
  /** URL path without the query string. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The raw body; empty when it was larger than `maxBodyBytes`. */
  readonly body: Buffer
  readonly bodyTooLarge: boolean
  readonly remoteAddress: string
}

/** What the handler's reply means, for the request log. */
export interface LogMeta {
  readonly outcome: Outcome
  readonly code?: number | string
  readonly reason?: string
  /** Parameters to log (redacted by the log); defaults to the query string. */
  readonly params?: Record<string, unknown>
}

export interface SimResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: string
  /** Omit to keep the request out of the log (admin calls). */
  readonly log?: LogMeta
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>

export interface SimServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number
  /** Default 127.0.0.1. */
  readonly host?: string
  /** Bodies beyond this are not buffered; the handler sees `bodyTooLarge`. Default 1 MiB. */
  readonly maxBodyBytes?: number
  /** Paths under this prefix go to `admin`, bypassing faults and the log. Default `/__admin/`. */
  readonly adminPrefix?: string
  readonly admin?: SimHandler
  /** The vendor API. */
  readonly handler: SimHandler
  /** The vendor's reply when the handler throws (it must not throw itself). */
  readonly internalError: (req: SimRequest, error: unknown) => SimResponse
  readonly faults: FaultEngine
  readonly log: RequestLog
  readonly clock: SimClock
  /** Parameters to log for requests a fault stops before the handler ran. */
  readonly describe?: (req: SimRequest) => Record<string, unknown>
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string
  readonly port: number
  /** Stops accepting, cuts open connections (including hanging faults) and resolves when closed. */
  close(): Promise<void>
}

/** An HTML error page as gateways (nginx, SLB) send them. */
export function htmlPage(status: number, title: string): SimResponse {
  const text = `${status} ${title}`
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  }
}

const STATUS_TITLES: Record<number, string> = {
  404: 'Not Found',
  405: 'Not Allowed',
  413: 'Request Entity Too Large',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
}

/** `htmlPage` with the usual nginx title for the status. */
export function gatewayPage(status: number): SimResponse {
  return htmlPage(status, STATUS_TITLES[status] ?? 'Error')
}

/** A JSON reply (`application/json; charset=utf-8`). */
export function jsonResponse(body: unknown, status = 200, log?: LogMeta): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    ...(log === undefined ? {} : { log }),
  }
}

function defaultDescribe(req: SimRequest): Record<string, unknown> {
  return Object.fromEntries(req.query)
}

/** Start a simulator server. */
export async function startSimServer(opts: SimServerOptions): Promise<RunningServer> {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024
  const adminPrefix = opts.adminPrefix ?? '/__admin/'
  const stop = new AbortController()
  // Every request sleeping out its injected latency listens on `stop` (so close() cuts the sleep
  // short); hundreds at once are normal under load, not a leak.
  setMaxListeners(0, stop.signal)
  const sockets = new Set<Socket>()
  const describe = opts.describe ?? defaultDescribe

  const wait = async (ms: number): Promise<void> => {
    if (ms <= 0) return
    await sleep(ms, undefined, { signal: stop.signal }).catch(() => undefined)
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('simulator error')
      } else {
        res.destroy()
      }
    })
  })

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const simReq = await readRequest(req, maxBody)
    const arrived = opts.clock.now()
    if (simReq.path.startsWith(adminPrefix) || `${simReq.path}/` === adminPrefix) {
      const out = opts.admin === undefined ? gatewayPage(404) : await safe(opts.admin, simReq)
      send(res, out)
      return
    }
    const decision = opts.faults.decide(simReq.method, simReq.path)
    await wait(decision.latencyMs)
    const fault = decision.fault
    const faultReason = `fault:${decision.label ?? ''}`
    const record = (status: number, meta: LogMeta | undefined, outcome?: Outcome, reason?: string): void => {
      opts.log.record({
        time: new Date(arrived).toISOString(),
        method: simReq.method,
        endpoint: simReq.path,
        params: meta?.params ?? describe(simReq),
        outcome: outcome ?? meta?.outcome ?? 'accepted',
        status,
        ...(meta?.code === undefined ? {} : { code: meta.code }),
        ...((reason ?? meta?.reason) === undefined ? {} : { reason: reason ?? meta?.reason }),
      })
    }
    // A hung call is logged when it starts hanging, so the log never lags behind the client's view.
    if (fault !== undefined && !isAfter(fault)) {
      if (fault.kind !== 'hang') {
        record(applyBefore(res, fault), undefined, 'fault', faultReason)
        return
      }
      record(200, undefined, 'fault', faultReason)
      await wait(fault.ms)
      send(res, await safe(opts.handler, simReq, opts.internalError))
      return
    }
    const out = await safe(opts.handler, simReq, opts.internalError)
    if (fault !== undefined && isAfter(fault)) {
      if (fault.kind === 'hang') {
        record(out.status, out.log, 'fault', faultReason)
        await wait(fault.ms)
        send(res, out)
        return
      }
      record(applyAfter(res, fault, out), out.log, 'fault', faultReason)
      return
    }
    send(res, out)
    if (out.log !== undefined) record(out.status, out.log)
  }

  function applyBefore(res: ServerResponse, fault: Fault): number {
    switch (fault.kind) {
      case 'http_error':
        send(res, gatewayPage(fault.status))
        return fault.status
      case 'reset':
        res.socket?.destroy()
        return 0
      case 'vendor':
        send(res, jsonResponse(fault.body, fault.status ?? 200))
        return fault.status ?? 200
      case 'hang':
      case 'latency':
      case 'truncated':
      case 'non_json':
        return 0
    }
  }

  function applyAfter(res: ServerResponse, fault: Fault, out: SimResponse): number {
    switch (fault.kind) {
      case 'truncated': {
        const cut = Buffer.from(out.body).subarray(0, Math.max(1, Math.floor(Buffer.byteLength(out.body) / 2)))
        res.writeHead(200, { ...out.headers, 'content-length': String(cut.length) })
        res.end(cut)
        return 200
      }
      case 'non_json':
        send(res, { ...htmlPage(200, 'Service busy, please retry'), status: 200 })
        return 200
      case 'http_error':
        send(res, gatewayPage(fault.status))
        return fault.status
      case 'reset':
        res.socket?.destroy()
        return 0
      case 'vendor':
        send(res, jsonResponse(fault.body, fault.status ?? 200))
        return fault.status ?? 200
      case 'hang':
      case 'latency':
        send(res, out)
        return out.status
    }
  }

  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  // A request the HTTP parser rejects (bad request line, oversized headers) must not kill the server.
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    else socket.destroy()
  })
  server.headersTimeout = 20_000
  server.requestTimeout = 0

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    async close() {
      stop.abort()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
        server.closeAllConnections()
      })
    },
  }
}

function isAfter(f: Fault): boolean {
  return f.kind === 'truncated' || f.kind === 'non_json' || ('afterCommit' in f && f.afterCommit === true)
}

async function safe(
  h: SimHandler,
  req: SimRequest,
  onError?: (req: SimRequest, e: unknown) => SimResponse,
): Promise<SimResponse> {
  try {
    return await h(req)
  } catch (e) {
    if (onError !== undefined) return onError(req, e)
    return jsonResponse({ error: e instanceof Error ? e.message : String(e) }, 400)
  }
}

function send(res: ServerResponse, out: SimResponse): void {
  if (res.destroyed || res.writableEnded) return
  const body = Buffer.from(out.body)
  res.writeHead(out.status, { ...out.headers, 'content-length': String(body.length) })
  res.end(body)
}

async function readRequest(req: IncomingMessage, maxBody: number): Promise<SimRequest> {
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  await new Promise<void>((resolve) => {
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > maxBody) {
        tooLarge = true
        chunks.length = 0
      } else if (!tooLarge) {
        chunks.push(c)
      }
    })
    req.on('end', () => resolve())
    req.on('error', () => resolve())
    req.on('close', () => resolve())
  })
  const rawUrl = req.url ?? '/'
  let url: URL
  try {
    url = new URL(rawUrl, 'http://sim.local')
  } catch {
    url = new URL('http://sim.local/')
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks),
    bodyTooLarge: tooLarge,
    remoteAddress: req.socket.remoteAddress ?? '',
  }
}
