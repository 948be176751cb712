/**
 * `_findCollection find <field> from <collection> where k=v [k2=v2 ...] [_endFind]`.
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
      throw where(`expected "${kw}" ${w.text === '' ? 'but the lookup ends' : `but found "${w.text}"`}; write _findCollection find <field> from <collection> where key=value`, w.at)
    }
  }
  expect('find')
  const field = word()
  if (!isPath(field.text)) throw where(`"${field.text}" is not a field name`, field.at)
  expect('from')
  const collection = word()
  if (collection.text === '' || !/^[\p{L}\p{N}_.:-]+$/u.test(collection.text)) throw where(`"${collection.text}" is not a collection id`, collection.at)
  expect('where')
  while (pos < end && /\s/.test(source[pos]!)) pos++
  let tail = end
  while (tail > pos && /\s/.test(source[tail - 1]!)) tail--
  if (source.slice(pos, tail).endsWith(LOOKUP_END)) {
    tail -= LOOKUP_END.length
    while (tail > pos && /\s/.test(source[tail - 1]!)) tail--
  }
  if (pos >= tail) throw where('the where clause is empty; write key={{path}}', pos)
  const conds: { key: string; value: TemplateNode | LiteralNode }[] = []
  const starts: number[] = [pos]
  const splitter = /\s+(?=[\p{L}\p{N}_.$-]+=)/gu
  splitter.lastIndex = pos
  const body = source.slice(0, tail)
  for (let m = splitter.exec(body); m !== null; m = splitter.exec(body)) starts.push(m.index + m[0].length)
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k]!
    let e = k + 1 < starts.length ? starts[k + 1]! : tail
    while (e > s && /\s/.test(source[e - 1]!)) e--
    const eq = source.indexOf('=', s)
    if (eq < 0 || eq >= e) throw where(`"${source.slice(s, e)}" is not key=value`, s)
    const key = source.slice(s, eq)
    if (!isPath(key)) throw where(`"${key}" is not a field name`, s)
    const parts = scanTemplate(source, eq + 1, e)
    const value = parts.some((p) => typeof p !== 'string')
      ? node<TemplateNode>({ kind: 'Template', parts: Object.freeze(parts), single: parts.length === 1, source })
      : node<LiteralNode>({ kind: 'Literal', text: parts.filter((p): p is string => typeof p === 'string').join('') })
    conds.push(Object.freeze({ key, value }))
  }
  return node({ kind: 'Lookup', field: field.text, collection: collection.text, where: Object.freeze(conds), at: start })
}
