/**
 * Classification of a mapping value (spec 5.1, in this order): `_function`, `_findCollection`,
 * bare array key (only for target array/object fields), template, literal. Parsing is pure and
 * results are frozen, so they are cached by text: the engine can call `parseValue` per record
 * and pay for the parse once per scheme.
 */
import { node, type ValueNode } from './ast.js'
import { ExprSyntax } from './errors.js'
import { LOOKUP_PREFIX, parseLookup } from './lookup.js'
import { parseSql } from './parser.js'
import { checkSize, isPath, locate, scanTemplate } from './template.js'

export const FUNCTION_PREFIX = '_function'

export interface ParseOptions {
  /** The target field is `type: "array"` or `"object"`: a bare identifier names the source array. */
  readonly arrayField?: boolean
}

const CACHE_LIMIT = 5000
const cache = new Map<string, ValueNode>()

function classify(text: string, opts: ParseOptions): ValueNode {
  checkSize(text)
  if (text.startsWith(FUNCTION_PREFIX)) {
    const bodyAt = FUNCTION_PREFIX.length
    if (text.slice(bodyAt).trim() === '')
      throw ExprSyntax(['_function has no expression after it'], { location: locate(text, bodyAt) })
    return node({ kind: 'Function', body: parseSql(text, bodyAt), source: text, bodyAt })
  }
  if (text.startsWith(LOOKUP_PREFIX)) return parseLookup(text, 0, text.length)
  if (opts.arrayField === true && isPath(text.trim()))
    return node({ kind: 'ArrayKey', path: Object.freeze(text.trim().split('.')) })
  const parts = scanTemplate(text)
  if (!parts.some((p) => typeof p !== 'string')) return node({ kind: 'Literal', text })
  return node({ kind: 'Template', parts: Object.freeze(parts), single: parts.length === 1, source: text })
}

/**
 * Parse one mapping value. Throws a FerryError of kind `config` whose location is `line:column`
 * inside the value. Results are cached and immutable.
 */
export function parseValue(text: string, opts: ParseOptions = {}): ValueNode {
  if (typeof text !== 'string')
    throw ExprSyntax([`a value expression must be text, got ${text === null ? 'null' : typeof text}`], {
      location: '1:1',
    })
  const key = (opts.arrayField === true ? 'a' : 'v') + text
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const parsed = classify(text, opts)
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(key, parsed)
  return parsed
}
