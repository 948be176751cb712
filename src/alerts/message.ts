/**
 * Alert messages for people, in zh-CN or en: a title line, a Markdown body for the chat robots
 * and a plain-text body for email and the generic webhook. They carry the scheme, the rule's
 * numbers, the first error codes and a link to the scheme's console page.
 */
import type { Incident } from '../store/index.js'
import type { Language } from '../config/alerts-settings.js'
import type { AlertMessage } from './types.js'

const LABELS = {
  'zh-CN': {
    firing: '告警',
    repeat: '仍未恢复',
    resolved: '已恢复',
    test: '测试',
    scheme: '方案',
    rule: '规则',
    severity: '级别',
    since: '开始',
    resolvedAt: '恢复',
    codes: '错误码',
    details: '数据',
    open: '查看',
    critical: '严重',
    warning: '警告',
    lasted: '持续',
  },
  en: {
    firing: 'ALERT',
    repeat: 'STILL FIRING',
    resolved: 'RESOLVED',
    test: 'TEST',
    scheme: 'Scheme',
    rule: 'Rule',
    severity: 'Severity',
    since: 'Since',
    resolvedAt: 'Resolved',
    codes: 'Error codes',
    details: 'Numbers',
    open: 'Open',
    critical: 'critical',
    warning: 'warning',
    lasted: 'Lasted',
  },
} as const

export const RULE_TITLES: Readonly<Record<string, { en: string; zh: string }>> = {
  runFailed: { en: 'run failed', zh: '运行失败' },
  consecutiveFailures: { en: 'consecutive failed runs', zh: '连续运行失败' },
  freshness: { en: 'freshness', zh: '数据新鲜度' },
  volume: { en: 'volume anomaly', zh: '数据量异常' },
  failedRecords: { en: 'failed records', zh: '失败记录' },
  reconcile: { en: 'reconcile differences', zh: '对账差异' },
  paused: { en: 'scheme paused', zh: '方案暂停' },
  credentials: { en: 'credentials', zh: '凭证' },
  throttled: { en: 'throttled answers', zh: '限流' },
}

/** `<consoleUrl>/schemes/<id>`; undefined when no console URL is configured. */
export function consoleLink(consoleUrl: string | undefined, schemeId: string): string | undefined {
  return consoleUrl === undefined
    ? undefined
    : `${consoleUrl.replace(/\/+$/, '')}/schemes/${encodeURIComponent(schemeId)}`
}

function fmtTime(d: Date, lang: Language): string {
  return lang === 'zh-CN'
    ? `${d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' })} (北京时间)`
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
}

/** Markdown-significant characters in values coming from data are escaped, so a reason cannot reshape the card. */
const md = (s: string) => s.replace(/([\\`*_[\]<>|#])/g, '\\$1')

export function incidentMessage(
  i: Incident,
  state: 'firing' | 'repeat' | 'resolved',
  opts: { lang: Language; schemeName?: string; consoleUrl?: string; now: Date },
): AlertMessage {
  const L = LABELS[opts.lang]
  const zh = opts.lang === 'zh-CN'
  const summary = i.details.summary?.[zh ? 'zh' : 'en'] ?? i.rule
  const ruleTitle = RULE_TITLES[i.rule]?.[zh ? 'zh' : 'en'] ?? i.rule
  const schemeShown =
    opts.schemeName === undefined || opts.schemeName === i.schemeId ? i.schemeId : `${opts.schemeName} (${i.schemeId})`
  const title = `[Ferry] ${L[state]} ${i.schemeId}: ${state === 'resolved' ? ruleTitle : summary}`
  const link = consoleLink(opts.consoleUrl, i.schemeId)
  const numbers = Object.entries(i.details.numbers)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ')
  const lasted = (i.resolvedAt ?? opts.now).getTime() - i.openedAt.getTime()
  const rows: [string, string][] = [
    [L.scheme, schemeShown],
    [L.rule, `${ruleTitle} (${i.rule})`],
    [L.severity, L[i.severity === 'critical' ? 'critical' : 'warning']],
    [L.since, fmtTime(i.openedAt, opts.lang)],
    ...(state === 'resolved' && i.resolvedAt !== null
      ? [
          [L.resolvedAt, fmtTime(i.resolvedAt, opts.lang)] as [string, string],
          [L.lasted, `${Math.round(lasted / 60_000)} min`] as [string, string],
        ]
      : []),
    ...(numbers === '' ? [] : [[L.details, numbers] as [string, string]]),
    ...(i.details.codes.length === 0 ? [] : [[L.codes, i.details.codes.join(', ')] as [string, string]]),
  ]
  const markdown = [
    `### ${state === 'resolved' ? '✅' : i.severity === 'critical' ? '🔴' : '🟠'} ${md(L[state])}: ${md(summary)}`,
    ...rows.map(([k, v]) => `- **${k}**: ${k === L.codes ? i.details.codes.map((c) => `\`${c}\``).join(', ') : md(v)}`),
    ...(link === undefined ? [] : [`\n[${L.open} ${md(i.schemeId)}](${link})`]),
  ].join('\n')
  const text = [
    title,
    '',
    summary,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(link === undefined ? [] : ['', link]),
  ].join('\n')
  return {
    state,
    title,
    markdown,
    text,
    ...(link === undefined ? {} : { link }),
    incident: {
      key: i.key,
      schemeId: i.schemeId,
      rule: i.rule,
      severity: i.severity === 'critical' ? 'critical' : 'warning',
      openedAt: i.openedAt.toISOString(),
      ...(i.resolvedAt === null ? {} : { resolvedAt: i.resolvedAt.toISOString() }),
      numbers: i.details.numbers,
      codes: i.details.codes,
    },
  }
}

export function testMessage(channel: string, lang: Language, consoleUrl: string | undefined, now: Date): AlertMessage {
  const zh = lang === 'zh-CN'
  const title = zh ? `[Ferry] 测试消息:通道 ${channel}` : `[Ferry] test message for channel ${channel}`
  const body = zh
    ? `这是 \`ferry alerts test ${channel}\` 发出的测试消息,通道配置正确。`
    : `This is a test message from \`ferry alerts test ${channel}\`; the channel works.`
  const link = consoleUrl?.replace(/\/+$/, '')
  return {
    state: 'test',
    title,
    markdown: `### ${title}\n${body}\n- ${fmtTime(now, lang)}${link === undefined ? '' : `\n\n[Ferry](${link})`}`,
    text: `${title}\n\n${body.replace(/`/g, '')}\n${fmtTime(now, lang)}${link === undefined ? '' : `\n${link}`}`,
    ...(link === undefined ? {} : { link }),
  }
}
