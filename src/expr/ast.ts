/**
 * The expression AST. Every node is a frozen plain object with a `kind`; the evaluator and
 * `targets()` switch over `kind` exhaustively, so adding a node kind without handling it does
 * not compile. `at` is the offset of the node in the original value text (for line:column).
 */

/** A `{{path|filter}}` / `{path}` reference. `path` is split on dots. */
export interface RefNode {
  readonly kind: 'Ref'
  readonly path: readonly string[]
  /** Lower-cased filter name, when one is given. */
  readonly filter: string | undefined
  readonly at: number
}

/** A fixed value (固定值): returned as written. */
export interface LiteralNode {
  readonly kind: 'Literal'
  readonly text: string
}

/** Text with references. `single` = the whole value is one reference (its type is kept). */
export interface TemplateNode {
  readonly kind: 'Template'
  readonly parts: readonly (string | RefNode)[]
  readonly single: boolean
  /** The text the reference offsets point into (for line:column in errors). */
  readonly source: string
}

/** `_function <expr>`: a MySQL expression. */
export interface FunctionNode {
  readonly kind: 'Function'
  readonly body: SqlNode
  /** The whole value text, used by compat mode (text substitution, raw text on error). */
  readonly source: string
  /** Offset in `source` where the expression starts (after `_function`). */
  readonly bodyAt: number
}

/** `_findCollection find <field> from <collection> where k=v ...`. */
export interface LookupNode {
  readonly kind: 'Lookup'
  readonly field: string
  readonly collection: string
  /**
   * AND-ed conditions. `key in ('a','b')` sets `anyOf` (the alternatives, tried in written order);
   * `value` is then its first alternative.
   */
  readonly where: readonly {
    readonly key: string
    readonly value: TemplateNode | LiteralNode
    readonly anyOf?: readonly (TemplateNode | LiteralNode)[]
  }[]
  readonly at: number
}

/** A bare source array key on a target array field (`"value": "items"`). */
export interface ArrayKeyNode {
  readonly kind: 'ArrayKey'
  readonly path: readonly string[]
}

export type ValueNode = LiteralNode | TemplateNode | FunctionNode | LookupNode | ArrayKeyNode

// ---- SQL expression nodes -------------------------------------------------------------------

export interface NumberLitNode {
  readonly kind: 'NumberLit'
  /** Digits as written; `approx` when written with an exponent (a MySQL DOUBLE). */
  readonly text: string
  readonly approx: boolean
  readonly at: number
}

/** A quoted string; references inside it are substituted as text values (typed, never re-parsed). */
export interface StringLitNode {
  readonly kind: 'StringLit'
  readonly parts: readonly (string | RefNode)[]
  readonly at: number
}

export interface NullLitNode {
  readonly kind: 'NullLit'
  readonly at: number
}

export type UnaryOp = '-' | '+' | 'NOT'
export interface UnaryNode {
  readonly kind: 'Unary'
  readonly op: UnaryOp
  readonly operand: SqlNode
  readonly at: number
}

export type BinaryOp =
  '+' | '-' | '*' | '/' | 'DIV' | 'MOD' | '=' | '<=>' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | 'XOR'
export interface BinaryNode {
  readonly kind: 'Binary'
  readonly op: BinaryOp
  readonly left: SqlNode
  readonly right: SqlNode
  readonly at: number
}

export interface IsNullNode {
  readonly kind: 'IsNull'
  readonly operand: SqlNode
  readonly not: boolean
  readonly at: number
}
export interface IsBoolNode {
  readonly kind: 'IsBool'
  readonly operand: SqlNode
  readonly value: boolean
  readonly not: boolean
  readonly at: number
}
export interface InNode {
  readonly kind: 'In'
  readonly operand: SqlNode
  readonly list: readonly SqlNode[]
  readonly not: boolean
  readonly at: number
}
export interface BetweenNode {
  readonly kind: 'Between'
  readonly operand: SqlNode
  readonly low: SqlNode
  readonly high: SqlNode
  readonly not: boolean
  readonly at: number
}
export interface LikeNode {
  readonly kind: 'Like'
  readonly operand: SqlNode
  readonly pattern: SqlNode
  readonly escape: SqlNode | undefined
  readonly not: boolean
  readonly at: number
}
export interface CaseNode {
  readonly kind: 'Case'
  readonly operand: SqlNode | undefined
  readonly whens: readonly { readonly when: SqlNode; readonly then: SqlNode }[]
  readonly otherwise: SqlNode | undefined
  readonly at: number
}
export interface CallNode {
  readonly kind: 'Call'
  readonly name: string
  readonly args: readonly SqlNode[]
  readonly at: number
}

export const INTERVAL_UNITS = [
  'MICROSECOND',
  'SECOND',
  'MINUTE',
  'HOUR',
  'DAY',
  'WEEK',
  'MONTH',
  'QUARTER',
  'YEAR',
] as const
export type IntervalUnit = (typeof INTERVAL_UNITS)[number]
export interface IntervalNode {
  readonly kind: 'Interval'
  readonly value: SqlNode
  readonly unit: IntervalUnit
  readonly at: number
}

export const CAST_TYPES = ['SIGNED', 'UNSIGNED', 'DECIMAL', 'CHAR', 'DATE', 'DATETIME', 'DOUBLE'] as const
export type CastType = (typeof CAST_TYPES)[number]
export interface CastNode {
  readonly kind: 'Cast'
  readonly operand: SqlNode
  readonly type: CastType
  /** DECIMAL(m, d) precision and scale; CHAR(n) length. */
  readonly m: number | undefined
  readonly d: number | undefined
  readonly at: number
}

export type SqlNode =
  | NumberLitNode
  | StringLitNode
  | NullLitNode
  | RefNode
  | LookupNode
  | UnaryNode
  | BinaryNode
  | IsNullNode
  | IsBoolNode
  | InNode
  | BetweenNode
  | LikeNode
  | CaseNode
  | CallNode
  | IntervalNode
  | CastNode

export type NodeKind = ValueNode['kind'] | SqlNode['kind']

/** Build a frozen node; the one place nodes are created, so none is ever mutated. */
export function node<N extends ValueNode | SqlNode>(n: N): N {
  return Object.freeze(n)
}
