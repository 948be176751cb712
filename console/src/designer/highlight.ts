/**
 * Highlighting and completion of scheme values (templates, `_function`, `_findCollection`): a
 * small tokenizer for colours only; the server's parser decides what is valid.
 */
export type TokenKind = 'field' | 'kw' | 'fn' | 'str' | 'num' | 'text'
export interface Token {
  readonly kind: TokenKind
  readonly text: string
  readonly start: number
}

const TOKEN =
  /(\{\{[^}]*\}?\}?)|(_function|_findCollection|_endFind)\b|([A-Za-z_][A-Za-z0-9_]*)(?=\s*\()|('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?)|(\b\d+(?:\.\d+)?\b)/g

export function tokenize(text: string, isFunction: (name: string) => boolean): Token[] {
  const out: Token[] = []
  let last = 0
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start), start: last })
    const kind: TokenKind =
      m[1] !== undefined
        ? 'field'
        : m[2] !== undefined
          ? 'kw'
          : m[3] !== undefined
            ? isFunction(m[3])
              ? 'fn'
              : 'text'
            : m[4] !== undefined
              ? 'str'
              : 'num'
    out.push({ kind, text: m[0], start })
    last = start + m[0].length
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last), start: last })
  return out
}

export interface CompletionContext {
  readonly kind: 'field' | 'function'
  readonly prefix: string
  /** Where the replaced prefix starts. */
  readonly from: number
}

/** What may be completed at the caret: a field inside an open `{{`, or a function name in `_function`. */
export function completionAt(text: string, caret: number): CompletionContext | undefined {
  const before = text.slice(0, caret)
  const open = before.lastIndexOf('{{')
  if (open >= 0 && before.indexOf('}}', open) < 0) {
    const prefix = before.slice(open + 2)
    if (/^[\w.]*$/.test(prefix)) return { kind: 'field', prefix, from: open + 2 }
    return undefined
  }
  if (!/_function\b/.test(before)) return undefined
  const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)
  if (m === null || m[0].startsWith('_')) return undefined
  return { kind: 'function', prefix: m[0], from: caret - m[0].length }
}

/** The function name the caret is in or right after (`ROUND(|`, `RO|UND`), for its help. */
export function functionAt(text: string, caret: number, isFunction: (name: string) => boolean): string | undefined {
  const before = text.slice(0, caret)
  const word = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(before)?.[1] ?? ''
  const after = /^[A-Za-z0-9_]*/.exec(text.slice(caret))?.[0] ?? ''
  if (isFunction(word + after)) return (word + after).toUpperCase()
  // Inside the parentheses of a call: the nearest unclosed `NAME(`.
  let depth = 0
  for (let i = before.length - 1; i >= 0; i--) {
    const ch = before[i]
    if (ch === ')') depth++
    else if (ch === '(') {
      if (depth === 0) {
        const name = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(before.slice(0, i))?.[1]
        return name !== undefined && isFunction(name) ? name.toUpperCase() : undefined
      }
      depth--
    }
  }
  return undefined
}

/** `1:11` (line:column, 1-based) → offset in the text. */
export function offsetOf(text: string, location: string | undefined): number | undefined {
  const m = /(\d+):(\d+)$/.exec(location ?? '')
  if (m === null) return undefined
  const lines = text.split('\n')
  const line = Number(m[1]) - 1
  let off = 0
  for (let i = 0; i < line && i < lines.length; i++) off += (lines[i]?.length ?? 0) + 1
  return Math.min(text.length, off + Number(m[2]) - 1)
}
