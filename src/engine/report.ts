/**
 * Text for people: run summaries as small tables and records as readable blocks. Programs use
 * `--json` and get the objects themselves.
 */
import type { BudgetReport } from './host-budgets.js'
import type { LedgerRecord, RecordStatus } from './ports.js'
import type { RunSummary } from './run.js'

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length)
    })
  return rows
    .map((r) =>
      r
        .map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

const STATUSES: readonly RecordStatus[] = ['waiting', 'queued', 'unknown', 'done', 'duplicate', 'error']

/** The run's quality summary: one line per failing rule with its count and first example. */
function qualityText(s: RunSummary): string {
  if (s.quality === undefined || s.quality.length === 0) return ''
  return `\nquality:\n${table(s.quality.map((q) => ['  ' + q.rule, q.code, String(q.count), q.examples[0] === undefined ? '' : `e.g. record ${q.examples[0].recordIds.join(',')} ${q.examples[0].path}: ${q.examples[0].message}`]))}`
}

export function summaryText(s: RunSummary): string {
  const c = s.counters
  const rows: string[][] = [
    [
      'scheme',
      'stages',
      'status',
      'windows',
      'pages',
      'fetched',
      'stored',
      'written',
      'existing',
      'retrying',
      'failed',
      'changed',
    ],
    [
      s.schemeId,
      s.stages.join('+'),
      s.status,
      `${s.windowsClosed}/${s.windowsPlanned}`,
      String(c.pages),
      String(c.fetched),
      String(c.inserted + c.updated),
      String(c.written),
      String(c.alreadyExisted),
      String(c.retrying + c.unknown),
      String(c.failed),
      String(c.changedAfterSync),
    ],
  ]
  // A master-data scheme's records are collection rows: stored is all they ever become.
  const ledger =
    s.collection === true
      ? `stored ${STATUSES.reduce((n, st) => n + (s.ledger[st] ?? 0), 0)} (collection rows for _findCollection; nothing to write)`
      : STATUSES.map((st) => `${st} ${s.ledger[st] ?? 0}`).join(', ')
  const err = s.error === undefined ? '' : `\n${s.error.code}  ${s.error.location ?? '-'}  ${s.error.message}`
  const paced =
    c.paced > 0
      ? `\npaced: ${c.paced} throttled answer(s) requeued and written in this run (not counted as attempts)`
      : ''
  return `${table(rows)}\nledger: ${ledger}${paced}${scheduledText(s)}${qualityText(s)}${err}`
}

/** "scheduled for later: …" lines, or nothing when the run left nothing behind. */
function scheduledText(s: RunSummary): string {
  const groups = s.scheduled ?? []
  if (groups.length === 0) return s.scheduled === undefined ? '' : '\nscheduled for later: nothing'
  const lines = groups.map(
    (g) =>
      `  ${g.records} ${g.status} (${g.code}${g.next === undefined ? '' : `, next at ${g.next.toISOString()}`}): ${g.message}`,
  )
  return `\nscheduled for later:\n${lines.join('\n')}`
}

/**
 * A master-data scheme's records (no target) are collection rows: they stay `waiting` in the ledger
 * because nothing writes them, which reads as "stuck" to a person, so they are shown as `stored`.
 */
const shownStatus = (r: LedgerRecord, collection: boolean) =>
  collection && r.status === 'waiting' ? 'stored' : r.status

export function recordLine(r: LedgerRecord, collection = false): string[] {
  return [
    r.id,
    r.number ?? r.id,
    shownStatus(r, collection) + (r.changedAfterSync ? '*' : '') + (r.resolvedAt === null ? '' : ' (resolved)'),
    String(r.attempts),
    r.targetId ?? '',
    r.lastError === null ? '' : `${r.lastError.code} ${r.lastError.message}`,
  ]
}

/**
 * A record as `--json` prints it: fields that are not set are left out, and the ledger's
 * bookkeeping (sequence, content hash, claim) stays inside the store.
 */
export function recordJson(r: LedgerRecord): Record<string, unknown> {
  const set = <T>(k: string, v: T | null | undefined) => (v === null || v === undefined ? {} : { [k]: v })
  return {
    schemeId: r.schemeId,
    id: r.id,
    number: r.number ?? r.id,
    content: r.content,
    status: r.status,
    attempts: r.attempts,
    ...set('payload', r.payload),
    payloadEdited: r.payloadEdited,
    ...set('targetId', r.targetId),
    ...set('response', r.response),
    ...set('businessKey', r.businessKey),
    ...set('nextAttemptAt', r.nextAttemptAt),
    ...set('lastError', r.lastError),
    changedAfterSync: r.changedAfterSync,
    ...set('resolvedAt', r.resolvedAt),
    ...set('resolvedNote', r.resolvedNote),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

export function recordsText(records: readonly LedgerRecord[], collection = false): string {
  if (records.length === 0) return 'no records'
  const rows = records.map((r) => recordLine(r, collection))
  const note = collection
    ? '(stored: a collection row for _findCollection; this scheme has no target)'
    : '(* changed after sync: kept, not rewritten)'
  return `${table([['id', 'number', 'status', 'attempts', 'target id', 'last error'], ...rows])}\n${note}`
}

export function recordText(r: LedgerRecord, collection = false): string {
  const lines = [
    `record ${r.id} (${r.number ?? r.id}) of ${r.schemeId}`,
    `status: ${shownStatus(r, collection)}${collection && r.status === 'waiting' ? ' (a collection row for _findCollection; this scheme has no target)' : ''}${r.changedAfterSync ? ' (changed after sync: the new version is kept, not written)' : ''}`,
    ...(r.resolvedAt === null ? [] : [`resolved by a person ${r.resolvedAt.toISOString()}: ${r.resolvedNote ?? ''}`]),
    `attempts: ${r.attempts}${r.nextAttemptAt === null ? '' : `, next attempt ${r.nextAttemptAt.toISOString()}`}`,
    ...(r.businessKey === null ? [] : [`business key: ${r.businessKey}`]),
    ...(r.targetId === null ? [] : [`target id: ${r.targetId}`]),
    ...(r.lastError === null ? [] : [`last error: ${r.lastError.code} (${r.lastError.kind}) ${r.lastError.message}`]),
    'source:',
    JSON.stringify(r.content, null, 2),
    `payload${r.payloadEdited ? ' (edited by a person)' : ''}:`,
    r.payload === null ? '(not mapped yet)' : JSON.stringify(r.payload, null, 2),
    ...(r.response === null || r.response === undefined ? [] : ['response:', JSON.stringify(r.response, null, 2)]),
  ]
  return lines.join('\n')
}

/** One line per credential budget: the rate in force, what was learned, throttle answers. */
export function budgetsText(budgets: readonly BudgetReport[]): string {
  if (budgets.length === 0) return ''
  const rate = (l: { perSecond?: number; perMinute?: number }) =>
    [l.perSecond === undefined ? '' : `${l.perSecond}/s`, l.perMinute === undefined ? '' : `${l.perMinute}/min`]
      .filter((x) => x !== '')
      .join(' ')
  const lines = budgets.map((b) => {
    const learned = Object.keys(b.learned).length === 0 ? '' : `, learned ${rate(b.learned)}`
    return `  ${b.key} (${b.connections.join(', ')}): configured ${rate(b.configured)}, now ${rate(b.effective)}${learned}; ${b.calls} calls, ${b.throttled} throttled`
  })
  return `\nbudgets:\n${lines.join('\n')}`
}
