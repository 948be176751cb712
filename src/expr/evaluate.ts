/**
 * The SQL interpreter: `evalSql` is one exhaustive switch over SQL node kinds. Record values
 * enter as typed values (never as text to re-parse). The value forms are evaluated in
 * evaluate-value.ts, compat mode (platform text substitution) in compat.ts.
 */
import type { LookupNode, RefNode, SqlNode } from './ast.js'
import { arithmetic, negate } from './arith.js'
import { findFunction } from './builtins.js'
import { FerryError, isFerryError } from '../core/errors.js'
import { readRef } from './context.js'
import { ExprEvaluation } from './errors.js'
import { dateArith, INTERVAL_FUNCTIONS } from './fn-date.js'
import type { EvalContext } from './eval-context.js'
import { likeMatch } from './like.js'
import type { CallEnv } from './registry.js'
import { branchesOf, staticScale } from './scale.js'
import { locate } from './template.js'
import {
  bool,
  compare,
  D,
  fromJson,
  int,
  isList,
  isNum,
  jsonToText,
  num,
  parseNumericPrefix,
  toDate,
  toNum,
  toText,
  truthy,
  type SqlValue,
} from './values.js'

/** Runs a `_findCollection` met inside an expression (evaluate-value.ts, which evaluates its conditions). */
export type LookupRunner = (n: LookupNode, ctx: EvalContext) => Promise<unknown>

/** Per-evaluation state shared by every node of one value. */
export class Env implements CallEnv {
  divided = false
  constructor(
    readonly ctx: EvalContext,
    readonly source: string,
    readonly lookup: LookupRunner,
  ) {}
  get now(): Date {
    return this.ctx.now
  }
  get tz(): string {
    return this.ctx.tz
  }
  divisionByZero(): void {
    this.divided = true
  }
  fail(msg: string, at: number): Error {
    return ExprEvaluation([msg], { location: locate(this.source, at) })
  }
}

/** A reference's value; an error about the value gets the reference's line:column. */
export function readRefAt(ref: RefNode, ctx: EvalContext, source: string): unknown {
  try {
    return readRef(ref, ctx)
  } catch (e) {
    if (!isFerryError(e) || e.location !== undefined) throw e
    throw new FerryError(e.code, e.kind, e.message, { location: locate(source, ref.at), details: e.details, cause: e })
  }
}

/** Alternatives of `in` lists multiply; past this a lookup is refused rather than run hundreds of queries. */

function castValue(v: SqlValue, n: Extract<SqlNode, { kind: 'Cast' }>): SqlValue {
  if (v === null) return null
  switch (n.type) {
    case 'CHAR': {
      const t = toText(v)!
      return n.m === undefined ? t : Array.from(t).slice(0, n.m).join('')
    }
    case 'SIGNED':
    case 'UNSIGNED': {
      const x =
        typeof v === 'string'
          ? parseNumericPrefix(v).d.toDecimalPlaces(0, D.ROUND_DOWN)
          : toNum(v)!.d.toDecimalPlaces(0, D.ROUND_HALF_UP)
      return int(n.type === 'UNSIGNED' && x.isNegative() ? x.plus(new D(2).pow(64)) : x)
    }
    case 'DECIMAL': {
      const m = n.m ?? 10
      const d = n.d ?? 0
      const x = toNum(v)!.d.toDecimalPlaces(d, D.ROUND_HALF_UP)
      const max = new D(10).pow(m - d).minus(new D(10).pow(-d))
      return num(x.gt(max) ? max : x.lt(max.negated()) ? max.negated() : x, d)
    }
    case 'DOUBLE':
      return num(toNum(v)!.d, null)
    case 'DATE':
    case 'DATETIME': {
      const dt = toDate(v)
      if (dt === null) return null
      if (n.type === 'DATETIME') return { ...dt, dateOnly: false }
      const sec = dt.sec - (((dt.sec % 86_400) + 86_400) % 86_400)
      return { t: 'date', sec, micro: 0, fsp: 0, dateOnly: true }
    }
  }
}

async function callFunction(n: Extract<SqlNode, { kind: 'Call' }>, env: Env): Promise<SqlValue> {
  const spec = findFunction(n.name)
  if (spec === undefined) throw env.fail(`unknown function ${n.name}`, n.at)
  if (spec.lazy === true)
    return spec.call(
      n.args.map((a) => () => evalSql(a, env)),
      env,
    )
  const args: SqlValue[] = []
  for (const [i, a] of n.args.entries()) {
    if (a.kind === 'Interval') {
      if (!INTERVAL_FUNCTIONS.has(spec.name) || i !== 1)
        throw env.fail('INTERVAL is only allowed in DATE_ADD, DATE_SUB or date ± INTERVAL', a.at)
      args.push(await evalSql(a.value, env), a.unit)
      continue
    }
    const v = await evalSql(a, env)
    if (isList(v) && spec.aggregate !== true) {
      throw env.fail(
        `${spec.name} takes a single value; a detail array can only be used inside SUM, AVG, MAX, MIN or COUNT`,
        a.at,
      )
    }
    args.push(v)
  }
  if (INTERVAL_FUNCTIONS.has(spec.name) && args.length === 2) args.push('DAY')
  return spec.call(args, env)
}

