import { afterEach, describe, expect, it } from 'vitest'
import { sendToChannel } from '../../src/alerts/channels/index.js'
import type { ChannelConfig, ChannelSettings } from '../../src/config/alerts-settings.js'
import type { AlertMessage } from '../../src/alerts/types.js'
import { isFerryError } from '../../src/core/errors.js'
import { dingTalkRobot, feishuBot, signedWebhook, smtpReceiver, weComRobot } from './receivers.js'

const msg: AlertMessage = {
  state: 'firing',
  title: '[Ferry] 告警 orders: 连续 3 次运行失败',
  markdown: '### 连续 3 次运行失败\n- 方案: **orders**\n- 错误码: `ERR_JST_TOKEN`',
  text: 'orders: 3 failed runs in a row\nERR_JST_TOKEN',
  link: 'https://ferry.example.com/schemes/orders',
}
const ch = (settings: ChannelSettings): ChannelConfig => ({
  name: 'ops',
  language: 'zh-CN',
  ratePerMinute: 20,
  settings,
})
const now = () => new Date()
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return isFerryError(e) ? e.code : String(e)
  }
  return 'no error'
}

describe('DingTalk robot channel', () => {
  it('sends a markdown message the robot accepts, signed with timestamp and sign as DingTalk documents', async () => {
    const robot = await dingTalkRobot('tok-1', 'SECabc123')
    closers.push(robot.close)
    await sendToChannel(
      ch({ type: 'dingtalk', webhook: `${robot.url}/robot/send?access_token=tok-1`, secret: 'SECabc123' }),
      msg,
      { now },
    )
    expect(robot.refused).toHaveLength(0)
    expect(robot.received).toHaveLength(1)
    expect((robot.received[0]?.json.markdown as { title: string }).title).toBe(msg.title)
  })

  it('reports the robot refusing a wrong secret as ERR_ALERT_CHANNEL_REJECTED with the vendor answer', async () => {
    const robot = await dingTalkRobot('tok-1', 'SECright')
    closers.push(robot.close)
    const p = sendToChannel(
      ch({ type: 'dingtalk', webhook: `${robot.url}/robot/send?access_token=tok-1`, secret: 'SECwrong' }),
      msg,
      { now },
    )
    expect(await code(p)).toBe('ERR_ALERT_CHANNEL_REJECTED')
    expect(robot.refused).toHaveLength(1)
  })

  it('is refused when its clock is more than an hour off, as the robot checks the timestamp', async () => {
    const robot = await dingTalkRobot('tok-1', 'SECabc')
    closers.push(robot.close)
    const late = () => new Date(Date.now() - 2 * 3_600_000)
    expect(
      await code(
        sendToChannel(
          ch({ type: 'dingtalk', webhook: `${robot.url}/robot/send?access_token=tok-1`, secret: 'SECabc' }),
          msg,
          { now: late },
        ),
      ),
    ).toBe('ERR_ALERT_CHANNEL_REJECTED')
  })
})

describe('Feishu bot channel', () => {
  it('sends a card signed with timestamp and sign in the body as Feishu documents', async () => {
    const bot = await feishuBot('fs-secret')
    closers.push(bot.close)
    await sendToChannel(
      ch({ type: 'feishu', webhook: `${bot.url}/open-apis/bot/v2/hook/abc`, secret: 'fs-secret' }),
      msg,
      { now },
    )
    expect(bot.refused).toHaveLength(0)
    expect(bot.received).toHaveLength(1)
    expect(JSON.stringify(bot.received[0]?.json.card)).toContain('ERR_JST_TOKEN')
  })

  it('reports a signature mismatch (code 19021) as ERR_ALERT_CHANNEL_REJECTED', async () => {
    const bot = await feishuBot('right')
    closers.push(bot.close)
    expect(
      await code(sendToChannel(ch({ type: 'feishu', webhook: `${bot.url}/hook`, secret: 'wrong' }), msg, { now })),
    ).toBe('ERR_ALERT_CHANNEL_REJECTED')
  })
})

