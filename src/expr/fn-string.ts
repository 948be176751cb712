/** String built-ins of `_function`. Positions and lengths count characters (code points), as MySQL does. */
import { intArg } from './arith.js'
import type { FunctionSpec } from './registry.js'
import { capText, int, toText, type SqlValue } from './values.js'

function chars(s: string): string[] {
  return Array.from(s)
}

/** Text arguments, or null when any is NULL (MySQL's NULL propagation). */
function texts(args: readonly SqlValue[]): string[] | null {
  const out: string[] = []
  for (const a of args) {
    const t = toText(a)
    if (t === null) return null
    out.push(t)
  }
  return out
}

function substring(s: string, pos: number, len: number | undefined): string {
  const cs = chars(s)
  if (pos === 0 || (len !== undefined && len < 1)) return ''
  const start = pos > 0 ? pos - 1 : cs.length + pos
  if (start < 0 || start >= cs.length) return ''
  return cs.slice(start, len === undefined ? undefined : start + len).join('')
}

/** Case-insensitive position (1-based, 0 = not found), as LOCATE/INSTR under a _ci collation. */
function locate(sub: string, s: string, from = 1): number {
  if (from < 1) return 0
  const hay = chars(s.toLowerCase())
  const needle = chars(sub.toLowerCase())
  for (let i = from - 1; i + needle.length <= hay.length; i++) {
    if (needle.every((c, k) => hay[i + k] === c)) return i + 1
  }
  return 0
}

function pad(args: readonly SqlValue[], left: boolean): SqlValue {
  const t = texts([args[0]!, args[2]!])
  const n = intArg(args[1]!)
  if (t === null || n === null || n < 0) return null
  const [s, p] = [chars(t[0]!), chars(t[1]!)]
  if (n <= s.length) return s.slice(0, n).join('')
  if (p.length === 0 || n > 1 << 20) return null
  const fill: string[] = []
  while (fill.length < n - s.length) fill.push(p[fill.length % p.length]!)
  return left ? fill.join('') + s.join('') : s.join('') + fill.join('')
}

function trimmer(s: string, rem: string, mode: string): string {
  if (rem === '') return s
  let out = s
  if (mode !== 'TRAILING') while (out.startsWith(rem)) out = out.slice(rem.length)
  if (mode !== 'LEADING') while (out.endsWith(rem)) out = out.slice(0, out.length - rem.length)
  return out
}

