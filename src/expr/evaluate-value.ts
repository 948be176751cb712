/**
 * The entry of an evaluation: a parsed value of any kind (literal, template, `_function`,
 * `_findCollection`, array key) against a context. `_function` goes to the SQL interpreter
 * (evaluate.ts) or, for platform text substitution, to compat.ts; neither imports this file.
 */
import type { FunctionNode, LookupNode, RefNode, ValueNode } from './ast.js'
import { ExprEvaluation, ExprNoLookupProvider } from './errors.js'
import { isFerryError, toFerryError } from '../core/errors.js'
import { evaluateCompat } from './compat.js'
import { resolvePath } from './context.js'
import type { EvalContext } from './eval-context.js'
import { Env, evalSql, readRefAt } from './evaluate.js'
import { assertTimeZone } from './time.js'
import { jsonToText, toJson } from './values.js'

async function evaluateFunction(n: FunctionNode, ctx: EvalContext): Promise<unknown> {
  const env = new Env(ctx, n.source, runLookup)
  try {
    return toJson(await evalSql(n.body, env))
  } catch (e) {
    if (isFerryError(e)) throw e
    throw toFerryError(e)
  }
}

/** Evaluate a parsed value against a context; the result is JSON-ready. */
export async function evaluateValueNode(n: ValueNode, ctx: EvalContext): Promise<unknown> {
  switch (n.kind) {
    case 'Literal':
      return n.text
    case 'Template': {
      if (n.single) {
        const v = readRefAt(n.parts[0] as RefNode, ctx, n.source)
        return v === undefined ? null : v
      }
      let s = ''
      for (const p of n.parts) s += typeof p === 'string' ? p : jsonToText(readRefAt(p, ctx, n.source))
      return s
    }
    case 'Function':
      return ctx.compat === true ? evaluateCompat(n, ctx, runLookup) : evaluateFunction(n, ctx)
    case 'Lookup':
      return runLookup(n, ctx)
    case 'ArrayKey': {
      const v = resolvePath(n.path, ctx)
      return v === undefined ? null : v
    }
  }
}

export function checkContext(ctx: EvalContext): void {
  assertTimeZone(ctx.tz)
}

const MAX_LOOKUP_ALTERNATIVES = 64

/** Run a lookup; no match (undefined/null) is null. */
export async function runLookup(n: LookupNode, ctx: EvalContext): Promise<unknown> {
  if (ctx.lookups === undefined) throw ExprNoLookupProvider([n.collection])
  if (!n.where.some((c) => c.anyOf !== undefined)) {
    const where: Record<string, unknown> = {}
    for (const c of n.where) where[c.key] = await evaluateValueNode(c.value, ctx)
    const found = await ctx.lookups.find({ collection: n.collection, field: n.field, where })
    return found === undefined ? null : found
  }
  // `key in (...)`: try each combination of alternatives in written order; the first match wins.
  let combos: Record<string, unknown>[] = [{}]
  for (const c of n.where) {
    const values: unknown[] = []
    for (const v of c.anyOf ?? [c.value]) values.push(await evaluateValueNode(v, ctx))
    combos = combos.flatMap((w) => values.map((v) => ({ ...w, [c.key]: v })))
    if (combos.length > MAX_LOOKUP_ALTERNATIVES)
      throw ExprEvaluation([
        `the in-lists of _findCollection … from ${n.collection} make more than ${MAX_LOOKUP_ALTERNATIVES} combinations`,
      ])
  }
  for (const [index, where] of combos.entries()) {
    const found = await ctx.lookups.find({
      collection: n.collection,
      field: n.field,
      where,
      attempt: { index, of: combos.length },
    })
    if (found !== undefined && found !== null && found !== '') return found
  }
  return null
}
