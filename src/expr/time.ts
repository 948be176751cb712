/**
 * Time zones without a tz library: wall-clock parts come from Intl, and the reverse (wall clock →
 * epoch) is solved by two fixed-point steps on the zone offset, which is exact outside the hour a
 * DST change skips. Also MySQL's DATE_FORMAT / STR_TO_DATE specifiers and interval arithmetic.
 */
import type { IntervalUnit } from './ast.js'
import { ExprBadTimeZone } from './errors.js'
import { daysInMonth, makeDate, wallParts, type SqlDate } from './values.js'

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      })
    } catch (e) {
      throw ExprBadTimeZone([tz], { cause: e })
    }
    formatters.set(tz, f)
  }
  return f
}

/** Throws ERR_EXPR_BAD_TIME_ZONE unless `tz` is a zone Intl knows. */
export function assertTimeZone(tz: string): void {
  formatter(tz)
}

/** Offset of `tz` from UTC at an instant, in milliseconds, straight from Intl (slow: formatToParts). */
function intlOffsetMs(epochMs: number, tz: string): number {
  const parts = formatter(tz).formatToParts(new Date(epochMs))
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0)
  const era = parts.find((p) => p.type === 'era')?.value
  const y = era === 'BC' || era === 'B' ? 1 - get('year') : get('year')
  const wall = Date.UTC(2000, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  const d = new Date(wall)
  d.setUTCFullYear(y)
  return d.getTime() - (epochMs - (((epochMs % 1000) + 1000) % 1000))
}

const HOUR_MS = 3_600_000
/** Per zone: UTC hour number → the zone's offset throughout that hour, or MIXED. */
const offsetCache = new Map<string, Map<number, number>>()
const MIXED = Number.NaN
/** Hours remembered per zone (≈ 6 years of distinct hours); the map is simply emptied when full. */
const OFFSET_CACHE_HOURS = 50_000
const OFFSET_CACHE_ZONES = 64
/** Date's range is ±8.64e15 ms; an hour bucket near its edge would probe outside it. */
const CACHEABLE_MS = 8.64e15 - HOUR_MS

/**
 * Offset of `tz` from UTC at an instant, in milliseconds. Intl costs ≈ 20 µs a call and each date
 * filter needs up to three, so the offset is remembered per UTC hour. A zone's offset can change
 * at any instant (DST at local 02:00 of a +10:30 zone is at :30 UTC; historical LMT offsets have
 * seconds), so an hour is cached only when the offsets at its first and last second agree; an
 * hour holding a change is marked and always asks Intl. This assumes no zone changes its offset
 * twice within one hour and back, which the tz database never does.
 */
function offsetMs(epochMs: number, tz: string): number {
  if (!(Math.abs(epochMs) <= CACHEABLE_MS)) return intlOffsetMs(epochMs, tz)
  const hour = Math.floor(epochMs / HOUR_MS)
  const known = offsetCache.get(tz)?.get(hour)
  if (known !== undefined) return Number.isNaN(known) ? intlOffsetMs(epochMs, tz) : known
  const start = hour * HOUR_MS
  // Intl first: an unknown zone throws here and leaves nothing behind in the cache.
  const first = intlOffsetMs(start, tz)
  const last = intlOffsetMs(start + HOUR_MS - 1000, tz)
  let zone = offsetCache.get(tz)
  if (zone === undefined) {
    if (offsetCache.size >= OFFSET_CACHE_ZONES) offsetCache.clear()
    zone = new Map()
    offsetCache.set(tz, zone)
  } else if (zone.size >= OFFSET_CACHE_HOURS) {
    zone.clear()
  }
  zone.set(hour, first === last ? first : MIXED)
  return first === last ? first : intlOffsetMs(epochMs, tz)
}

/** Wall-clock seconds (read as UTC) for an instant in Unix seconds. */
export function epochToWall(epochSec: number, tz: string): number {
  const whole = Math.floor(epochSec)
  return whole + offsetMs(whole * 1000, tz) / 1000
}