export const STRING_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'CONCAT',
    signature: 'CONCAT(s, ...)',
    category: 'string',
    min: 1,
    max: Infinity,
    description: 'Joins the arguments as text; NULL when any argument is NULL.',
    examples: [
      { value: "_function CONCAT('PK-', {{io_id}})", record: { io_id: 'PD1' }, result: 'PK-PD1' },
      { value: '_function CONCAT(1.50 * 2)', result: '3.00' },
    ],
    call(args) {
      const t = texts(args)
      return t === null ? null : capText(t.join(''))
    },
  },
  {
    name: 'CONCAT_WS',
    signature: 'CONCAT_WS(separator, s, ...)',
    category: 'string',
    min: 2,
    max: Infinity,
    description: 'Joins the non-NULL arguments with a separator.',
    examples: [{ value: "_function CONCAT_WS('-', 'a', NULL, 'b')", result: 'a-b' }],
    call([sep, ...rest]) {
      const s = toText(sep!)
      if (s === null) return null
      return capText(
        rest
          .map(toText)
          .filter((t): t is string => t !== null)
          .join(s),
      )
    },
  },
  {
    name: 'SUBSTRING',
    aliases: ['SUBSTR', 'MID'],
    signature: 'SUBSTRING(s, pos [, len])',
    category: 'string',
    min: 2,
    max: 3,
    description: 'Part of `s` from position `pos` (1-based; negative counts from the end), `len` characters long.',
    examples: [
      { value: "_function SUBSTRING('hello', 2, 3)", result: 'ell' },
      { value: "_function SUBSTR('hello', -3)", result: 'llo' },
    ],
    call([s, p, l]) {
      const t = toText(s!)
      const pos = intArg(p!)
      const len = l === undefined ? undefined : intArg(l)
      if (t === null || pos === null || len === null) return null
      return substring(t, pos, len)
    },
  },
  {
    name: 'LEFT',
    signature: 'LEFT(s, n)',
    category: 'string',
    min: 2,
    max: 2,
    description: 'The first `n` characters of `s`.',
    examples: [{ value: "_function LEFT('AD0001', 2)", result: 'AD' }],
    call([s, n]) {
      const t = toText(s!)
      const k = intArg(n!)
      return t === null || k === null ? null : chars(t).slice(0, Math.max(k, 0)).join('')
    },
  },
  {
    name: 'RIGHT',
    signature: 'RIGHT(s, n)',
    category: 'string',
    min: 2,
    max: 2,
    description: 'The last `n` characters of `s`.',
    examples: [{ value: "_function RIGHT('AD0001', 4)", result: '0001' }],
    call([s, n]) {
      const t = toText(s!)
      const k = intArg(n!)
      return t === null || k === null ? null : k <= 0 ? '' : chars(t).slice(-k).join('')
    },
  },
  {
    name: 'LENGTH',
    aliases: ['OCTET_LENGTH'],
    signature: 'LENGTH(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'Length of `s` in UTF-8 bytes (a Chinese character counts 3).',
    examples: [{ value: "_function LENGTH('中文')", result: 6 }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : int(Buffer.byteLength(t, 'utf8'))
    },
  },
  {
    name: 'CHAR_LENGTH',
    aliases: ['CHARACTER_LENGTH'],
    signature: 'CHAR_LENGTH(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'Length of `s` in characters.',
    examples: [{ value: "_function CHAR_LENGTH('中文')", result: 2 }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : int(chars(t).length)
    },
  },
  {
    name: 'LOCATE',
    signature: 'LOCATE(sub, s [, pos])',
    category: 'string',
    min: 2,
    max: 3,
    description: 'Position of `sub` in `s` (1-based, 0 when absent), case-insensitive, searching from `pos`.',
    examples: [
      {
        value: "_function CASE LOCATE('包材', '{{remark}}') WHEN 0 THEN 'goods' ELSE 'packing' END",
        record: { remark: '月度包材盘点' },
        result: 'packing',
      },
    ],
    call([sub, s, p]) {
      const t = texts([sub!, s!])
      const from = p === undefined ? 1 : intArg(p)
      return t === null || from === null ? null : int(locate(t[0]!, t[1]!, from))
    },
  },
  {
    name: 'INSTR',
    signature: 'INSTR(s, sub)',
    category: 'string',
    min: 2,
    max: 2,
    description: 'Position of `sub` in `s` (1-based, 0 when absent), case-insensitive.',
    examples: [{ value: "_function INSTR('foobar', 'BAR')", result: 4 }],
    call([s, sub]) {
      const t = texts([s!, sub!])
      return t === null ? null : int(locate(t[1]!, t[0]!))
    },
  },
  {
    name: 'REPLACE',
    signature: 'REPLACE(s, from, to)',
    category: 'string',
    min: 3,
    max: 3,
    description: 'Replaces every `from` in `s` with `to` (case-sensitive).',
    examples: [{ value: "_function REPLACE('a-b-c', '-', '/')", result: 'a/b/c' }],
    call(args) {
      const t = texts(args)
      return t === null ? null : t[1] === '' ? t[0]! : capText(t[0]!.split(t[1]!).join(t[2]))
    },
  },
  {
    name: 'TRIM',
    signature: 'TRIM([BOTH|LEADING|TRAILING] [rem] FROM s) | TRIM(s)',
    category: 'string',
    min: 1,
    max: 3,
    description: 'Removes spaces (or `rem`) from both ends of `s`, or only the leading/trailing end.',
    examples: [
      { value: "_function TRIM('  x  ')", result: 'x' },
      { value: "_function TRIM(LEADING '0' FROM '0012')", result: '12' },
    ],
    call([s, rem, mode]) {
      const t = texts([s!, rem ?? ' ', mode ?? 'BOTH'])
      return t === null ? null : trimmer(t[0]!, t[1]!, t[2]!)
    },
  },
  {
    name: 'LTRIM',
    signature: 'LTRIM(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'Removes leading spaces.',
    examples: [{ value: "_function LTRIM('  x ')", result: 'x ' }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : trimmer(t, ' ', 'LEADING')
    },
  },
  {
    name: 'RTRIM',
    signature: 'RTRIM(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'Removes trailing spaces.',
    examples: [{ value: "_function RTRIM(' x  ')", result: ' x' }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : trimmer(t, ' ', 'TRAILING')
    },
  },
  {
    name: 'UPPER',
    aliases: ['UCASE'],
    signature: 'UPPER(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'Upper-case text.',
    examples: [{ value: "_function UPPER('sku-1')", result: 'SKU-1' }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : t.toUpperCase()
    },
  },
  {
    name: 'LOWER',
    aliases: ['LCASE'],
    signature: 'LOWER(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'Lower-case text.',
    examples: [{ value: "_function LOWER('SKU-1')", result: 'sku-1' }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : t.toLowerCase()
    },
  },
  {
    name: 'LPAD',
    signature: 'LPAD(s, len, pad)',
    category: 'string',
    min: 3,
    max: 3,
    description: 'Pads `s` on the left with `pad` to `len` characters (cuts when longer).',
    examples: [{ value: "_function LPAD('7', 3, '0')", result: '007' }],
    call(args) {
      return pad(args, true)
    },
  },
  {
    name: 'RPAD',
    signature: 'RPAD(s, len, pad)',
    category: 'string',
    min: 3,
    max: 3,
    description: 'Pads `s` on the right with `pad` to `len` characters (cuts when longer).',
    examples: [{ value: "_function RPAD('ab', 4, '.')", result: 'ab..' }],
    call(args) {
      return pad(args, false)
    },
  },
  {
    name: 'REPEAT',
    signature: 'REPEAT(s, n)',
    category: 'string',
    min: 2,
    max: 2,
    description: '`s` repeated `n` times (NULL past 1 MiB).',
    examples: [{ value: "_function REPEAT('ab', 3)", result: 'ababab' }],
    call([s, n]) {
      const t = toText(s!)
      const k = intArg(n!)
      if (t === null || k === null) return null
      if (k <= 0) return ''
      return t.length * k > 1 << 20 ? null : t.repeat(k)
    },
  },
  {
    name: 'REVERSE',
    signature: 'REVERSE(s)',
    category: 'string',
    min: 1,
    max: 1,
    description: 'The characters of `s` in reverse order.',
    examples: [{ value: "_function REVERSE('abc')", result: 'cba' }],
    call([s]) {
      const t = toText(s!)
      return t === null ? null : chars(t).reverse().join('')
    },
  },
]
