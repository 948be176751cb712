/**
 * `_findCollection find <field> from <collection> where k=v [k2=v2 | k in ('a','b') ...] [_endFind]`.
 * Where-values are templates; they end at the next space that is followed by `key=`, so a value
 * may itself contain spaces (the platform splits at every space; this is the lenient reading
 * spec 5.5 recommends).
 */
import { node, type LiteralNode, type LookupNode, type TemplateNode } from './ast.js'
import { ExprBadLookup } from './errors.js'
import { isPath, locate, scanTemplate } from './template.js'

export const LOOKUP_PREFIX = '_findCollection'
export const LOOKUP_END = '_endFind'

/** Parse `source[start, end)`, which begins with `_findCollection`. */
export function parseLookup(source: string, start: number, end: number): LookupNode {
  const where = (msg: string, at = start): Error => ExprBadLookup([msg], { location: locate(source, at) })
  let pos = start + LOOKUP_PREFIX.length
  const word = (): { text: string; at: number } => {
    while (pos < end && /\s/.test(source[pos]!)) pos++
    const at = pos
    while (pos < end && !/\s/.test(source[pos]!)) pos++
    return { text: source.slice(at, pos), at }
  }
  const expect = (kw: string): void => {
    const w = word()
    if (w.text.toLowerCase() !== kw) {
      throw where(
        `expected "${kw}" ${w.text === '' ? 'but the lookup ends' : `but found "${w.text}"`}; write _findCollection find <field> from <collection> where key=value`,
        w.at,
      )
    }
  }
  expect('find')
  const field = word()
  if (!isPath(field.text)) throw where(`"${field.text}" is not a field name`, field.at)
  expect('from')
  const collection = word()
  if (collection.text === '' || !/^[\p{L}\p{N}_.:-]+$/u.test(collection.text))
    throw where(`"${collection.text}" is not a collection id`, collection.at)
  expect('where')
  while (pos < end && /\s/.test(source[pos]!)) pos++
  let tail = end
  while (tail > pos && /\s/.test(source[tail - 1]!)) tail--
  if (source.slice(pos, tail).endsWith(LOOKUP_END)) {
    tail -= LOOKUP_END.length
    while (tail > pos && /\s/.test(source[tail - 1]!)) tail--
  }
  if (pos >= tail) throw where('the where clause is empty; write key={{path}}', pos)
  const conds: { key: string; value: TemplateNode | LiteralNode; anyOf?: readonly (TemplateNode | LiteralNode)[] }[] =
    []
  const starts: number[] = [pos]
  // A condition starts at a space followed by `key=` or `key in (`.
  const splitter = /\s+(?=[\p{L}\p{N}_.$-]+(?:=|\s+in\s*\())/giu
  splitter.lastIndex = pos
  const body = source.slice(0, tail)
  for (let m = splitter.exec(body); m !== null; m = splitter.exec(body)) {
    // A split inside an in-list's parentheses is not a new condition.
    const at = m.index + m[0].length
    const prevStart = starts[starts.length - 1]!
    const seg = source.slice(prevStart, m.index)
    if (depthOf(seg) > 0) continue
    starts.push(at)
  }
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k]!
    let e = k + 1 < starts.length ? starts[k + 1]! : tail
    while (e > s && /\s/.test(source[e - 1]!)) e--
    const inMatch = /^([\p{L}\p{N}_.$-]+)\s+in\s*\(/iu.exec(source.slice(s, e))
    if (inMatch !== null) {
      const key = inMatch[1]!
      if (!isPath(key)) throw where(`"${key}" is not a field name`, s)
      const open = s + inMatch[0].length
      if (source[e - 1] !== ')') throw where(`the list of "${key} in (" is not closed with ")"`, open - 1)
      const items = splitList(source, open, e - 1)
      if (items.length === 0) throw where(`"${key} in ()" lists no value; write ${key} in ('a','b')`, open)
      const anyOf = Object.freeze(items.map(([a, b]) => whereValue(source, a, b)))
      conds.push(Object.freeze({ key, value: anyOf[0]!, anyOf }))
      continue
    }
    const eq = source.indexOf('=', s)
    if (eq < 0 || eq >= e) throw where(`"${source.slice(s, e)}" is not key=value or key in ('a','b')`, s)
    const key = source.slice(s, eq)
    if (!isPath(key)) throw where(`"${key}" is not a field name`, s)
    conds.push(Object.freeze({ key, value: whereValue(source, eq + 1, e) }))
  }
  return node({
    kind: 'Lookup',
    field: field.text,
    collection: collection.text,
    where: Object.freeze(conds),
    at: start,
  })
}

/** Parenthesis depth at the end of `text`, ignoring quoted parts. */
function depthOf(text: string): number {
  let depth = 0
  let quote: string | undefined
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
      continue
    }
    if (ch === "'" || ch === '"') quote = ch
    else if (ch === '(') depth++
    else if (ch === ')') depth--
  }
  return depth
}

/** Comma-separated items of `source[start, end)`, commas inside quotes not counting; trimmed. */
function splitList(source: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = []
  let quote: string | undefined
  let from = start
  const push = (to: number) => {
    let a = from
    let b = to
    while (a < b && /\s/.test(source[a]!)) a++
    while (b > a && /\s/.test(source[b - 1]!)) b--
    if (b > a) out.push([a, b])
  }
  for (let i = start; i < end; i++) {
    const ch = source[i]!
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
      continue
    }
    if (ch === "'" || ch === '"') quote = ch
    else if (ch === ',') {
      push(i)
      from = i + 1
    }
  }
  push(end)
  return out
}

/**
 * One where-value: a template or literal text. A value written in quotes (`FStatus='A'`) is
 * compared without them: the platform's SQL-style quoting is not part of the stored value.
 */
function whereValue(source: string, start: number, end: number): TemplateNode | LiteralNode {
  const q = source[start]
  if ((q === "'" || q === '"') && end - start >= 2 && source[end - 1] === q) {
    start++
    end--
  }
  const parts = scanTemplate(source, start, end)
  return parts.some((p) => typeof p !== 'string')
    ? node<TemplateNode>({ kind: 'Template', parts: Object.freeze(parts), single: parts.length === 1, source })
    : node<LiteralNode>({ kind: 'Literal', text: parts.filter((p): p is string => typeof p === 'string').join('') })
}
