/**
 * The sections of a side's metadata that only one side has: the source's catch-up query
 * (`omissionRemedy`, with its crontab), the target's `operation` (batch calls) and `groupCalculate`.
 */
import { isValidCrontab } from './crontab.js'
import { BadCrontab, SchemeValue, UnknownAccumulator } from './errors.js'
import type { Issues } from './issues.js'
import { join } from './path.js'
import { ACCUMULATORS } from './types.js'
import { checkFieldList } from './validate-fields.js'

export function checkCrontab(issues: Issues, v: unknown, path: string): void {
  if (typeof v !== 'string' || v.trim() === '') {
    issues.type(path, 'a crontab string such as "*/5 * * * *"', v)
    return
  }
  const reason = isValidCrontab(v)
  if (reason !== undefined) issues.error(BadCrontab([v, reason], { location: path }))
}

export function checkOmissionRemedy(issues: Issues, meta: Record<string, unknown>, path: string): void {
  const r = issues.optionalObject(meta, 'omissionRemedy', path)
  if (r === undefined) return
  const p = join(path, 'omissionRemedy')
  issues.unknownKeys(r, new Set(['crontab', 'takeOverRequest', 'adapter']), p)
  if (r.crontab === undefined) issues.missing(p, 'crontab', 'when the catch-up query runs, e.g. "0 0 * * *"')
  else checkCrontab(issues, r.crontab, join(p, 'crontab'))
  if (r.takeOverRequest === undefined)
    issues.missing(p, 'takeOverRequest', 'the request fields the catch-up query overrides')
  const list = issues.optionalArray(r, 'takeOverRequest', p)
  if (list !== undefined) checkFieldList(issues, list, join(p, 'takeOverRequest'), 'evaluated', 'source')
  issues.optionalString(r, 'adapter', p)
}

/** Records per batch call at most: the platform's batch adapters stop at 1000 rows (spec §6). */
export const MAX_BATCH_ROWS = 1000

export function checkOperation(issues: Issues, meta: Record<string, unknown>, path: string): void {
  const op = issues.optionalObject(meta, 'operation', path)
  if (op === undefined) return
  const p = join(path, 'operation')
  const method = issues.requireString(op, 'method', p, '"none" (one stored record → one write) or "batchArraySave"')
  if (method === 'merge') {
    issues.warn(
      'WARN_UNCONFIRMED',
      join(p, 'method'),
      '"merge" is implied by the platform but its keys are unconfirmed (spec 4.1); Ferry writes one record per document — use groupCalculate to merge',
    )
  } else if (method === 'batchArraySave') {
    issues.unknownKeys(op, new Set(['method', 'rows', 'rowsKey']), p)
    if (op.rows !== undefined) {
      positiveInt(issues, op.rows, join(p, 'rows'), 'a positive whole number of records per call')
      if (typeof op.rows === 'number' && op.rows > MAX_BATCH_ROWS)
        issues.error(
          SchemeValue([String(op.rows), `at most ${MAX_BATCH_ROWS} records per call`], { location: join(p, 'rows') }),
        )
    }
    issues.requireString(op, 'rowsKey', p, 'the request key that holds the array of records, e.g. "array"')
    if (meta.groupCalculate !== undefined) {
      issues.error(
        SchemeValue(['batchArraySave with groupCalculate', 'one of them: a grouped document is already one write'], {
          location: join(p, 'method'),
        }),
      )
    }
  } else if (method !== undefined && method !== 'none') {
    issues.error(
      SchemeValue([JSON.stringify(method), '"none", "batchArraySave" (or "merge", unconfirmed)'], {
        location: join(p, 'method'),
      }),
    )
  }
  if (method === 'none') issues.unknownKeys(op, new Set(['method']), p)
}

export function positiveInt(issues: Issues, v: unknown, path: string, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) issues.type(path, what, v)
}

export function checkGroupCalculate(issues: Issues, meta: Record<string, unknown>, path: string): void {
  const g = issues.optionalObject(meta, 'groupCalculate', path)
  if (g === undefined) return
  const p = join(path, 'groupCalculate')
  issues.unknownKeys(
    g,
    new Set(['headerGroup', 'bodyGroup', 'bodyName', 'targetBodyName', 'bodyMaxLine', 'calculate']),
    p,
  )
  if (g.headerGroup === undefined) issues.missing(p, 'headerGroup', 'the fields that make one target document')
  else {
    const l = issues.stringList(g.headerGroup, join(p, 'headerGroup'))
    if (l !== undefined && l.length === 0)
      issues.missing(p, 'headerGroup', 'at least one field: an empty list would merge everything into one document')
  }
  if (g.bodyGroup !== undefined) issues.stringList(g.bodyGroup, join(p, 'bodyGroup'))
  issues.requireString(g, 'bodyName', p, 'the list key that holds the merged rows')
  issues.optionalString(g, 'targetBodyName', p)
  if (g.bodyMaxLine !== undefined && g.bodyMaxLine !== null)
    positiveInt(issues, g.bodyMaxLine, join(p, 'bodyMaxLine'), 'a positive whole number of rows')
  const calc = g.calculate === undefined ? undefined : issues.optionalObject(g, 'calculate', p)
  if (g.calculate === undefined) issues.missing(p, 'calculate', 'e.g. {"details_num": "$sum"}')
  for (const [field, op] of Object.entries(calc ?? {})) {
    if (typeof op !== 'string' || !(ACCUMULATORS as readonly string[]).includes(op)) {
      issues.error(
        UnknownAccumulator([String(op), ACCUMULATORS.join(', ')], { location: join(join(p, 'calculate'), field) }),
      )
    }
  }
}
