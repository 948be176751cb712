/**
 * Scalar helpers shared by conditions and groupCalculate: exact decimal parsing and wall-clock
 * date parsing in the scheme's time zone. Vendor data mixes JSON numbers and numeric strings, so
 * both are read as decimals; binary floats never decide a comparison.
 */
import { Decimal as BaseDecimal } from 'decimal.js'

/**
 * Decimal with room for money: the library default (20 significant digits) silently rounds
 * large amounts. Instances from other modules' Decimal clones are converted, not trusted.
 */
export const Decimal = BaseDecimal.clone({ precision: 64 })
export type Decimal = BaseDecimal

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$/

/** The value as an exact decimal, or undefined when it is not a number or numeric string. */
export function toDecimal(v: unknown): Decimal | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? new Decimal(v) : undefined
  if (typeof v === 'bigint') return new Decimal(v.toString())
  if (BaseDecimal.isDecimal(v)) return new Decimal(v.toString())
  if (typeof v === 'string') {
    const t = v.trim()
    return t.length > 0 && t.length <= 100 && NUMERIC.test(t) ? new Decimal(t) : undefined
  }
  return undefined
}

/** Text form used by string comparisons (null/undefined read as the empty string). */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  if (BaseDecimal.isDecimal(v)) return v.toString()
  return JSON.stringify(v)
}

/** A decimal as JSON: a number when the number prints back to the same digits, else a string. */
export function decimalToJson(d: Decimal): number | string {
  const s = d.toString()
  const n = Number(s)
  return Number.isFinite(n) && new Decimal(n).eq(d) ? n : s
}

const DATE_TIME = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

function zoneOffsetMs(utcMs: number, tz: string): number {
  let f = offsetFormatters.get(tz)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    offsetFormatters.set(tz, f)
  }
  const parts: Record<string, number> = {}
  for (const p of f.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const asUtc = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  )
  return asUtc - Math.floor(utcMs / 1000) * 1000
}

/**
 * Unix seconds of a value: numbers and numeric strings are seconds (13-digit values are taken as
 * milliseconds), `yyyy-MM-dd[ HH:mm[:ss]]` is wall-clock time in `tz` (vendors send no offset),
 * ISO strings with an offset are absolute. Undefined when the value is not a time.
 */
export function toUnixSeconds(v: unknown, tz: string): Decimal | undefined {
  const d = toDecimal(v)
  if (d !== undefined) return d.abs().gte(1e12) ? d.div(1000) : d
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  const m = DATE_TIME.exec(t)
  if (m === null) {
    if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(t)) return undefined
    const ms = Date.parse(t)
    return Number.isNaN(ms) ? undefined : new Decimal(ms).div(1000)
  }
  const [y, mo, da, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 59) return undefined
  const wall = Date.UTC(y, mo - 1, da, h, mi, s)
  // Two passes settle the offset across DST changes in zones that have them.
  let utc = wall - zoneOffsetMs(wall, tz)
  utc = wall - zoneOffsetMs(utc, tz)
  return new Decimal(utc).div(1000)
}

/** True when `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}
