/**
 * MySQL types CASE / IF / IFNULL / COALESCE by all their branches: `IF(c, 12, -4.4)` is
 * DECIMAL(…, 1) whichever branch is taken, so `IF(c, 12, -4.4) / 7` has 5 decimals. This infers
 * the decimals of a node without evaluating it, so the taken branch can be widened to match.
 * `undefined` = not known statically (record values, lookups, text).
 */
import type { SqlNode } from './ast.js'

const cache = new WeakMap<SqlNode, number | undefined>()
const CONTROL = new Set(['IF', 'IFNULL', 'COALESCE'])

function max(xs: (number | undefined)[]): number | undefined {
  const known = xs.filter((x): x is number => x !== undefined)
  return known.length === 0 ? undefined : Math.max(...known)
}

/** The branches whose types MySQL aggregates for a control-flow node, or undefined for other nodes. */
export function branchesOf(n: SqlNode): readonly SqlNode[] | undefined {
  if (n.kind === 'Case') return [...n.whens.map((w) => w.then), ...(n.otherwise === undefined ? [] : [n.otherwise])]
  if (n.kind === 'Call' && CONTROL.has(n.name)) return n.name === 'IF' ? n.args.slice(1) : n.args
  return undefined
}

export function staticScale(n: SqlNode): number | undefined {
  if (cache.has(n)) return cache.get(n)
  const s = compute(n)
  cache.set(n, s)
  return s
}

function binaryScale(n: Extract<SqlNode, { kind: 'Binary' }>): number | undefined {
  const [a, b] = [staticScale(n.left), staticScale(n.right)]
  switch (n.op) {
    case '+':
    case '-':
    case 'MOD':
      return a === undefined || b === undefined ? undefined : Math.max(a, b)
    case '*':
      return a === undefined || b === undefined ? undefined : Math.min(a + b, 30)
    case '/':
      return a === undefined ? undefined : Math.min(a + 4, 30)
    case 'DIV':
    case '=':
    case '<=>':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'AND':
    case 'OR':
    case 'XOR':
      return 0
  }
}

function compute(n: SqlNode): number | undefined {
  const branches = branchesOf(n)
  if (branches !== undefined) return max(branches.filter((b) => b.kind !== 'NullLit').map(staticScale))
  switch (n.kind) {
    case 'NumberLit': {
      if (n.approx) return undefined
      const dot = n.text.indexOf('.')
      return dot < 0 ? 0 : n.text.length - dot - 1
    }
    case 'Unary':
      return n.op === '-' ? staticScale(n.operand) : 0
    case 'Binary':
      return binaryScale(n)
    case 'IsNull':
    case 'IsBool':
    case 'In':
    case 'Between':
    case 'Like':
      return 0
    case 'Cast':
      return n.type === 'DECIMAL' ? (n.d ?? 0) : n.type === 'SIGNED' || n.type === 'UNSIGNED' ? 0 : undefined
    case 'Call':
      switch (n.name) {
        case 'ABS':
        case 'NULLIF':
          return staticScale(n.args[0]!)
        case 'MOD': {
          const [a, b] = [staticScale(n.args[0]!), staticScale(n.args[1]!)]
          return a === undefined || b === undefined ? undefined : Math.max(a, b)
        }
        case 'ROUND':
        case 'TRUNCATE': {
          const x = staticScale(n.args[0]!)
          const d = n.args[1]
          if (x === undefined) return undefined
          if (x === 0 || d === undefined) return 0
          return d.kind === 'NumberLit' && !d.text.includes('.')
            ? Math.max(0, Math.min(Number(d.text), 30))
            : d.kind === 'Unary'
              ? 0
              : undefined
        }
        case 'CEIL':
        case 'FLOOR':
        case 'SIGN':
        case 'LENGTH':
        case 'CHAR_LENGTH':
        case 'LOCATE':
        case 'INSTR':
          return 0
        default:
          return undefined
      }
    case 'Case':
    case 'Interval':
    case 'Lookup':
    case 'NullLit':
    case 'Ref':
    case 'StringLit':
      return undefined
  }
}
