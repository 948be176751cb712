/**
 * One JSON POST with a timeout, answered as text; shared by the robot channels. Vendor answers
 * are judged by each channel (DingTalk/WeCom `errcode`, Feishu `code`).
 */
import { request } from 'undici'
import { AlertChannelRejected, AlertChannelUnreachable } from '../errors.js'

export interface PostResult {
  readonly status: number
  readonly body: string
  readonly json: unknown
}

/** Hide query secrets (`access_token`, `key`, `sign`) when a URL is shown in an error. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url)
    for (const k of [...u.searchParams.keys()]) if (/token|key|sign|secret/i.test(k)) u.searchParams.set(k, '***')
    return `${u.origin}${u.pathname}${u.search === '' ? '' : decodeURIComponent(u.search)}`
  } catch {
    return '(invalid URL)'
  }
}

export async function postJson(
  channel: string,
  url: string,
  body: string,
  opts: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<PostResult> {
  let res
  try {
    res = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json; charset=utf-8', ...opts.headers },
      headersTimeout: opts.timeoutMs ?? 10_000,
      bodyTimeout: opts.timeoutMs ?? 10_000,
    })
  } catch (e) {
    throw AlertChannelUnreachable([channel, `${safeUrl(url)}: ${e instanceof Error ? e.message : String(e)}`], {
      cause: e,
    })
  }
  const text = await res.body.text()
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch {
    json = undefined
  }
  if (res.statusCode >= 500 || res.statusCode === 429)
    throw AlertChannelUnreachable([channel, `HTTP ${res.statusCode} from ${safeUrl(url)}`])
  if (res.statusCode >= 300) throw AlertChannelRejected([channel, `HTTP ${res.statusCode} ${text.slice(0, 200)}`])
  return { status: res.statusCode, body: text, json }
}

/** Robots answer HTTP 200 with an error code in the body; 0 is success. */
export function vendorCode(json: unknown, field: string): { code: number | undefined; msg: string } {
  if (typeof json !== 'object' || json === null) return { code: undefined, msg: '' }
  const o = json as Record<string, unknown>
  const code = typeof o[field] === 'number' ? o[field] : undefined
  const msg = typeof o.errmsg === 'string' ? o.errmsg : typeof o.msg === 'string' ? o.msg : ''
  return { code, msg }
}
