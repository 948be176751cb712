/**
 * Chat robots: DingTalk (钉钉) custom robot, WeCom (企业微信) group robot, Feishu/Lark (飞书) custom bot.
 *
 * Signatures, as the vendors document them:
 * - DingTalk 加签: stringToSign = `${timestamp}\n${secret}` (timestamp in ms), HMAC-SHA256 keyed with
 *   the secret, Base64, then URL-encoded; sent as the `timestamp` and `sign` query parameters. The
 *   robot refuses a timestamp more than an hour away from its clock (errcode 310000).
 * - Feishu 签名校验: the *key* is `${timestamp}\n${secret}` (timestamp in seconds) and the message is
 *   empty; HMAC-SHA256, Base64; sent as `timestamp` and `sign` in the JSON body (code 19021 on a mismatch).
 * - WeCom robots have no signature: the webhook `key` is the credential, so the URL is a secret.
 */
import { createHmac } from 'node:crypto'
import { AlertChannelRejected } from '../errors.js'
import type { DingTalkSettings, FeishuSettings, WeComSettings } from '../../config/alerts-settings.js'
import type { AlertMessage, SendOptions } from '../types.js'
import { postJson, vendorCode } from './http.js'

export function dingTalkSign(timestampMs: number, secret: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64')
  return encodeURIComponent(mac)
}

export function feishuSign(timestampSec: number, secret: string): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64')
}

/** WeCom caps a markdown message at 4096 bytes; DingTalk's limit is larger but undocumented per field. */
export function clipBytes(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8')
  if (buf.length <= max) return text
  let cut = buf.subarray(0, max - 3).toString('utf8')
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1)
  return `${cut}...`
}

export async function sendDingTalk(
  name: string,
  s: DingTalkSettings,
  msg: AlertMessage,
  opts: SendOptions,
): Promise<void> {
  let url = s.webhook
  if (s.secret !== undefined && s.secret !== '') {
    const ts = opts.now().getTime()
    url += `${url.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${dingTalkSign(ts, s.secret)}`
  }
  const at = s.atMobiles ?? []
  const text = at.length === 0 ? msg.markdown : `${msg.markdown}\n\n${at.map((m) => `@${m}`).join(' ')}`
  const body = JSON.stringify({
    msgtype: 'markdown',
    markdown: { title: msg.title, text: clipBytes(text, 18_000) },
    at: { atMobiles: at, isAtAll: false },
  })
  const res = await postJson(name, url, body, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs })
  const { code, msg: m } = vendorCode(res.json, 'errcode')
  if (code !== 0) throw AlertChannelRejected([name, `errcode ${String(code)} ${m}`.trim()])
}

export async function sendWeCom(name: string, s: WeComSettings, msg: AlertMessage, opts: SendOptions): Promise<void> {
  const body = JSON.stringify({
    msgtype: 'markdown',
    markdown: { content: clipBytes(`**${msg.title}**\n${msg.markdown}`, 4096) },
  })
  const res = await postJson(name, s.webhook, body, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs })
  const { code, msg: m } = vendorCode(res.json, 'errcode')
  if (code !== 0) throw AlertChannelRejected([name, `errcode ${String(code)} ${m}`.trim()])
}

export async function sendFeishu(name: string, s: FeishuSettings, msg: AlertMessage, opts: SendOptions): Promise<void> {
  const signed =
    s.secret === undefined || s.secret === ''
      ? {}
      : (() => {
          const ts = Math.floor(opts.now().getTime() / 1000)
          return { timestamp: String(ts), sign: feishuSign(ts, s.secret) }
        })()
  const template = msg.state === 'resolved' ? 'green' : msg.state === 'test' ? 'blue' : 'red'
  const body = JSON.stringify({
    ...signed,
    msg_type: 'interactive',
    card: {
      header: { template, title: { tag: 'plain_text', content: msg.title } },
      elements: [{ tag: 'markdown', content: clipBytes(msg.markdown, 20_000) }],
    },
  })
  const res = await postJson(name, s.webhook, body, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs })
  // Current answers carry `code`; older deployments answer `StatusCode`.
  const c = vendorCode(res.json, 'code')
  const code = c.code ?? vendorCode(res.json, 'StatusCode').code
  if (code !== 0) throw AlertChannelRejected([name, `code ${String(code)} ${c.msg}`.trim()])
}