/** The instant (Unix seconds) at which the wall clock of `tz` shows `wallSec`. */
export function wallToEpoch(wallSec: number, tz: string): number {
  const wallMs = wallSec * 1000
  const first = wallMs - offsetMs(wallMs, tz)
  return (wallMs - offsetMs(first, tz)) / 1000
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

function ordinal(n: number): string {
  const t = n % 100
  if (t >= 11 && t <= 13) return `${n}th`
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`
}

function dayOfYear(y: number, mo: number, d: number): number {
  return (Date.UTC(y, mo - 1, d) - Date.UTC(y, 0, 1)) / 86_400_000 + 1
}

/** MySQL DATE_FORMAT. Unknown specifiers print the letter, as MySQL does. */
export function dateFormat(v: SqlDate, fmt: string): string {
  const p = wallParts(v.sec)
  const h12 = p.h % 12 === 0 ? 12 : p.h % 12
  let out = ''
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!
    if (c !== '%' || i === fmt.length - 1) {
      out += c
      continue
    }
    const s = fmt[++i]!
    switch (s) {
      case 'Y':
        out += pad(p.y, 4)
        break
      case 'y':
        out += pad(p.y % 100)
        break
      case 'm':
        out += pad(p.mo)
        break
      case 'c':
        out += String(p.mo)
        break
      case 'd':
        out += pad(p.d)
        break
      case 'e':
        out += String(p.d)
        break
      case 'H':
        out += pad(p.h)
        break
      case 'k':
        out += String(p.h)
        break
      case 'h':
      case 'I':
        out += pad(h12)
        break
      case 'l':
        out += String(h12)
        break
      case 'i':
        out += pad(p.mi)
        break
      case 's':
      case 'S':
        out += pad(p.s)
        break
      case 'f':
        out += pad(v.micro, 6)
        break
      case 'p':
        out += p.h < 12 ? 'AM' : 'PM'
        break
      case 'j':
        out += pad(dayOfYear(p.y, p.mo, p.d), 3)
        break
      case 'M':
        out += MONTHS[p.mo - 1]!
        break
      case 'b':
        out += MONTHS[p.mo - 1]!.slice(0, 3)
        break
      case 'W':
        out += DAYS[p.wd]!
        break
      case 'a':
        out += DAYS[p.wd]!.slice(0, 3)
        break
      case 'D':
        out += ordinal(p.d)
        break
      case 'w':
        out += String(p.wd)
        break
      case 'T':
        out += `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`
        break
      case 'r':
        out += `${pad(h12)}:${pad(p.mi)}:${pad(p.s)} ${p.h < 12 ? 'AM' : 'PM'}`
        break
      default:
        out += s
    }
  }
  return out
}

/**
 * MySQL STR_TO_DATE for the numeric specifiers (%Y %y %m %c %d %e %H %k %h %I %l %i %s %S %f %p %T
 * and literal characters). Returns a DATE when the format has no time part, else a DATETIME;
 * null when the text does not match.
 */
export function strToDate(text: string, fmt: string): SqlDate | null {
  let y = 0,
    mo = 0,
    d = 0,
    h = 0,
    mi = 0,
    s = 0,
    micro = 0
  let pm: boolean | undefined
  let hasTime = false
  let pos = 0
  const digits = (max: number): number | null => {
    const m = new RegExp(`^\\d{1,${max}}`).exec(text.slice(pos))
    if (m === null) return null
    pos += m[0].length
    return Number(m[0])
  }
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!
    if (c !== '%') {
      if (/\s/.test(c)) {
        while (pos < text.length && /\s/.test(text[pos]!)) pos++
        continue
      }
      if (text[pos] !== c) return null
      pos++
      continue
    }
    const spec = fmt[++i]
    let n: number | null
    switch (spec) {
      case 'Y':
        n = digits(4)
        if (n === null) return null
        y = n
        break
      case 'y':
        n = digits(2)
        if (n === null) return null
        y = n < 70 ? 2000 + n : 1900 + n
        break
      case 'm':
      case 'c':
        n = digits(2)
        if (n === null) return null
        mo = n
        break
      case 'd':
      case 'e':
        n = digits(2)
        if (n === null) return null
        d = n
        break
      case 'H':
      case 'k':
      case 'h':
      case 'I':
      case 'l':
        n = digits(2)
        if (n === null) return null
        h = n
        hasTime = true
        break
      case 'i':
        n = digits(2)
        if (n === null) return null
        mi = n
        hasTime = true
        break
      case 's':
      case 'S':
        n = digits(2)
        if (n === null) return null
        s = n
        hasTime = true
        break
      case 'f': {
        const m = /^\d{1,6}/.exec(text.slice(pos))
        if (m === null) return null
        pos += m[0].length
        micro = Number(m[0].padEnd(6, '0'))
        hasTime = true
        break
      }
      case 'p': {
        const m = /^(AM|PM)/i.exec(text.slice(pos))
        if (m === null) return null
        pos += 2
        pm = m[0].toUpperCase() === 'PM'
        break
      }
      case 'T': {
        const m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})/.exec(text.slice(pos))
        if (m === null) return null
        pos += m[0].length
        h = Number(m[1])
        mi = Number(m[2])
        s = Number(m[3])
        hasTime = true
        break
      }
      case '%':
        if (text[pos] !== '%') return null
        pos++
        break
      case undefined:
        return null
      default:
        return null
    }
  }
  if (pm !== undefined) h = (h % 12) + (pm ? 12 : 0)
  if (mo === 0 || d === 0) return null
  return makeDate(y, mo, d, h, mi, s, micro, !hasTime, 0)
}

/** DATE_ADD: months clamp to the month's last day; adding a time unit to a DATE makes a DATETIME. */
export function addInterval(v: SqlDate, amount: number, unit: IntervalUnit): SqlDate | null {
  const p = wallParts(v.sec)
  const dateUnit = unit === 'DAY' || unit === 'WEEK' || unit === 'MONTH' || unit === 'QUARTER' || unit === 'YEAR'
  const dateOnly = v.dateOnly && dateUnit
  if (unit === 'MONTH' || unit === 'QUARTER' || unit === 'YEAR') {
    const months = Math.trunc(amount) * (unit === 'YEAR' ? 12 : unit === 'QUARTER' ? 3 : 1)
    const total = p.y * 12 + (p.mo - 1) + months
    const y = Math.floor(total / 12)
    const mo = total - y * 12 + 1
    if (y < 0 || y > 9999) return null
    const day = Math.min(p.d, daysInMonth(y, mo))
    const r = makeDate(y, mo, day, p.h, p.mi, p.s, v.micro, dateOnly, v.fsp)
    return r
  }
  const secondsPer: Record<Exclude<IntervalUnit, 'MONTH' | 'QUARTER' | 'YEAR'>, number> = {
    MICROSECOND: 1e-6,
    SECOND: 1,
    MINUTE: 60,
    HOUR: 3600,
    DAY: 86_400,
    WEEK: 604_800,
  }
  const totalMicro = Math.round(v.sec * 1e6 + v.micro + amount * secondsPer[unit] * 1e6)
  const sec = Math.floor(totalMicro / 1e6)
  const micro = totalMicro - sec * 1e6
  const y = new Date(sec * 1000).getUTCFullYear()
  if (y < 0 || y > 9999) return null
  return { t: 'date', sec, micro, fsp: unit === 'MICROSECOND' ? 6 : v.fsp, dateOnly }
}
