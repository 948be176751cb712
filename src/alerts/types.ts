/**
 * Shapes shared by the alert rules, the incident book and the channels. Kept free of store and
 * engine imports so the HTTP service (issue 14) can use them without pulling in the engine.
 */

export type Language = 'zh-CN' | 'en'

/** What one message says; each channel renders it in its own format. */
export interface AlertMessage {
  readonly state: 'firing' | 'resolved' | 'repeat' | 'test'
  /** One line: `[Ferry] 告警 jst-count-to-jdy-check-loss: 连续 3 次运行失败`. */
  readonly title: string
  /** Markdown body (DingTalk, WeCom, Feishu cards). */
  readonly markdown: string
  /** Plain text body (email, generic webhook). */
  readonly text: string
  /** The structured facts, for the generic webhook's JSON body. */
  readonly incident?: {
    readonly key: string
    readonly schemeId: string
    readonly rule: string
    readonly severity: Severity
    readonly openedAt: string
    readonly resolvedAt?: string
    readonly numbers: Readonly<Record<string, number | string>>
    readonly codes: readonly string[]
  }
  readonly link?: string
}

export type Severity = 'critical' | 'warning'

export interface DingTalkSettings {
  readonly type: 'dingtalk'
  readonly webhook: string
  readonly secret?: string
  readonly atMobiles?: readonly string[]
}
export interface WeComSettings {
  readonly type: 'wecom'
  readonly webhook: string
}
export interface FeishuSettings {
  readonly type: 'feishu'
  readonly webhook: string
  readonly secret?: string
}
export interface WebhookSettings {
  readonly type: 'webhook'
  readonly url: string
  readonly secret: string
  /** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>`; default `X-Ferry-Signature`. */
  readonly header?: string
}
export interface EmailSettings {
  readonly type: 'email'
  readonly host: string
  readonly port: number
  readonly secure?: boolean
  readonly user?: string
  readonly password?: string
  readonly from: string
  readonly to: readonly string[]
}

export type ChannelSettings = DingTalkSettings | WeComSettings | FeishuSettings | WebhookSettings | EmailSettings

/** Per-channel delivery policy (not secret). */
export interface ChannelPolicy {
  readonly language: Language
  /** Messages per rolling minute; the rest wait for the next evaluation. Default 20 (DingTalk's own limit). */
  readonly ratePerMinute: number
}

export interface ChannelConfig extends ChannelPolicy {
  readonly name: string
  readonly settings: ChannelSettings
}

export interface SendOptions {
  readonly now: () => Date
  readonly timeoutMs?: number
}
