/**
 * Date built-ins of `_function`. DATE/DATETIME values are wall-clock times in the scheme's zone
 * (like a MySQL session whose time_zone is that zone); NOW() and UNIX_TIMESTAMP() read the
 * evaluation clock, so tests pin it.
 */
import type { IntervalUnit } from './ast.js'
import type { CallEnv, FunctionSpec } from './registry.js'
import { addInterval, dateFormat, epochToWall, strToDate, wallToEpoch } from './time.js'
import { D, int, isDate, num, toDate, toNum, toText, type SqlDate, type SqlValue } from './values.js'

function nowWall(env: CallEnv, dateOnly: boolean): SqlDate {
  const epoch = Math.floor(env.now.getTime() / 1000)
  const sec = epochToWall(epoch, env.tz)
  return { t: 'date', sec: dateOnly ? sec - (((sec % 86_400) + 86_400) % 86_400) : sec, micro: 0, fsp: 0, dateOnly }
}

/** `date ± INTERVAL n unit`; also used by the `+`/`-` operators. A text date gives a text result. */
export function dateArith(v: SqlValue, amount: SqlValue, unit: string, sign: 1 | -1): SqlValue {
  const d = toDate(v)
  const n = toNum(amount)
  if (d === null || n === null) return null
  const u = unit as IntervalUnit
  const whole = u === 'SECOND' || u === 'MICROSECOND' ? n.d : n.d.toDecimalPlaces(0, D.ROUND_HALF_UP)
  const r = addInterval(d, whole.toNumber() * sign, u)
  if (r === null) return null
  return isDate(v) ? r : toText(r)
}

function fromUnix(ts: SqlValue, env: CallEnv): SqlDate | null {
  const n = toNum(ts)
  if (n === null || n.d.isNegative()) return null
  const whole = n.d.floor()
  const micro = n.d.minus(whole).times(1e6).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber()
  const fsp = n.scale === null ? (micro === 0 ? 0 : 6) : Math.min(n.scale, 6)
  return { t: 'date', sec: epochToWall(whole.toNumber(), env.tz), micro, fsp, dateOnly: false }
}

