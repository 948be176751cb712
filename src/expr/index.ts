/**
 * The expression language of scheme values (spec 5): templates, `_function` (a MySQL expression
 * subset) and `_findCollection` lookups, as a closed grammar and an interpreter (no eval).
 *
 * ```ts
 * const node = parseValue('_function abs({{items.qty}})')         // once per scheme; cached
 * await evaluate(node, { record, row, rowPath: 'items', now, tz: 'Asia/Shanghai' })  // → 3
 * targets(node)                                                     // → ['items.qty']
 * ```
 */
import type { ValueNode } from './ast.js'
import { checkContext, evaluateValueNode } from './evaluate.js'
import { parseValue } from './parse.js'

export type { ValueNode, SqlNode, NodeKind } from './ast.js'
export { parseValue, type ParseOptions } from './parse.js'
export { targets, inputs, type ExprInput } from './targets.js'
export { listFunctions, findFunction, type FunctionSpec, type FunctionExample } from './builtins.js'
export { DEFAULT_TIME_ZONE } from './time.js'
export { SYSTEM_VARIABLES } from './context.js'
export { likeMatch } from './like.js'

/** Everything an evaluation may read. */
export interface EvalContext {
  /** The source document. */
  readonly record: Record<string, unknown>
  /** The current detail row when a child field is mapped. */
  readonly row?: Record<string, unknown>
  /** Name of the detail array the row comes from, e.g. `items`. */
  readonly rowPath?: string
  /** LAST_SYNC_TIME etc. (Unix seconds) and extra `--var` values; they win over record fields of the same name. */
  readonly vars?: Record<string, unknown>
  readonly now: Date
  /** IANA zone for filters and date functions; schemes default to Asia/Shanghai. */
  readonly tz: string
  readonly lookups?: LookupProvider
  /** Platform text substitution; an evaluation error then returns the raw text instead of failing. */
  readonly compat?: boolean
}

export interface LookupQuery {
  collection: string
  field: string
  where: Record<string, unknown>
  /**
   * Set when an `in` list makes several queries for one lookup: this is query `index` of `of`.
   * A miss before the last one is not yet a miss of the lookup.
   */
  attempt?: { readonly index: number; readonly of: number }
}

/** Resolves `_findCollection`; the store implements it. Conditions are AND-ed exact matches. */
export interface LookupProvider {
  /** The `field` of the first stored record of `collection` matching `where`; undefined/null = no match. */
  find(q: LookupQuery): Promise<unknown>
}

/**
 * Evaluate a parsed value. Returns JSON-ready data: strings, numbers (exact decimals that do not
 * fit a JS number come back as strings), arrays, objects or null. Throws a FerryError: `data`
 * (ERR_EXPR_EVALUATION, ERR_EXPR_FILTER_INPUT) when the record's values do not fit, `config`
 * for a missing variable, lookup store or a bad time zone.
 */
export async function evaluate(node: ValueNode, ctx: EvalContext): Promise<unknown> {
  checkContext(ctx)
  return evaluateValueNode(node, ctx)
}

/** Parse (cached) and evaluate one value text. */
export async function evaluateValue(text: string, ctx: EvalContext): Promise<unknown> {
  return evaluate(parseValue(text), ctx)
}
