/**
 * Shapes shared by the alert rules, the incident book and the channels (their settings are in
 * src/config/alerts-settings.ts). Kept free of store and engine imports so the HTTP service (issue 14) can use them without pulling in the engine.
 */
import type { Severity } from '../config/alerts-settings.js'

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

export interface SendOptions {
  readonly now: () => Date
  readonly timeoutMs?: number
}