export const DATE_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'NOW',
    aliases: ['SYSDATE'],
    signature: 'NOW()',
    category: 'date',
    min: 0,
    max: 0,
    description: "The evaluation time as a DATETIME in the scheme's time zone (also CURRENT_TIMESTAMP).",
    examples: [{ value: '_function NOW()', now: '2024-01-01T00:00:00Z', result: '2024-01-01 08:00:00' }],
    call(_args, env) {
      return nowWall(env, false)
    },
  },
  {
    name: 'CURDATE',
    signature: 'CURDATE()',
    category: 'date',
    min: 0,
    max: 0,
    description: "Today's date in the scheme's time zone (also CURRENT_DATE).",
    examples: [{ value: '_function CURDATE()', now: '2024-01-01T20:00:00Z', result: '2024-01-02' }],
    call(_args, env) {
      return nowWall(env, true)
    },
  },
  {
    name: 'UNIX_TIMESTAMP',
    signature: 'UNIX_TIMESTAMP([date])',
    category: 'date',
    min: 0,
    max: 1,
    description: "Unix seconds of now, or of a date read in the scheme's time zone.",
    examples: [
      { value: '_function UNIX_TIMESTAMP()', now: '2024-01-01T00:00:00Z', result: 1704067200 },
      { value: "_function UNIX_TIMESTAMP('2024-01-01 08:00:00')", result: 1704067200 },
    ],
    call([d], env) {
      if (d === undefined) return int(Math.floor(env.now.getTime() / 1000))
      const v = toDate(d)
      if (v === null) return null
      const epoch = wallToEpoch(v.sec, env.tz)
      return v.micro === 0 ? int(epoch) : num(new D(epoch).plus(new D(v.micro).div(1e6)), v.fsp)
    },
  },
  {
    name: 'FROM_UNIXTIME',
    signature: 'FROM_UNIXTIME(seconds [, format])',
    category: 'date',
    min: 1,
    max: 2,
    description: "The DATETIME of Unix seconds in the scheme's time zone, optionally formatted as DATE_FORMAT does.",
    examples: [
      {
        value: "_function FROM_UNIXTIME({{LAST_SYNC_TIME}}-600 ,'%Y-%m-%d %H:%i:%s' )",
        vars: { LAST_SYNC_TIME: 1704067200 },
        result: '2024-01-01 07:50:00',
      },
      {
        value: "_function FROM_UNIXTIME( unix_timestamp() -604800 , '%Y-%m-%d %H:%i:%s' )",
        now: '2024-01-08T00:00:00Z',
        result: '2024-01-01 08:00:00',
      },
    ],
    call([ts, fmt], env) {
      const d = fromUnix(ts!, env)
      if (fmt === undefined || d === null) return d
      const f = toText(fmt)
      return f === null ? null : dateFormat(d, f)
    },
  },
  {
    name: 'DATE_FORMAT',
    signature: 'DATE_FORMAT(date, format)',
    category: 'date',
    min: 2,
    max: 2,
    description: 'Formats a date with MySQL specifiers (%Y-%m-%d %H:%i:%s, %c, %e, %j, %W, %M, %p …).',
    examples: [
      {
        value: "_function DATE_FORMAT('{{io_date}}', '%Y/%m/%d')",
        record: { io_date: '2023-10-01 12:30:00' },
        result: '2023/10/01',
      },
    ],
    call([d, fmt]) {
      const v = toDate(d!)
      const f = toText(fmt!)
      return v === null || f === null ? null : dateFormat(v, f)
    },
  },
  {
    name: 'STR_TO_DATE',
    signature: 'STR_TO_DATE(s, format)',
    category: 'date',
    min: 2,
    max: 2,
    description: 'Reads a date from text with MySQL specifiers; NULL when the text does not match.',
    examples: [{ value: "_function STR_TO_DATE('01/02/2024', '%d/%m/%Y')", result: '2024-02-01' }],
    call([s, fmt]) {
      const t = toText(s!)
      const f = toText(fmt!)
      return t === null || f === null ? null : strToDate(t, f)
    },
  },
  {
    name: 'DATE',
    signature: 'DATE(x)',
    category: 'date',
    min: 1,
    max: 1,
    description: 'The date part of a DATETIME or date text.',
    examples: [{ value: "_function DATE('2024-01-02 10:00:00')", result: '2024-01-02' }],
    call([x]) {
      const v = toDate(x!)
      if (v === null) return null
      return { t: 'date', sec: v.sec - (((v.sec % 86_400) + 86_400) % 86_400), micro: 0, fsp: 0, dateOnly: true }
    },
  },
  {
    name: 'DATEDIFF',
    signature: 'DATEDIFF(a, b)',
    category: 'date',
    min: 2,
    max: 2,
    description: 'Days from date `b` to date `a` (time parts ignored).',
    examples: [{ value: "_function DATEDIFF('2024-03-01', '2024-02-01 23:59:59')", result: 29 }],
    call([a, b]) {
      const x = toDate(a!)
      const y = toDate(b!)
      if (x === null || y === null) return null
      return int(Math.floor(x.sec / 86_400) - Math.floor(y.sec / 86_400))
    },
  },
  {
    name: 'DATE_ADD',
    aliases: ['ADDDATE'],
    signature: 'DATE_ADD(date, INTERVAL n unit)',
    category: 'date',
    min: 2,
    max: 2,
    description:
      "Adds an interval (MICROSECOND … YEAR); month steps clamp to the month's last day. ADDDATE(date, n) adds days.",
    examples: [
      { value: "_function DATE_ADD('2024-01-31', INTERVAL 1 MONTH)", result: '2024-02-29' },
      {
        value: "_function DATE_ADD('{{io_date}}', INTERVAL 8 HOUR)",
        record: { io_date: '2024-01-31' },
        result: '2024-01-31 08:00:00',
      },
    ],
    call([d, amount, unit]) {
      return dateArith(d!, amount!, toText(unit!) ?? 'DAY', 1)
    },
  },
  {
    name: 'DATE_SUB',
    aliases: ['SUBDATE'],
    signature: 'DATE_SUB(date, INTERVAL n unit)',
    category: 'date',
    min: 2,
    max: 2,
    description: 'Subtracts an interval; SUBDATE(date, n) subtracts days.',
    examples: [
      { value: "_function DATE_SUB('2024-03-01 00:00:00', INTERVAL 1 SECOND)", result: '2024-02-29 23:59:59' },
    ],
    call([d, amount, unit]) {
      return dateArith(d!, amount!, toText(unit!) ?? 'DAY', -1)
    },
  },
  {
    name: 'YEAR',
    signature: 'YEAR(date)',
    category: 'date',
    min: 1,
    max: 1,
    description: 'The year of a date.',
    examples: [{ value: "_function YEAR('2024-03-05')", result: 2024 }],
    call([x]) {
      const v = toDate(x!)
      return v === null ? null : int(new Date(v.sec * 1000).getUTCFullYear())
    },
  },
  {
    name: 'MONTH',
    signature: 'MONTH(date)',
    category: 'date',
    min: 1,
    max: 1,
    description: 'The month (1–12) of a date.',
    examples: [{ value: "_function MONTH('2024-03-05')", result: 3 }],
    call([x]) {
      const v = toDate(x!)
      return v === null ? null : int(new Date(v.sec * 1000).getUTCMonth() + 1)
    },
  },
  {
    name: 'DAY',
    aliases: ['DAYOFMONTH'],
    signature: 'DAY(date)',
    category: 'date',
    min: 1,
    max: 1,
    description: 'The day of the month of a date.',
    examples: [{ value: "_function DAY('2024-03-05')", result: 5 }],
    call([x]) {
      const v = toDate(x!)
      return v === null ? null : int(new Date(v.sec * 1000).getUTCDate())
    },
  },
]

/** Functions whose INTERVAL argument (or plain day count) arrives as (amount, unit). */
export const INTERVAL_FUNCTIONS = new Set(['DATE_ADD', 'DATE_SUB'])