describe('WeCom robot channel', () => {
  it('sends markdown to the webhook key and keeps a long message within 4096 bytes', async () => {
    const robot = await weComRobot('k-123')
    closers.push(robot.close)
    const long = { ...msg, markdown: `${msg.markdown}\n${'错误详情 '.repeat(2000)}` }
    await sendToChannel(ch({ type: 'wecom', webhook: `${robot.url}/cgi-bin/webhook/send?key=k-123` }), long, { now })
    expect(robot.refused).toHaveLength(0)
    expect(robot.received).toHaveLength(1)
  })

  it('reports a wrong key (errcode 93000) as ERR_ALERT_CHANNEL_REJECTED', async () => {
    const robot = await weComRobot('k-123')
    closers.push(robot.close)
    expect(
      await code(
        sendToChannel(ch({ type: 'wecom', webhook: `${robot.url}/cgi-bin/webhook/send?key=other` }), msg, { now }),
      ),
    ).toBe('ERR_ALERT_CHANNEL_REJECTED')
  })
})

describe('generic webhook channel', () => {
  it('signs the exact body with HMAC-SHA256 so the receiver can verify it', async () => {
    const hook = await signedWebhook('wh-secret')
    closers.push(hook.close)
    await sendToChannel(ch({ type: 'webhook', url: `${hook.url}/ferry`, secret: 'wh-secret' }), msg, { now })
    expect(hook.refused).toHaveLength(0)
    expect(hook.received[0]?.json).toMatchObject({ source: 'ferry', state: 'firing', title: msg.title, link: msg.link })
  })

  it('reports a receiver refusing the signature (HTTP 401) as ERR_ALERT_CHANNEL_REJECTED', async () => {
    const hook = await signedWebhook('right')
    closers.push(hook.close)
    expect(await code(sendToChannel(ch({ type: 'webhook', url: hook.url, secret: 'wrong' }), msg, { now }))).toBe(
      'ERR_ALERT_CHANNEL_REJECTED',
    )
  })

  it('reports a receiver that is down as ERR_ALERT_CHANNEL_UNREACHABLE', async () => {
    const hook = await signedWebhook('s')
    await hook.close()
    expect(
      await code(sendToChannel(ch({ type: 'webhook', url: hook.url, secret: 's' }), msg, { now, timeoutMs: 2000 })),
    ).toBe('ERR_ALERT_CHANNEL_UNREACHABLE')
  })
})

describe('email channel', () => {
  it('delivers the message over SMTP to every recipient with the title as subject', async () => {
    const smtp = await smtpReceiver()
    closers.push(smtp.close)
    const en = { ...msg, title: '[Ferry] alert orders: 3 failed runs in a row' }
    await sendToChannel(
      ch({
        type: 'email',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'ferry@example.com',
        to: ['ops@example.com', 'dba@example.com'],
      }),
      en,
      { now },
    )
    expect(smtp.messages).toHaveLength(1)
    const m = smtp.messages[0]
    expect(m?.from).toBe('ferry@example.com')
    expect(m?.to).toEqual(['ops@example.com', 'dba@example.com'])
    expect(m?.data).toMatch(/^Subject: \[Ferry\] alert orders: 3 failed runs in a row$/m)
    expect(m?.data).toContain('ERR_JST_TOKEN')
  })

  it('reports a permanent SMTP refusal (5xx) as ERR_ALERT_CHANNEL_REJECTED', async () => {
    const smtp = await smtpReceiver({ refuseRcpt: true })
    closers.push(smtp.close)
    expect(
      await code(
        sendToChannel(
          ch({
            type: 'email',
            host: '127.0.0.1',
            port: smtp.port,
            from: 'ferry@example.com',
            to: ['nobody@example.com'],
          }),
          msg,
          { now },
        ),
      ),
    ).toBe('ERR_ALERT_CHANNEL_REJECTED')
  })
})
