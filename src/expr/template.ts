/**
 * Templates: `{{path}}`, `{{path|filter}}`, `{{VAR|filter}}` and the lenient single-brace
 * `{path}` that the platform's case-article renderer leaves behind. Also the shared location
 * helper (`line:column`) and the size limits.
 */
import { node, type RefNode } from './ast.js'
import { ExprSyntax, ExprTooLarge, ExprUnknownFilter } from './errors.js'

/** Longest value text accepted (characters). A real mapping value is a few hundred. */
export const MAX_VALUE_LENGTH = 65_536
/** Deepest nesting of parentheses / operators accepted. */
export const MAX_DEPTH = 128
/** Tallest expression tree accepted (operators chained or nested); keeps evaluation recursion bounded. */
export const MAX_TREE_HEIGHT = 256

export const FILTERS = ['datetime', 'date', 'timestamp', 'timestamp_ms'] as const
export type FilterName = (typeof FILTERS)[number]

/** 1-based `line:column` of an offset in a text. */
export function locate(text: string, offset: number): string {
  let line = 1
  let col = 1
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++
      col = 1
    } else col++
  }
  return `${line}:${col}`
}

export function checkSize(text: string): void {
  if (text.length > MAX_VALUE_LENGTH) {
    throw ExprTooLarge([`value is ${text.length} characters long; the limit is ${MAX_VALUE_LENGTH}`], {
      location: '1:1',
    })
  }
}

const SEGMENT = /^[\p{L}\p{N}_$-]+$/u
const PATH = /^[\p{L}\p{N}_$-]+(?:\.[\p{L}\p{N}_$-]+)*$/u

export function isPath(s: string): boolean {
  return PATH.test(s)
}

export function splitPath(s: string): string[] {
  return s.split('.').filter((seg) => SEGMENT.test(seg))
}

/**
 * Parse the inside of a reference (`items.qty|datetime`). Returns undefined when it is not a path,
 * so single-brace text that is not a reference stays literal. Accepts the markdown-damaged
 * `{{VAR datetime}}` (space instead of pipe).
 */
export function parseRefInner(source: string, inner: string, at: number): RefNode | undefined {
  const trimmed = inner.trim()
  const m = /^([^\s|]+)(?:\s*\|\s*([^\s|]*)|\s+([A-Za-z_]+))?$/u.exec(trimmed)
  if (m === null || !isPath(m[1]!)) return undefined
  const filterText = m[2] ?? m[3]
  let filter: FilterName | undefined
  if (filterText !== undefined) {
    const lower = filterText.toLowerCase()
    if (!(FILTERS as readonly string[]).includes(lower)) {
      if (m[3] !== undefined) return undefined
      throw ExprUnknownFilter([filterText], { location: locate(source, at) })
    }
    filter = lower as FilterName
  }
  return node({ kind: 'Ref', path: Object.freeze(m[1]!.split('.')), filter, at })
}

/**
 * Split `text[start, end)` into literal text and references. `{{…}}` that is not a reference is
 * an error (it was meant as one); `{…}` that is not a reference is kept as text (JSON, prose).
 */
export function scanTemplate(source: string, start = 0, end = source.length): (string | RefNode)[] {
  const parts: (string | RefNode)[] = []
  let text = ''
  let i = start
  while (i < end) {
    const c = source[i]
    if (c === '{' && source[i + 1] === '{') {
      const close = source.indexOf('}}', i + 2)
      if (close < 0 || close + 2 > end)
        throw ExprSyntax(['"{{" is not closed by "}}"'], { location: locate(source, i) })
      const ref = parseRefInner(source, source.slice(i + 2, close), i)
      if (ref === undefined) {
        throw ExprSyntax(
          [`"${source.slice(i, close + 2)}" is not a field reference; write {{path}} or {{path|filter}}`],
          { location: locate(source, i) },
        )
      }
      if (text !== '') parts.push(text)
      text = ''
      parts.push(ref)
      i = close + 2
      continue
    }
    if (c === '{') {
      const close = source.indexOf('}', i + 1)
      const ref =
        close > 0 && close < end && source[close + 1] !== '}'
          ? parseRefInner(source, source.slice(i + 1, close), i)
          : undefined
      if (ref !== undefined) {
        if (text !== '') parts.push(text)
        text = ''
        parts.push(ref)
        i = close + 1
        continue
      }
    }
    text += c
    i++
  }
  if (text !== '') parts.push(text)
  return parts
}
