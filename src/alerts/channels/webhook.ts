/**
 * The generic webhook: the message as JSON, signed so the receiver can tell it came from this
 * Ferry and was not replayed. Header `X-Ferry-Signature: t=<unix seconds>,v1=<hex>` where hex is
 * HMAC-SHA256(secret, `${t}.${body}`) over the exact body bytes (the scheme Stripe and GitHub
 * users know); receivers should also refuse a `t` older than a few minutes.
 */
import { createHmac } from 'node:crypto'
import type { WebhookSettings } from '../../config/alerts-settings.js'
import type { AlertMessage, SendOptions } from '../types.js'
import { postJson } from './http.js'

export function webhookSignature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex')}`
}

export async function sendWebhook(
  name: string,
  s: WebhookSettings,
  msg: AlertMessage,
  opts: SendOptions,
): Promise<void> {
  const body = JSON.stringify({
    source: 'ferry',
    state: msg.state,
    title: msg.title,
    text: msg.text,
    markdown: msg.markdown,
    ...(msg.link === undefined ? {} : { link: msg.link }),
    ...(msg.incident === undefined ? {} : { incident: msg.incident }),
  })
  const t = Math.floor(opts.now().getTime() / 1000)
  await postJson(name, s.url, body, {
    headers: { [s.header ?? 'X-Ferry-Signature']: webhookSignature(s.secret, t, body) },
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  })
}
