/**
 * MySQL arithmetic on exact decimals. Result scales follow MySQL: + and - keep the larger scale,
 * * adds them, / adds div_precision_increment (4) to the dividend's scale and rounds half up.
 * Division or MOD by zero is NULL, as in a MySQL SELECT.
 */
import type { CallEnv } from './registry.js'
import { D, num, toNum, type SqlNum, type SqlValue } from './values.js'

export const DIV_PRECISION_INCREMENT = 4

function scaleOp(a: SqlNum, b: SqlNum, f: (x: number, y: number) => number): number | null {
  return a.scale === null || b.scale === null ? null : f(a.scale, b.scale)
}

function bothInt(a: SqlNum, b: SqlNum): boolean {
  return a.integer === true && b.integer === true
}

type Op = (a: SqlNum, b: SqlNum, env: CallEnv) => SqlNum | null

const ops: Record<'+' | '-' | '*' | '/' | 'DIV' | 'MOD', Op> = {
  '+': (a, b) => num(a.d.plus(b.d), scaleOp(a, b, Math.max), bothInt(a, b)),
  '-': (a, b) => num(a.d.minus(b.d), scaleOp(a, b, Math.max), bothInt(a, b)),
  '*': (a, b) =>
    num(
      a.d.times(b.d),
      scaleOp(a, b, (x, y) => x + y),
      bothInt(a, b),
    ),
  '/': (a, b, env) => {
    if (b.d.isZero()) {
      env.divisionByZero()
      return null
    }
    const q = a.d.div(b.d)
    if (a.scale === null || b.scale === null) return num(q, null)
    // MySQL shows s1 + 4 decimals but keeps whole 9-digit words internally, so (1/3)*3 is 1.0000.
    const scale = Math.min(a.scale + DIV_PRECISION_INCREMENT, 30)
    return num(q.toDecimalPlaces(Math.ceil(scale / 9) * 9, D.ROUND_HALF_UP), scale)
  },
  DIV: (a, b, env) => {
    if (b.d.isZero()) {
      env.divisionByZero()
      return null
    }
    return num(a.d.div(b.d).toDecimalPlaces(0, D.ROUND_DOWN), 0, true)
  },
  MOD: (a, b, env) => {
    if (b.d.isZero()) {
      env.divisionByZero()
      return null
    }
    return num(a.d.mod(b.d), scaleOp(a, b, Math.max), bothInt(a, b))
  },
}

/** Apply an arithmetic operator with NULL propagation and string→number coercion. */
export function arithmetic(op: keyof typeof ops, left: SqlValue, right: SqlValue, env: CallEnv): SqlNum | null {
  const a = toNum(left)
  const b = toNum(right)
  if (a === null || b === null) return null
  return ops[op](a, b, env)
}

export function negate(v: SqlValue): SqlNum | null {
  const a = toNum(v)
  return a === null ? null : num(a.d.negated(), a.scale, a.integer === true)
}

/** A value used as an integer argument (LEFT's length, ROUND's places): rounded half away from zero. */
export function intArg(v: SqlValue): number | null {
  const n = toNum(v)
  if (n === null) return null
  const r = n.d.toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber()
  return Math.max(Math.min(r, Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER)
}
