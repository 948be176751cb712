/**
 * What a reference reads: system variables, the current detail row, then the record.
 *
 * Child context rule (spec 4.2): when a target child field is mapped, `ctx.row` is the current
 * detail row and `ctx.rowPath` the name of its array (`items`). Then `{{items.sku_id}}` reads
 * `row.sku_id`; a bare `{{sku_id}}` reads the row when the row has that key and falls back to
 * the header (`{{io_id}}` still reads the record). Without a row, `{{items.qty}}` reads every
 * row's qty as a list (what SUM/AVG/MAX/MIN/COUNT take).
 *
 * Paths only follow own properties, so `__proto__`, `constructor` and friends read data or
 * nothing, never the object machinery.
 */
import type { RefNode } from './ast.js'
import { ExprFilterInput, ExprVariableUnset } from './errors.js'
import type { EvalContext } from './eval-context.js'
import type { FilterName } from './template.js'
import { epochToWall, wallToEpoch } from './time.js'
import { formatDateValue, parseDateText } from './values.js'

/** Variables the engine provides per run; reading one that is unset is an error, not an empty value. */
export const SYSTEM_VARIABLES = [
  'LAST_SYNC_TIME',
  'CURRENT_TIME',
  'PAGINATION_PAGE_SIZE',
  'PAGINATION_START_ROW',
  'PAGINATION_START_PAGE',
  'MAX_DATA_ID',
] as const

const AGO = /^(DAYS_AGO|MINUTE_AGO)_(\d{1,4})$/

function own(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined
  if (Array.isArray(obj)) {
    return /^\d+$/.test(key) ? obj[Number(key)] : undefined
  }
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined
}

/** Walk a path; an array met before the last segment maps the rest over its elements. */
export function walk(value: unknown, path: readonly string[]): unknown {
  let cur = value
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!
    if (Array.isArray(cur) && !/^\d+$/.test(seg)) {
      const rest = path.slice(i)
      return cur.flatMap((el) => {
        const v = walk(el, rest)
        return v === undefined ? [] : [v]
      })
    }
    cur = own(cur, seg)
    if (cur === undefined) return undefined
  }
  return cur
}

function variable(name: string, ctx: EvalContext): { found: boolean; value?: unknown } {
  if (ctx.vars !== undefined && Object.prototype.hasOwnProperty.call(ctx.vars, name))
    return { found: true, value: ctx.vars[name] }
  if (name === 'CURRENT_TIME') return { found: true, value: Math.floor(ctx.now.getTime() / 1000) }
  const ago = AGO.exec(name)
  if (ago !== null)
    return {
      found: true,
      value: Math.floor(ctx.now.getTime() / 1000) - Number(ago[2]) * (ago[1] === 'DAYS_AGO' ? 86_400 : 60),
    }
  if ((SYSTEM_VARIABLES as readonly string[]).includes(name)) throw ExprVariableUnset([name])
  return { found: false }
}

export function isVariableName(name: string, ctx?: EvalContext): boolean {
  return (
    (SYSTEM_VARIABLES as readonly string[]).includes(name) ||
    AGO.test(name) ||
    (ctx?.vars !== undefined && Object.prototype.hasOwnProperty.call(ctx.vars, name))
  )
}

const NO_PREFIX: readonly string[] = []
const rowPrefixes = new Map<string, readonly string[]>()

/** Row paths come from scheme fields, so there are few: split each once, not once per value read. */
function rowPrefix(rowPath: string): readonly string[] {
  let p = rowPrefixes.get(rowPath)
  if (p === undefined) {
    p = rowPath.split('.')
    if (rowPrefixes.size < 1000) rowPrefixes.set(rowPath, p)
  }
  return p
}

/** The raw JSON value a reference reads (before its filter). */
export function resolvePath(path: readonly string[], ctx: EvalContext): unknown {
  if (path.length === 1) {
    const v = variable(path[0]!, ctx)
    if (v.found) return v.value
  }
  if (ctx.row !== undefined) {
    const prefix = ctx.rowPath === undefined ? NO_PREFIX : rowPrefix(ctx.rowPath)
    if (prefix.length > 0 && path.length > prefix.length && prefix.every((p, i) => path[i] === p)) {
      return walk(ctx.row, path.slice(prefix.length))
    }
    if (own(ctx.row, path[0]!) !== undefined) return walk(ctx.row, path)
  }
  return walk(ctx.record, path)
}

/** Unix seconds from a number (≥ 1e11 is read as milliseconds) or a date text in `tz`; null when unreadable. */
function toEpoch(v: unknown, tz: string): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v >= 1e11 ? Math.floor(v / 1000) : Math.floor(v)
  if (typeof v === 'string') {
    if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return toEpoch(Number(v), tz)
    const d = parseDateText(v)
    if (d !== null) return wallToEpoch(d.sec, tz)
    const iso = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(v.trim()) ? Date.parse(v) : NaN
    return Number.isNaN(iso) ? null : Math.floor(iso / 1000)
  }
  return null
}

/** `|datetime` → `Y-m-d H:i:s`, `|date` → `Y-m-d` (in the scheme's zone), `|timestamp` → Unix seconds. */
export function applyFilter(filter: FilterName | undefined, v: unknown, ref: RefNode, tz: string): unknown {
  if (filter === undefined || v === null || v === undefined || v === '') return v
  if (Array.isArray(v)) return v.map((x) => applyFilter(filter, x, ref, tz))
  const epoch = toEpoch(v, tz)
  if (epoch === null) throw ExprFilterInput([filter, JSON.stringify(v).slice(0, 80)])
  switch (filter) {
    case 'timestamp':
      return epoch
    case 'timestamp_ms':
      return epoch * 1000
    case 'datetime':
    case 'date': {
      const text = formatDateValue({
        t: 'date',
        sec: epochToWall(epoch, tz),
        micro: 0,
        fsp: 0,
        dateOnly: filter === 'date',
      })
      return text
    }
  }
}

/** A reference's value with its filter applied. */
export function readRef(ref: RefNode, ctx: EvalContext): unknown {
  return applyFilter(ref.filter as FilterName | undefined, resolvePath(ref.path, ctx), ref, ctx.tz)
}
