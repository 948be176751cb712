/**
 * Alert rule settings with their defaults (docs/alerts.md lists them). Every rule can be tuned or
 * turned off for all schemes (`alerts.rules`) and per scheme (`alerts.schemes.<id>.rules`);
 * the per-scheme value wins field by field. With them, the channels' settings: the shapes of the
 * `alerts` section, here in config (which checks it) so config never imports the alerting runtime.
 */

export interface RuleBase {
  readonly enabled: boolean
  readonly severity: Severity
}

export interface RuleSettings {
  readonly runFailed: RuleBase
  readonly consecutiveFailures: RuleBase & { readonly count: number }
  readonly freshness: RuleBase & { readonly afterMs: number }
  readonly volume: RuleBase & {
    readonly minExpected: number
    readonly dropRatio: number
    readonly spikeRatio: number
    readonly spikeMin: number
  }
  readonly failedRecords: RuleBase & { readonly olderThanMs: number; readonly moreThan: number }
  readonly reconcile: RuleBase
  readonly paused: RuleBase
  readonly credentials: RuleBase & {
    readonly expiringWithinMs: number
    readonly autoRefreshed: readonly string[]
    readonly refusedCodes: readonly string[]
  }
  readonly throttled: RuleBase & { readonly share: number; readonly minCalls: number }
}

export type RuleName = keyof RuleSettings

const H = 3_600_000

export const DEFAULT_RULES: RuleSettings = {
  runFailed: { enabled: true, severity: 'warning' },
  consecutiveFailures: { enabled: true, severity: 'critical', count: 3 },
  freshness: { enabled: true, severity: 'critical', afterMs: 2 * H },
  volume: { enabled: true, severity: 'warning', minExpected: 10, dropRatio: 0.2, spikeRatio: 3, spikeMin: 100 },
  failedRecords: { enabled: true, severity: 'warning', olderThanMs: 24 * H, moreThan: 100 },
  reconcile: { enabled: true, severity: 'critical' },
  paused: { enabled: true, severity: 'critical' },
  credentials: {
    enabled: true,
    severity: 'critical',
    expiringWithinMs: 72 * H,
    // JDY's app-token lives for hours and is fetched again by the connector: its expiry is routine.
    autoRefreshed: ['app-token'],
    refusedCodes: [
      'ERR_JST_TOKEN',
      'ERR_JST_REAUTHORIZE',
      'ERR_JST_SIGNATURE',
      'ERR_JDY_AUTH_REJECTED',
      'ERR_JDY_AUTHORIZATION_MISSING',
      'ERR_JDY_TOKEN_REJECTED',
    ],
  },
  throttled: { enabled: true, severity: 'warning', share: 0.2, minCalls: 50 },
}

export const RULE_NAMES = Object.keys(DEFAULT_RULES) as RuleName[]

export interface QuietHours {
  /** Minutes after local midnight. */
  readonly fromMin: number
  readonly toMin: number
  readonly timezone: string
  /** Hold critical alerts too (default false: critical ones always go out). */
  readonly holdCritical: boolean
}

export interface AlertsConfig {
  readonly enabled: boolean
  readonly language: 'zh-CN' | 'en'
  /** Console base URL for links (`<consoleUrl>/schemes/<id>`); no link when unset. */
  readonly consoleUrl?: string
  readonly intervalMs: number
  readonly repeatMs: number
  readonly quietHours?: QuietHours
  /** Channel names every scheme alerts to unless it names its own. */
  readonly route: readonly string[]
  readonly rules: RuleSettings
  readonly schemes: Readonly<Record<string, { readonly rules: RuleSettings; readonly route?: readonly string[] }>>
}

export const DEFAULT_ALERTS: AlertsConfig = {
  enabled: true,
  language: 'zh-CN',
  intervalMs: 60_000,
  repeatMs: 4 * H,
  route: [],
  rules: DEFAULT_RULES,
  schemes: {},
}

export function rulesFor(cfg: AlertsConfig, schemeId: string): RuleSettings {
  return cfg.schemes[schemeId]?.rules ?? cfg.rules
}

export function routeFor(cfg: AlertsConfig, schemeId: string): readonly string[] {
  return cfg.schemes[schemeId]?.route ?? cfg.route
}

export type Language = 'zh-CN' | 'en'

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

export const CHANNEL_TYPES = ['dingtalk', 'wecom', 'feishu', 'webhook', 'email'] as const
