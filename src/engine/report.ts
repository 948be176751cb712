/**
 * Text for people: run summaries as small tables and records as readable blocks. Programs use
 * `--json` and get the objects themselves.
 */
import type { LedgerRecord, RecordStatus } from './ports.js'
import type { RunSummary } from './run.js'

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c].length) })
  return rows.map((r) => r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join('  ').trimEnd()).join('\n')
}

const STATUSES: readonly RecordStatus[] = ['waiting', 'queued', 'unknown', 'done', 'duplicate', 'error']

export function summaryText(s: RunSummary): string {
  const c = s.counters
  const rows: string[][] = [
    ['scheme', 'stages', 'status', 'windows', 'pages', 'fetched', 'stored', 'written', 'existing', 'retrying', 'failed', 'changed'],
    [s.schemeId, s.stages.join('+'), s.status, `${s.windowsClosed}/${s.windowsPlanned}`, String(c.pages), String(c.fetched),
      String(c.inserted + c.updated), String(c.written), String(c.alreadyExisted), String(c.retrying + c.unknown), String(c.failed), String(c.changedAfterSync)],
  ]
  // A master-data scheme's records are collection rows: stored is all they ever become.
  const ledger = s.collection === true
    ? `stored ${STATUSES.reduce((n, st) => n + (s.ledger[st] ?? 0), 0)} (collection rows for _findCollection; nothing to write)`
    : STATUSES.map((st) => `${st} ${s.ledger[st] ?? 0}`).join(', ')
  const err = s.error === undefined ? '' : `\n${s.error.code}  ${s.error.location ?? '-'}  ${s.error.message}`
  return `${table(rows)}\nledger: ${ledger}${err}`
}

export function recordLine(r: LedgerRecord): string[] {
  return [r.id, r.number, r.status + (r.changedAfterSync === true ? '*' : '') + (r.resolvedAt === undefined ? '' : ' (resolved)'), String(r.attempts), r.targetId ?? '', r.lastError === undefined ? '' : `${r.lastError.code} ${r.lastError.message}`]
}

export function recordsText(records: readonly LedgerRecord[]): string {
  if (records.length === 0) return 'no records'
  return `${table([['id', 'number', 'status', 'attempts', 'target id', 'last error'], ...records.map(recordLine)])}\n(* changed after sync: kept, not rewritten)`
}

export function recordText(r: LedgerRecord): string {
  const lines = [
    `record ${r.id} (${r.number}) of ${r.schemeId}`,
    `status: ${r.status}${r.changedAfterSync === true ? ' (changed after sync: the new version is kept, not written)' : ''}`,
    ...(r.resolvedAt === undefined ? [] : [`resolved by a person ${r.resolvedAt.toISOString()}: ${r.resolvedNote ?? ''}`]),
    `attempts: ${r.attempts}${r.nextAttemptAt === undefined ? '' : `, next attempt ${r.nextAttemptAt.toISOString()}`}`,
    ...(r.businessKey === undefined ? [] : [`business key: ${r.businessKey}`]),
    ...(r.targetId === undefined ? [] : [`target id: ${r.targetId}`]),
    ...(r.lastError === undefined ? [] : [`last error: ${r.lastError.code} (${r.lastError.kind}) ${r.lastError.message}`]),
    'source:', JSON.stringify(r.content, null, 2),
    `payload${r.payloadEdited === true ? ' (edited by a person)' : ''}:`, r.payload === undefined ? '(not mapped yet)' : JSON.stringify(r.payload, null, 2),
    ...(r.response === undefined ? [] : ['response:', JSON.stringify(r.response, null, 2)]),
  ]
  return lines.join('\n')
}
