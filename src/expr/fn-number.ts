/** Control-flow, numeric and aggregate built-ins of `_function`. */
import { arithmetic, intArg } from './arith.js'
import type { FunctionSpec } from './registry.js'
import { bool, compare, D, int, isList, num, toNum, truthy, type SqlValue } from './values.js'

function roundTo(x: SqlValue, places: SqlValue, mode: 'round' | 'truncate'): SqlValue {
  const n = toNum(x)
  const p = places === undefined ? 0 : intArg(places)
  if (n === null || p === null) return null
  const rm = mode === 'truncate' ? D.ROUND_DOWN : n.scale === null ? D.ROUND_HALF_EVEN : D.ROUND_HALF_UP
  if (p < 0) {
    const f = new D(10).pow(-p)
    return num(n.d.div(f).toDecimalPlaces(0, rm).times(f), n.scale === null ? null : 0, n.integer === true)
  }
  if (n.integer === true) return n
  return num(n.d.toDecimalPlaces(Math.min(p, 30), rm), n.scale === null ? null : Math.min(p, 30))
}

/** Aggregates flatten their arguments, so `SUM({{items.qty}})` and `SUM(1, 2, 3)` (compat text) both work. */
function flatten(args: readonly SqlValue[]): SqlValue[] {
  return args.flatMap((a) => (isList(a) ? flatten(a.items) : [a])).filter((a) => a !== null)
}

function extreme(args: SqlValue[], sign: 1 | -1): SqlValue {
  const vals = flatten(args)
  let best: SqlValue = null
  for (const v of vals) if (best === null || (compare(v, best) ?? 0) * sign > 0) best = v
  return best
}

