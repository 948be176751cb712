/** Email over SMTP with nodemailer: plain text plus a minimal HTML rendering of the same lines. */
import nodemailer from 'nodemailer'
import { AlertChannelRejected, AlertChannelUnreachable } from '../errors.js'
import type { EmailSettings } from '../../config/alerts-settings.js'
import type { AlertMessage, SendOptions } from '../types.js'

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c)

export async function sendEmail(name: string, s: EmailSettings, msg: AlertMessage, opts: SendOptions): Promise<void> {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure ?? s.port === 465,
    ...(s.user === undefined ? {} : { auth: { user: s.user, pass: s.password ?? '' } }),
    connectionTimeout: opts.timeoutMs ?? 10_000,
    greetingTimeout: opts.timeoutMs ?? 10_000,
    socketTimeout: opts.timeoutMs ?? 10_000,
  })
  try {
    await transport.sendMail({
      from: s.from,
      to: [...s.to],
      subject: msg.title,
      text: msg.text,
      html: `<pre style="font-family:inherit">${escape(msg.text)}</pre>${msg.link === undefined ? '' : `<p><a href="${escape(msg.link)}">${escape(msg.link)}</a></p>`}`,
    })
  } catch (e) {
    const err = e as { responseCode?: number; message?: string; code?: string }
    // 5xx SMTP replies are permanent refusals (bad sender, relay denied, auth failed).
    if (typeof err.responseCode === 'number' && err.responseCode >= 500)
      throw AlertChannelRejected([name, `${err.responseCode} ${err.message ?? ''}`.trim()], { cause: e })
    throw AlertChannelUnreachable([name, `${s.host}:${s.port}: ${err.code ?? ''} ${err.message ?? String(e)}`.trim()], {
      cause: e,
    })
  } finally {
    transport.close()
  }
}
