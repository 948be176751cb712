/**
 * The value model of `_function` expressions, following MySQL's rules where they change results:
 * exact decimals carry a scale (`1.50*2` is `3.00`), strings compare case-insensitively
 * (utf8mb4_unicode_ci, trailing spaces ignored), and NULL propagates.
 *
 * Deliberate difference: MySQL turns strings into DOUBLE in arithmetic; Ferry parses them into
 * exact decimals (no binary float drift on money), formatted without a fixed scale.
 */
import { Decimal } from 'decimal.js'
import { ExprEvaluation } from './errors.js'

/** Decimal with enough precision for MySQL's DECIMAL(65, 30), rounding half away from zero. */
export const D = Decimal.clone({ precision: 96, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -200, toExpPos: 200 })
export type Dec = InstanceType<typeof D>

/** A number. `scale` is the fixed number of decimals MySQL would print, `null` for an approximate value. */
export interface SqlNum {
  readonly t: 'num'
  readonly d: Dec
  readonly scale: number | null
  /** An integer type (BIGINT) rather than DECIMAL(n, 0): ROUND(1, 2) stays 1 but ROUND(1.0, 2) is 1.00. */
  readonly integer?: boolean
}
/** A DATE or DATETIME as wall-clock time: seconds since 1970-01-01 00:00:00 read as if it were UTC. */
export interface SqlDate {
  readonly t: 'date'
  readonly sec: number
  readonly micro: number
  /** Fractional-second digits to print (0–6). */
  readonly fsp: number
  readonly dateOnly: boolean
}
/** The values of a detail array read from header context (`{{items.qty}}`); only aggregates accept it. */
export interface SqlList {
  readonly t: 'list'
  readonly items: readonly SqlValue[]
}
export type SqlValue = null | string | SqlNum | SqlDate | SqlList

export const MAX_SCALE = 30
/** Like MySQL's max_allowed_packet: a longer string result becomes NULL instead of exhausting memory. */
export const MAX_STRING_LENGTH = 1 << 20

export function num(d: Dec | number | string, scale: number | null, integer = false): SqlNum {
  const v = {
    t: 'num' as const,
    d: d instanceof D ? d : new D(d),
    scale: scale === null ? null : Math.min(scale, MAX_SCALE),
  }
  return integer ? { ...v, integer: true } : v
}
export function int(n: number | Dec): SqlNum {
  return num(n instanceof D ? n : new D(n), 0, true)
}
export function bool(b: boolean | null): SqlNum | null {
  return b === null ? null : int(b ? 1 : 0)
}
export function isNum(v: SqlValue): v is SqlNum {
  return v !== null && typeof v === 'object' && v.t === 'num'
}
export function isDate(v: SqlValue): v is SqlDate {
  return v !== null && typeof v === 'object' && v.t === 'date'
}
export function isList(v: SqlValue): v is SqlList {
  return v !== null && typeof v === 'object' && v.t === 'list'
}

const EXACT_NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/
const NUMERIC_PREFIX = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/

/** Decimals written after the point, for the scale of an exact literal such as `12.50`. */
export function scaleOf(text: string): number {
  const i = text.indexOf('.')
  return i < 0 ? 0 : text.trim().length - i - 1
}

/**
 * A record value entering an expression unquoted, as the platform's text substitution would make
 * it: numbers and numeric strings become exact decimals, arrays become lists.
 */
export function fromJson(v: unknown, numericStrings = true): SqlValue {
  if (v === null || v === undefined) return null
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null
    const text = String(v)
    return /e/i.test(text) ? num(new D(v), null) : num(new D(text), scaleOf(text), Number.isInteger(v))
  }
  if (typeof v === 'boolean') return int(v ? 1 : 0)
  if (typeof v === 'string') {
    if (numericStrings && EXACT_NUMBER.test(v)) return num(new D(v.trim()), scaleOf(v.trim()), !v.includes('.'))
    return v
  }
  if (Array.isArray(v)) return { t: 'list', items: v.map((x) => fromJson(x, numericStrings)) }
  if (typeof v === 'bigint') return int(new D(v.toString()))
  return JSON.stringify(v)
}

/** A record value substituted into text (quoted strings, mixed templates): what the platform would splice. */
export function jsonToText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  if (typeof v === 'boolean') return v ? '1' : ''
  if (Array.isArray(v)) return v.map(jsonToText).join(',')
  return JSON.stringify(v)
}

function evalError(msg: string): Error {
  return ExprEvaluation([msg])
}

function listError(): Error {
  return evalError(
    'a detail array (such as {{items.qty}} read from the header) can only be used inside SUM, AVG, MAX, MIN or COUNT',
  )
}

/** MySQL's string-to-number: the longest numeric prefix, 0 when there is none. */
export function parseNumericPrefix(s: string): SqlNum {
  const m = NUMERIC_PREFIX.exec(s)
  if (m === null) return num(0, null)
  return num(new D(m[1]!), null)
}

