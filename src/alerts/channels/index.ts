/** Send one message to one configured channel, whatever its type. */
import type { ChannelConfig } from '../../config/alerts-settings.js'
import type { AlertMessage, SendOptions } from '../types.js'
import { sendEmail } from './email.js'
import { sendDingTalk, sendFeishu, sendWeCom } from './robots.js'
import { sendWebhook } from './webhook.js'

export async function sendToChannel(ch: ChannelConfig, msg: AlertMessage, opts: SendOptions): Promise<void> {
  const s = ch.settings
  switch (s.type) {
    case 'dingtalk':
      return sendDingTalk(ch.name, s, msg, opts)
    case 'wecom':
      return sendWeCom(ch.name, s, msg, opts)
    case 'feishu':
      return sendFeishu(ch.name, s, msg, opts)
    case 'webhook':
      return sendWebhook(ch.name, s, msg, opts)
    case 'email':
      return sendEmail(ch.name, s, msg, opts)
  }
}
