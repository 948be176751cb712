/** Text for people about incidents and evaluations (`ferry alerts`, `ferry start`). */
import { table } from '../engine/report.js'
import type { Incident } from '../store/index.js'
import type { TickReport } from './evaluator.js'
import { RULE_TITLES } from './message.js'

export function incidentsText(list: readonly Incident[]): string {
  if (list.length === 0) return 'no incidents'
  return table([
    ['status', 'severity', 'scheme', 'rule', 'opened', 'resolved', 'summary', 'codes'],
    ...list.map((i) => [
      i.status,
      i.severity,
      i.schemeId,
      RULE_TITLES[i.rule]?.en ?? i.rule,
      i.openedAt.toISOString(),
      i.resolvedAt?.toISOString() ?? '',
      i.details.summary?.en ?? '',
      i.details.codes.join(' '),
    ]),
  ])
}

/** What `ferry start` prints after an evaluation that changed something. */
export function tickLine(r: TickReport, asJson: boolean): string[] {
  if (r.opened.length + r.resolved.length + r.sent.length === 0) return []
  if (asJson)
    return [
      JSON.stringify({
        alerts: {
          opened: r.opened.map((i) => i.key),
          resolved: r.resolved.map((i) => i.key),
          sent: r.sent,
          held: r.held,
        },
      }),
    ]
  return [
    ...r.opened.map((i) => `alert opened ${i.key}: ${i.details.summary?.en ?? ''}`),
    ...r.resolved.map((i) => `alert resolved ${i.key}`),
    ...r.sent.map((s) => `alert ${s.state} ${s.key} → ${s.channel}${s.ok ? '' : ` failed (${s.error ?? ''})`}`),
  ]
}
