/**
 * Tokens of the `_function` language (a MySQL expression subset). Templates are tokens, not text:
 * `{{remark}}` is one token whatever the remark holds, and inside quotes a template is a typed part
 * of the string literal, so record data can never change the shape of the expression.
 */
import type { LookupNode, RefNode } from './ast.js'
import { ExprBadLookup, ExprBareColumn, ExprStatementNotAllowed, ExprSyntax } from './errors.js'
import { LOOKUP_END, LOOKUP_PREFIX, parseLookup } from './lookup.js'
import { locate, parseRefInner, scanTemplate } from './template.js'

export type Token =
  | { readonly t: 'num'; readonly text: string; readonly approx: boolean; readonly at: number }
  | { readonly t: 'str'; readonly parts: readonly (string | RefNode)[]; readonly at: number }
  | { readonly t: 'ident'; readonly text: string; readonly upper: string; readonly at: number }
  | { readonly t: 'ref'; readonly ref: RefNode; readonly at: number }
  | { readonly t: 'lookup'; readonly lookup: LookupNode; readonly at: number }
  | { readonly t: 'op'; readonly text: string; readonly at: number }
  | { readonly t: 'eof'; readonly at: number }

const OPERATORS = [
  '<=>',
  '<>',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '(',
  ')',
  ',',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=',
  '<',
  '>',
  '!',
]

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' }

/** Tokenise `source[start, end)`. */
export function tokenize(source: string, start: number, end = source.length): Token[] {
  const out: Token[] = []
  const err = (msg: string, at: number): Error => ExprSyntax([msg], { location: locate(source, at) })
  let i = start
  while (i < end) {
    const c = source[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    const at = i
    if (c === ';') throw ExprStatementNotAllowed(['";"'], { location: locate(source, at) })
    if (c === '#' || source.startsWith('/*', i) || /^--(\s|$)/.test(source.slice(i, i + 3))) {
      throw ExprStatementNotAllowed(['a comment'], { location: locate(source, at) })
    }
    if (c === '{') {
      const double = source[i + 1] === '{'
      const close = source.indexOf(double ? '}}' : '}', i)
      const ref =
        close > 0 && close < end ? parseRefInner(source, source.slice(i + (double ? 2 : 1), close), i) : undefined
      if (ref === undefined) throw err(`"${c}" does not start a field reference; write {{path}}`, at)
      out.push({ t: 'ref', ref, at })
      i = close + (double ? 2 : 1)
      continue
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^(\d*\.?\d*)([eE][+-]?\d+)?/.exec(source.slice(i, end))!
      if (/^[\p{L}_]/u.test(source[i + m[0].length] ?? ''))
        throw err(`"${source.slice(i, i + m[0].length + 1)}…" is not a number`, at)
      out.push({ t: 'num', text: m[0], approx: m[2] !== undefined, at })
      i += m[0].length
      continue
    }
    if (c === "'" || c === '"') {
      let j = i + 1
      let closed = false
      let text = ''
      while (j < end) {
        const ch = source[j]!
        if (ch === c) {
          if (source[j + 1] === c) {
            text += c
            j += 2
            continue
          }
          closed = true
          break
        }
        if (ch === '\\' && j + 1 < end) {
          const nx = source[j + 1]!
          text += nx === '%' || nx === '_' ? `\\${nx}` : (ESCAPES[nx] ?? nx)
          j += 2
          continue
        }
        text += ch
        j++
      }
      if (!closed) throw err(`the string starting here is not closed with ${c}`, at)
      // Escapes shift offsets, so only a literal without escapes keeps exact template locations.
      const parts = text === source.slice(i + 1, j) ? scanTemplate(source, i + 1, j) : scanTemplate(text)
      const prev = out[out.length - 1]
      if (prev !== undefined && prev.t === 'str') {
        out[out.length - 1] = { t: 'str', parts: [...prev.parts, ...parts], at: prev.at }
      } else out.push({ t: 'str', parts, at })
      i = j + 1
      continue
    }
    if (c === '`') {
      const close = source.indexOf('`', i + 1)
      throw ExprBareColumn([source.slice(i + 1, close < 0 ? end : close)], { location: locate(source, at) })
    }
    if (/[\p{L}_$]/u.test(c)) {
      const m = /^[\p{L}\p{N}_$]+(?:\.[\p{L}_$][\p{L}\p{N}_$]*)*/u.exec(source.slice(i, end))!
      const text = m[0]
      if (text === LOOKUP_PREFIX) {
        const rest = source.slice(i, end)
        const endAt = rest.search(new RegExp(`\\s${LOOKUP_END}(?![\\p{L}\\p{N}_])`, 'u'))
        const prev = out[out.length - 1]
        const isArgument = prev?.t === 'op' && (prev.text === '(' || prev.text === ',')
        const implicit = endAt < 0 && isArgument ? implicitLookupEnd(source, i + text.length, end) : -1
        if (endAt < 0 && implicit < 0) {
          throw ExprBadLookup(
            [
              `a _findCollection inside _function must end with ${LOOKUP_END} (only a lookup that is a whole function argument may leave it out)`,
            ],
            { location: locate(source, at) },
          )
        }
        if (implicit >= 0) {
          out.push({ t: 'lookup', lookup: parseLookup(source, i, implicit), at })
          i = implicit
          continue
        }
        const stop = i + endAt + 1 + LOOKUP_END.length
        out.push({ t: 'lookup', lookup: parseLookup(source, i, stop), at })
        i = stop
        continue
      }
      out.push({ t: 'ident', text, upper: text.toUpperCase(), at })
      i += text.length
      continue
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i))
    if (op === undefined) {
      if (c === '@') throw err('variables (@name) are not supported; use {{path}} for record values', at)
      throw err(`unexpected character "${c}"`, at)
    }
    out.push({ t: 'op', text: op, at })
    i += op.length
  }
  out.push({ t: 'eof', at: end })
  return out
}

/**
 * Where a lookup without `_endFind` ends when it is a whole function argument
 * (`IFNULL(_findCollection … where k={{v}}, '0')`): at the first `,` or `)` outside quotes,
 * templates and parentheses of its own (an `in (…)` list). -1 when that is not unambiguous:
 * the text ends first, or another lookup starts inside.
 */
export function implicitLookupEnd(source: string, from: number, end: number): number {
  let depth = 0
  for (let i = from; i < end; i++) {
    const c = source[i]!
    if (c === "'" || c === '"') {
      const close = source.indexOf(c, i + 1)
      if (close < 0 || close >= end) return -1
      i = close
    } else if (c === '{') {
      const close = source.indexOf(source[i + 1] === '{' ? '}}' : '}', i)
      if (close < 0 || close >= end) return -1
      i = close + (source[i + 1] === '{' ? 1 : 0)
    } else if (c === '(') depth++
    else if (c === ')') {
      if (depth === 0) return i
      depth--
    } else if (c === ',' && depth === 0) return i
    else if (source.startsWith(LOOKUP_PREFIX, i)) return -1
  }
  return -1
}

/** Lookups in a `_function` value that rely on the implicit end (no `_endFind`). */
export function countImplicitLookupEnds(text: string): number {
  const count = (re: RegExp) => text.match(re)?.length ?? 0
  return Math.max(
    0,
    count(new RegExp(LOOKUP_PREFIX, 'g')) - count(new RegExp(`${LOOKUP_END}(?![\\p{L}\\p{N}_])`, 'gu')),
  )
}