async function logical(n: Extract<SqlNode, { kind: 'Binary' }>, env: Env): Promise<SqlValue> {
  const a = truthy(await evalSql(n.left, env))
  if (n.op === 'AND' && a === false) return int(0)
  if (n.op === 'OR' && a === true) return int(1)
  const b = truthy(await evalSql(n.right, env))
  if (n.op === 'AND') return b === false ? int(0) : a === null || b === null ? null : int(1)
  if (n.op === 'OR') return b === true ? int(1) : a === null || b === null ? null : int(0)
  return a === null || b === null ? null : bool(a !== b)
}

async function binary(n: Extract<SqlNode, { kind: 'Binary' }>, env: Env): Promise<SqlValue> {
  if (n.op === 'AND' || n.op === 'OR' || n.op === 'XOR') return logical(n, env)
  if ((n.op === '+' || n.op === '-') && (n.right.kind === 'Interval' || (n.op === '+' && n.left.kind === 'Interval'))) {
    const [dateNode, iv] =
      n.right.kind === 'Interval' ? [n.left, n.right] : [n.right, n.left as Extract<SqlNode, { kind: 'Interval' }>]
    return dateArith(await evalSql(dateNode, env), await evalSql(iv.value, env), iv.unit, n.op === '-' ? -1 : 1)
  }
  const a = await evalSql(n.left, env)
  const b = await evalSql(n.right, env)
  if (isList(a) || isList(b)) throw env.fail('a detail array can only be used inside SUM, AVG, MAX, MIN or COUNT', n.at)
  switch (n.op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case 'DIV':
    case 'MOD':
      return arithmetic(n.op, a, b, env)
    case '<=>':
      return a === null || b === null ? bool(a === b) : bool(compare(a, b) === 0)
    case '=':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const c = compare(a, b)
      if (c === null) return null
      const r = { '=': c === 0, '<>': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[n.op]
      return bool(r)
    }
  }
}

/** Evaluate one SQL node, giving a control-flow result the scale MySQL's type aggregation gives it. */
export async function evalSql(n: SqlNode, env: Env): Promise<SqlValue> {
  const v = await evalNode(n, env)
  if (!isNum(v) || v.scale === null || branchesOf(n) === undefined) return v
  const wide = staticScale(n)
  return wide !== undefined && wide > v.scale ? num(v.d, wide) : v
}

/** Exhaustive: a new node kind fails to compile until it is handled here. */
async function evalNode(n: SqlNode, env: Env): Promise<SqlValue> {
  switch (n.kind) {
    case 'NumberLit': {
      if (n.approx) return num(new D(n.text), null)
      const dot = n.text.indexOf('.')
      return dot < 0 ? int(new D(n.text)) : num(new D(n.text), n.text.length - dot - 1)
    }
    case 'StringLit': {
      let s = ''
      for (const p of n.parts) s += typeof p === 'string' ? p : jsonToText(readRefAt(p, env.ctx, env.source))
      return s
    }
    case 'NullLit':
      return null
    case 'Ref':
      return fromJson(readRefAt(n, env.ctx, env.source))
    case 'Lookup':
      return fromJson(await env.lookup(n, env.ctx), false)
    case 'Unary': {
      const v = await evalSql(n.operand, env)
      if (isList(v)) throw env.fail('a detail array can only be used inside SUM, AVG, MAX, MIN or COUNT', n.at)
      if (n.op === '-') return negate(v)
      if (n.op === '+') return v
      const t = truthy(v)
      return t === null ? null : bool(!t)
    }
    case 'Binary':
      return binary(n, env)
    case 'IsNull':
      return bool(((await evalSql(n.operand, env)) === null) !== n.not)
    case 'IsBool':
      return bool((truthy(await evalSql(n.operand, env)) === n.value) !== n.not)
    case 'In': {
      const v = await evalSql(n.operand, env)
      if (v === null) return null
      let sawNull = false
      for (const item of n.list) {
        const c = compare(v, await evalSql(item, env))
        if (c === 0) return bool(!n.not)
        if (c === null) sawNull = true
      }
      return sawNull ? null : bool(n.not)
    }
    case 'Between': {
      const v = await evalSql(n.operand, env)
      const lo = compare(v, await evalSql(n.low, env))
      const hi = compare(v, await evalSql(n.high, env))
      const inside =
        lo === null || hi === null
          ? (lo !== null && lo < 0) || (hi !== null && hi > 0)
            ? false
            : null
          : lo >= 0 && hi <= 0
      return inside === null ? null : bool(inside !== n.not)
    }
    case 'Like': {
      const s = toText(await evalSql(n.operand, env))
      const p = toText(await evalSql(n.pattern, env))
      const e = n.escape === undefined ? '\\' : toText(await evalSql(n.escape, env))
      if (s === null || p === null || e === null) return null
      return bool(likeMatch(s, p, e) !== n.not)
    }
    case 'Case': {
      const operand = n.operand === undefined ? undefined : await evalSql(n.operand, env)
      for (const w of n.whens) {
        const cond = await evalSql(w.when, env)
        const hit = operand === undefined ? truthy(cond) === true : compare(operand, cond) === 0
        if (hit) return evalSql(w.then, env)
      }
      return n.otherwise === undefined ? null : evalSql(n.otherwise, env)
    }
    case 'Call':
      return callFunction(n, env)
    case 'Interval':
      throw env.fail('INTERVAL is only allowed in DATE_ADD, DATE_SUB or date ± INTERVAL', n.at)
    case 'Cast': {
      const v = await evalSql(n.operand, env)
      if (isList(v)) throw env.fail('a detail array can only be used inside SUM, AVG, MAX, MIN or COUNT', n.at)
      return castValue(v, n)
    }
  }
}