export function toNum(v: SqlValue): SqlNum | null {
  if (v === null) return null
  if (typeof v === 'string') return parseNumericPrefix(v)
  switch (v.t) {
    case 'num':
      return v
    case 'date':
      return dateToNum(v)
    case 'list':
      throw listError()
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

export function wallParts(sec: number): {
  y: number
  mo: number
  d: number
  h: number
  mi: number
  s: number
  wd: number
} {
  const dt = new Date(sec * 1000)
  return {
    y: dt.getUTCFullYear(),
    mo: dt.getUTCMonth() + 1,
    d: dt.getUTCDate(),
    h: dt.getUTCHours(),
    mi: dt.getUTCMinutes(),
    s: dt.getUTCSeconds(),
    wd: dt.getUTCDay(),
  }
}

function dateToNum(v: SqlDate): SqlNum {
  const p = wallParts(v.sec)
  const digits = v.dateOnly
    ? `${p.y}${pad(p.mo)}${pad(p.d)}`
    : `${p.y}${pad(p.mo)}${pad(p.d)}${pad(p.h)}${pad(p.mi)}${pad(p.s)}`
  return num(new D(digits), 0)
}

export function formatDateValue(v: SqlDate): string {
  const p = wallParts(v.sec)
  const date = `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}`
  if (v.dateOnly) return date
  const frac = v.fsp > 0 ? '.' + pad(v.micro, 6).slice(0, v.fsp) : ''
  return `${date} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${frac}`
}

export function formatNum(v: SqlNum): string {
  if (v.scale !== null) return v.d.toFixed(v.scale)
  const s = v.d.toFixed()
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s
}

export function toText(v: SqlValue): string | null {
  if (v === null) return null
  if (typeof v === 'string') return v
  switch (v.t) {
    case 'num':
      return formatNum(v)
    case 'date':
      return formatDateValue(v)
    case 'list':
      throw listError()
  }
}

/** True / false / NULL, as MySQL reads a value in a condition. */
export function truthy(v: SqlValue): boolean | null {
  const n = toNum(v)
  return n === null ? null : !n.d.isZero()
}

const DATE_TEXT =
  /^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?)?\s*$/
const COMPACT_DATE = /^\s*(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?\s*$/

export function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate()
}

/** A wall-clock date from parts; null when a part is out of range (MySQL's NULL for an invalid date). */
export function makeDate(
  y: number,
  mo: number,
  d: number,
  h = 0,
  mi = 0,
  s = 0,
  micro = 0,
  dateOnly = false,
  fsp = 0,
): SqlDate | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const dt = new Date(ms)
  dt.setUTCFullYear(y)
  return { t: 'date', sec: dt.getTime() / 1000, micro, fsp, dateOnly }
}

/** Read a text as DATE or DATETIME the way MySQL does for the usual layouts; null when it is not one. */
export function parseDateText(s: string): SqlDate | null {
  const m = DATE_TEXT.exec(s) ?? COMPACT_DATE.exec(s)
  if (m === null) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (m[4] === undefined) return makeDate(y, mo, d, 0, 0, 0, 0, true)
  const frac = m[7] ?? ''
  return makeDate(
    y,
    mo,
    d,
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
    Number(frac.padEnd(6, '0')),
    false,
    frac.length,
  )
}

export function toDate(v: SqlValue): SqlDate | null {
  if (v === null) return null
  if (typeof v === 'string') return parseDateText(v)
  switch (v.t) {
    case 'date':
      return v
    case 'num':
      return v.d.isInteger() ? parseDateText(v.d.toFixed(0)) : null
    case 'list':
      throw listError()
  }
}

const collator = new Intl.Collator('und', { sensitivity: 'base' })

/** Compare two strings as utf8mb4_unicode_ci does closely enough: case/accent-insensitive, trailing spaces ignored. */
export function compareText(a: string, b: string): number {
  const x = a.replace(/ +$/, '')
  const y = b.replace(/ +$/, '')
  const c = collator.compare(x, y)
  return c < 0 ? -1 : c > 0 ? 1 : 0
}

function cmpDec(a: Dec, b: Dec): number {
  return a.comparedTo(b)
}

function cmpDate(a: SqlDate, b: SqlDate): number {
  return a.sec !== b.sec ? (a.sec < b.sec ? -1 : 1) : a.micro === b.micro ? 0 : a.micro < b.micro ? -1 : 1
}

/** MySQL comparison: -1, 0, 1, or null when either side is NULL. */
export function compare(a: SqlValue, b: SqlValue): number | null {
  if (a === null || b === null) return null
  if (isList(a) || isList(b)) throw listError()
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b)
  if (isDate(a) || isDate(b)) {
    const other = isDate(a) ? b : a
    if (typeof other === 'string' || isDate(other)) {
      const da = toDate(a)
      const db = toDate(b)
      if (da !== null && db !== null) return cmpDate(da, db)
      if (typeof other === 'string') return compareText(toText(a)!, toText(b)!)
    }
  }
  return cmpDec(toNum(a)!.d, toNum(b)!.d)
}

/** The JSON a caller receives: exact decimals as numbers when they round-trip, else as strings. */
export function toJson(v: SqlValue): unknown {
  if (v === null || typeof v === 'string') return v
  switch (v.t) {
    case 'num': {
      const d = v.scale === null ? v.d : v.d.toDecimalPlaces(v.scale)
      const n = d.toNumber()
      return Number.isFinite(n) && new D(n).eq(d) ? (Object.is(n, -0) ? 0 : n) : d.toFixed()
    }
    case 'date':
      return formatDateValue(v)
    case 'list':
      return v.items.map(toJson)
  }
}

/** Guard every string a function builds, as MySQL does with max_allowed_packet. */
export function capText(s: string): string | null {
  return s.length > MAX_STRING_LENGTH ? null : s
}
