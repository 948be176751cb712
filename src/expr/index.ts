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
import { checkContext, evaluateValueNode } from './evaluate-value.js'
import { parseValue } from './parse.js'

export type { ValueNode, SqlNode, NodeKind } from './ast.js'
export { parseValue, type ParseOptions } from './parse.js'
export { targets, inputs, type ExprInput } from './targets.js'
export { listFunctions, findFunction, type FunctionSpec, type FunctionExample } from './builtins.js'
export { DEFAULT_TIME_ZONE } from './time.js'
export { SYSTEM_VARIABLES } from './context.js'
export { likeMatch } from './like.js'

export type { EvalContext, LookupProvider, LookupQuery } from './eval-context.js'
import type { EvalContext } from './eval-context.js'

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