export const NUMBER_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'IF',
    signature: 'IF(cond, then, else)',
    category: 'control',
    min: 3,
    max: 3,
    lazy: true,
    description: 'Returns `then` when `cond` is true (non-zero and not NULL), else `else`.',
    examples: [{ value: "_function IF({{qty}} < 0, 'loss', 'gain')", record: { qty: -3 }, result: 'loss' }],
    async call([c, a, b]) {
      return (truthy(await c!()) === true ? a! : b!)()
    },
  },
  {
    name: 'IFNULL',
    signature: 'IFNULL(x, fallback)',
    category: 'control',
    min: 2,
    max: 2,
    lazy: true,
    description: 'Returns `x` unless it is NULL, else `fallback`.',
    examples: [{ value: "_function IFNULL({{remark}}, 'none')", record: {}, result: 'none' }],
    async call([a, b]) {
      const v = await a!()
      return v !== null ? v : b!()
    },
  },
  {
    name: 'COALESCE',
    signature: 'COALESCE(x, ...)',
    category: 'control',
    min: 1,
    max: Infinity,
    lazy: true,
    description: 'Returns the first argument that is not NULL.',
    examples: [{ value: '_function COALESCE(NULL, {{a}}, 7)', record: { a: null }, result: 7 }],
    async call(args) {
      for (const a of args) {
        const v = await a()
        if (v !== null) return v
      }
      return null
    },
  },
  {
    name: 'NULLIF',
    signature: 'NULLIF(a, b)',
    category: 'control',
    min: 2,
    max: 2,
    description: 'Returns NULL when `a` equals `b`, else `a`.',
    examples: [
      { value: "_function NULLIF('x', 'X')", result: null },
      { value: '_function NULLIF(1, 2)', result: 1 },
    ],
    call([a, b]) {
      return compare(a!, b!) === 0 ? null : a!
    },
  },
  {
    name: 'ISNULL',
    signature: 'ISNULL(x)',
    category: 'control',
    min: 1,
    max: 1,
    description: 'Returns 1 when `x` is NULL, else 0.',
    examples: [{ value: '_function ISNULL({{missing}})', record: {}, result: 1 }],
    call([a]) {
      return bool(a === null)
    },
  },
  {
    name: 'GREATEST',
    signature: 'GREATEST(x, y, ...)',
    category: 'control',
    min: 2,
    max: Infinity,
    description: 'The largest argument; NULL when any argument is NULL.',
    examples: [{ value: '_function GREATEST(1, 3.5, 2)', result: 3.5 }],
    call(args) {
      return args.includes(null) ? null : extreme(args, 1)
    },
  },
  {
    name: 'LEAST',
    signature: 'LEAST(x, y, ...)',
    category: 'control',
    min: 2,
    max: Infinity,
    description: 'The smallest argument; NULL when any argument is NULL.',
    examples: [{ value: '_function LEAST(1, 3.5, 2)', result: 1 }],
    call(args) {
      return args.includes(null) ? null : extreme(args, -1)
    },
  },
  {
    name: 'ABS',
    signature: 'ABS(x)',
    category: 'number',
    min: 1,
    max: 1,
    description: 'Absolute value, keeping the decimals of `x`.',
    examples: [
      { value: '_function abs({qty})', record: { qty: -3 }, result: 3 },
      { value: '_function ABS(-3.50)', result: 3.5 },
    ],
    call([a]) {
      const n = toNum(a!)
      return n === null ? null : num(n.d.abs(), n.scale, n.integer === true)
    },
  },
  {
    name: 'ROUND',
    signature: 'ROUND(x [, d])',
    category: 'number',
    min: 1,
    max: 2,
    description: 'Rounds to `d` decimals (default 0), half away from zero for exact numbers.',
    examples: [
      { value: '_function ROUND(2.345, 2)', result: 2.35 },
      { value: '_function ROUND(-2.5)', result: -3 },
      { value: '_function ROUND(1234, -2)', result: 1200 },
    ],
    call([a, d]) {
      return roundTo(a!, d ?? int(0), 'round')
    },
  },
  {
    name: 'TRUNCATE',
    signature: 'TRUNCATE(x, d)',
    category: 'number',
    min: 2,
    max: 2,
    description: 'Cuts `x` to `d` decimals without rounding.',
    examples: [{ value: '_function TRUNCATE(1.999, 1)', result: 1.9 }],
    call([a, d]) {
      return roundTo(a!, d!, 'truncate')
    },
  },
  {
    name: 'CEIL',
    aliases: ['CEILING'],
    signature: 'CEIL(x)',
    category: 'number',
    min: 1,
    max: 1,
    description: 'The smallest integer not less than `x`.',
    examples: [
      { value: '_function CEIL(1.2)', result: 2 },
      { value: '_function CEILING(-1.2)', result: -1 },
    ],
    call([a]) {
      const n = toNum(a!)
      return n === null ? null : num(n.d.ceil(), 0, true)
    },
  },
  {
    name: 'FLOOR',
    signature: 'FLOOR(x)',
    category: 'number',
    min: 1,
    max: 1,
    description: 'The largest integer not greater than `x`.',
    examples: [{ value: '_function FLOOR(-1.2)', result: -2 }],
    call([a]) {
      const n = toNum(a!)
      return n === null ? null : num(n.d.floor(), 0, true)
    },
  },
  {
    name: 'MOD',
    signature: 'MOD(a, b)',
    category: 'number',
    min: 2,
    max: 2,
    description: 'Remainder of `a / b` with the sign of `a`; NULL when `b` is 0.',
    examples: [
      { value: '_function MOD(-7, 3)', result: -1 },
      { value: '_function MOD(5, 0)', result: null },
    ],
    call([a, b], env) {
      return arithmetic('MOD', a!, b!, env)
    },
  },
  {
    name: 'SIGN',
    signature: 'SIGN(x)',
    category: 'number',
    min: 1,
    max: 1,
    description: '-1, 0 or 1 by the sign of `x`.',
    examples: [{ value: '_function SIGN(-2.5)', result: -1 }],
    call([a]) {
      const n = toNum(a!)
      return n === null ? null : int(n.d.isZero() ? 0 : n.d.isNegative() ? -1 : 1)
    },
  },
  {
    name: 'FORMAT',
    signature: 'FORMAT(x, d)',
    category: 'number',
    min: 2,
    max: 2,
    description: 'Text of `x` rounded to `d` decimals with thousands separators (`1,234.50`).',
    examples: [{ value: '_function FORMAT(1234567.891, 2)', result: '1,234,567.89' }],
    call([a, d]) {
      const n = toNum(a!)
      const p = intArg(d!)
      if (n === null || p === null) return null
      const [whole, frac] = n.d.toFixed(Math.max(0, Math.min(p, 30)), D.ROUND_HALF_UP).split('.')
      const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
      return frac === undefined ? grouped : `${grouped}.${frac}`
    },
  },
  {
    name: 'SUM',
    signature: 'SUM(values)',
    category: 'aggregate',
    min: 1,
    max: Infinity,
    aggregate: true,
    description: 'Sum over a detail array (`SUM({{items.qty}})`), skipping NULLs; NULL when there is nothing to add.',
    examples: [
      {
        value: '_function sum({{items.qty}})',
        record: { items: [{ qty: 1.5 }, { qty: 2 }, { qty: null }] },
        result: 3.5,
      },
    ],
    call(args) {
      const vals = flatten(args).map((v) => toNum(v)!)
      if (vals.length === 0) return null
      const scale = vals.some((v) => v.scale === null) ? null : Math.max(...vals.map((v) => v.scale!))
      return num(
        vals.reduce((s, v) => s.plus(v.d), new D(0)),
        scale,
      )
    },
  },
  {
    name: 'AVG',
    signature: 'AVG(values)',
    category: 'aggregate',
    min: 1,
    max: Infinity,
    aggregate: true,
    description: 'Average over a detail array, skipping NULLs (MySQL scale: decimals + 4).',
    examples: [
      { value: '_function AVG({{items.price}})', record: { items: [{ price: 1 }, { price: 2 }] }, result: 1.5 },
    ],
    call(args) {
      const vals = flatten(args).map((v) => toNum(v)!)
      if (vals.length === 0) return null
      const sum = vals.reduce((s, v) => s.plus(v.d), new D(0)).div(vals.length)
      if (vals.some((v) => v.scale === null)) return num(sum, null)
      const scale = Math.min(Math.max(...vals.map((v) => v.scale!)) + 4, 30)
      return num(sum.toDecimalPlaces(scale, D.ROUND_HALF_UP), scale)
    },
  },
  {
    name: 'MAX',
    signature: 'MAX(values)',
    category: 'aggregate',
    min: 1,
    max: Infinity,
    aggregate: true,
    description: 'Largest value in a detail array, skipping NULLs.',
    examples: [{ value: '_function MAX({{items.qty}})', record: { items: [{ qty: -1 }, { qty: 4 }] }, result: 4 }],
    call(args) {
      return extreme(args, 1)
    },
  },
  {
    name: 'MIN',
    signature: 'MIN(values)',
    category: 'aggregate',
    min: 1,
    max: Infinity,
    aggregate: true,
    description: 'Smallest value in a detail array, skipping NULLs.',
    examples: [{ value: '_function MIN({{items.qty}})', record: { items: [{ qty: -1 }, { qty: 4 }] }, result: -1 }],
    call(args) {
      return extreme(args, -1)
    },
  },
  {
    name: 'COUNT',
    signature: 'COUNT(values)',
    category: 'aggregate',
    min: 1,
    max: Infinity,
    aggregate: true,
    description: 'Number of non-NULL values in a detail array.',
    examples: [
      {
        value: '_function COUNT({{items.sku_id}})',
        record: { items: [{ sku_id: 'A' }, { sku_id: null }, { sku_id: 'B' }] },
        result: 2,
      },
    ],
    call(args) {
      return int(flatten(args).length)
    },
  },
]
