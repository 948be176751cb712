/**
 * Local stand-ins for the vendors' robot endpoints and an SMTP server, each checking what the
 * vendor checks, computed here from the vendors' documentation (never with Ferry's signing code).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net'

export interface Received {
  readonly url: URL
  readonly headers: IncomingMessage['headers']
  readonly body: string
  readonly json: Record<string, unknown>
}

export interface Receiver {
  readonly url: string
  readonly received: Received[]
  /** Requests whose signature or key did not verify. */
  readonly refused: Received[]
  readonly close: () => Promise<void>
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

async function listen(check: (r: Received) => { status?: number; body: unknown; ok: boolean }): Promise<Receiver> {
  const received: Received[] = []
  const refused: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: Record<string, unknown> = {}
      try {
        json = JSON.parse(body) as Record<string, unknown>
      } catch {
        /* checked by the vendor rule */
      }
      const r: Received = { url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body, json }
      const verdict = check(r)
      ;(verdict.ok ? received : refused).push(r)
      res.writeHead(verdict.status ?? 200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(verdict.body))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    refused,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/**
 * DingTalk custom robot with 加签: `sign` = urlEncode(base64(HmacSHA256(key = secret,
 * msg = timestamp + "\n" + secret))), timestamp in ms within one hour of the robot's clock.
 */
export function dingTalkRobot(accessToken: string, secret: string, now: () => number = Date.now): Promise<Receiver> {
  return listen((r) => {
    const ts = r.url.searchParams.get('timestamp') ?? ''
    const sign = r.url.searchParams.get('sign') ?? ''
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(Buffer.from(`${ts}\n${secret}`, 'utf8'))
      .digest('base64')
    if (r.url.searchParams.get('access_token') !== accessToken)
      return { ok: false, body: { errcode: 300001, errmsg: 'token is not exist' } }
    if (!/^\d{13}$/.test(ts) || Math.abs(now() - Number(ts)) > 3_600_000)
      return { ok: false, body: { errcode: 310000, errmsg: 'timestamp invalid' } }
    if (!same(sign, expected)) return { ok: false, body: { errcode: 310000, errmsg: 'sign not match' } }
    const md = r.json.markdown as { title?: unknown; text?: unknown } | undefined
    if (r.json.msgtype !== 'markdown' || typeof md?.title !== 'string' || typeof md.text !== 'string')
      return { ok: false, body: { errcode: 40035, errmsg: 'missing parameter' } }
    return { ok: true, body: { errcode: 0, errmsg: 'ok' } }
  })
}

/** Feishu custom bot with 签名校验: HmacSHA256 keyed with `timestamp + "\n" + secret` over an empty string, base64; timestamp in seconds. */
export function feishuBot(secret: string, now: () => number = Date.now): Promise<Receiver> {
  return listen((r) => {
    const ts = typeof r.json.timestamp === 'string' ? r.json.timestamp : ''
    const sign = typeof r.json.sign === 'string' ? r.json.sign : ''
    const expected = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64')
    if (!/^\d{10}$/.test(ts) || Math.abs(now() / 1000 - Number(ts)) > 3600 || !same(sign, expected)) {
      return {
        ok: false,
        body: { code: 19021, data: {}, msg: 'sign match fail or timestamp is not within one hour from current time' },
      }
    }
    if (r.json.msg_type !== 'interactive' || typeof r.json.card !== 'object')
      return { ok: false, body: { code: 9499, msg: 'Bad Request' } }
    return { ok: true, body: { code: 0, data: {}, msg: 'success' } }
  })
}

/** WeCom group robot: `key` query parameter, markdown content of at most 4096 bytes. */
export function weComRobot(key: string): Promise<Receiver> {
  return listen((r) => {
    if (r.url.searchParams.get('key') !== key)
      return { ok: false, body: { errcode: 93000, errmsg: 'invalid webhook url' } }
    const md = r.json.markdown as { content?: unknown } | undefined
    if (r.json.msgtype !== 'markdown' || typeof md?.content !== 'string')
      return { ok: false, body: { errcode: 40008, errmsg: 'invalid message type' } }
    if (Buffer.byteLength(md.content, 'utf8') > 4096)
      return { ok: false, body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } }
    return { ok: true, body: { errcode: 0, errmsg: 'ok' } }
  })
}

/** A receiver of Ferry's generic webhook, verifying `t=…,v1=hex(HMAC-SHA256(secret, t + "." + body))`. */
export function signedWebhook(secret: string, header = 'x-ferry-signature'): Promise<Receiver> {
  return listen((r) => {
    const h = String(r.headers[header] ?? '')
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(h)
    const ok =
      m !== null &&
      same(
        m[2] ?? '',
        createHmac('sha256', secret)
          .update(`${m[1] ?? ''}.${r.body}`)
          .digest('hex'),
      )
    return ok ? { ok: true, body: { ok: true } } : { ok: false, status: 401, body: { error: 'bad signature' } }
  })
}

export interface SmtpMessage {
  readonly from: string
  readonly to: string[]
  readonly data: string
}

/** The smallest SMTP server nodemailer will talk to: EHLO, MAIL, RCPT, DATA, QUIT; no TLS, no auth. */
export async function smtpReceiver(
  opts: { refuseRcpt?: boolean } = {},
): Promise<{ port: number; messages: SmtpMessage[]; close: () => Promise<void> }> {
  const messages: SmtpMessage[] = []
  const server: TcpServer = createTcpServer((sock) => {
    let buf = ''
    let inData = false
    let from = ''
    let to: string[] = []
    sock.write('220 localhost ESMTP test\r\n')
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8')
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n')
          if (end < 0) return
          messages.push({ from, to, data: buf.slice(0, end) })
          buf = buf.slice(end + 5)
          inData = false
          sock.write('250 2.0.0 queued\r\n')
          continue
        }
        const nl = buf.indexOf('\r\n')
        if (nl < 0) return
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 2)
        const cmd = line.slice(0, 4).toUpperCase()
        if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250-localhost\r\n250 8BITMIME\r\n')
        else if (cmd === 'MAIL') {
          from = /<([^>]*)>/.exec(line)?.[1] ?? ''
          to = []
          sock.write('250 2.1.0 ok\r\n')
        } else if (cmd === 'RCPT') {
          if (opts.refuseRcpt === true) sock.write('550 5.1.1 no such user\r\n')
          else {
            to.push(/<([^>]*)>/.exec(line)?.[1] ?? '')
            sock.write('250 2.1.5 ok\r\n')
          }
        } else if (cmd === 'DATA') {
          inData = true
          sock.write('354 end with .\r\n')
        } else if (cmd === 'QUIT') {
          sock.end('221 bye\r\n')
          return
        } else if (cmd === 'RSET' || cmd === 'NOOP') sock.write('250 ok\r\n')
        else sock.write('502 not implemented\r\n')
      }
    })
    sock.on('error', () => {
      /* client went away */
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    messages,
    close: () => new Promise((r) => server.close(() => r())),
  }
}
