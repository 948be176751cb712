/**
 * Compat mode: the platform's behaviour, for schemes that depend on it. Templates and embedded
 * lookups are spliced into the `_function` text as raw text, the result is parsed and evaluated,
 * and when that fails (syntax, evaluation, or a division by zero) the substituted text itself is
 * the value, as the platform returns it. Only opt in per scheme: a remark containing `'` changes
 * the expression here, and a broken expression silently writes text into the target.
 */
import type { FunctionNode } from './ast.js'
import { isFerryError } from '../core/errors.js'
import { readRef } from './context.js'
import { Env, evalSql, type LookupRunner } from './evaluate.js'
import type { EvalContext } from './eval-context.js'
import { LOOKUP_END, LOOKUP_PREFIX, parseLookup } from './lookup.js'
import { parseSql } from './parser.js'
import { scanTemplate } from './template.js'
import { jsonToText, toJson } from './values.js'

/** Errors that mean "this expression text does not evaluate" (the platform's raw-text case). */
const RAW_TEXT_CODES = new Set([
  'ERR_EXPR_SYNTAX',
  'ERR_EXPR_STATEMENT_NOT_ALLOWED',
  'ERR_EXPR_UNKNOWN_FUNCTION',
  'ERR_EXPR_ARITY',
  'ERR_EXPR_BARE_COLUMN',
  'ERR_EXPR_EVALUATION',
  'ERR_EXPR_BAD_LOOKUP',
  'ERR_EXPR_UNKNOWN_FILTER',
  'ERR_EXPR_TOO_LARGE',
])

async function substitute(source: string, ctx: EvalContext, runLookup: LookupRunner): Promise<string> {
  let text = ''
  let pos = 0
  const finder = new RegExp(`${LOOKUP_PREFIX}[\\s\\S]*?\\s${LOOKUP_END}(?![\\p{L}\\p{N}_])`, 'gu')
  for (let m = finder.exec(source); m !== null; m = finder.exec(source)) {
    text += source.slice(pos, m.index)
    text += jsonToText(await runLookup(parseLookup(source, m.index, m.index + m[0].length), ctx))
    pos = m.index + m[0].length
  }
  text += source.slice(pos)
  return scanTemplate(text)
    .map((p) => (typeof p === 'string' ? p : jsonToText(readRef(p, ctx))))
    .join('')
}

/** `runLookup` evaluates a `_findCollection` (evaluate-value.ts); passed in, so this file imports no entry. */
export async function evaluateCompat(n: FunctionNode, ctx: EvalContext, runLookup: LookupRunner): Promise<unknown> {
  const text = await substitute(n.source, ctx, runLookup)
  const env = new Env(ctx, text, runLookup)
  try {
    const result = await evalSql(parseSql(text, n.bodyAt), env)
    return env.divided && result === null ? text : toJson(result)
  } catch (e) {
    if (isFerryError(e) && RAW_TEXT_CODES.has(e.code)) return text
    throw e
  }
}
