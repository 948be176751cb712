/**
 * SQL LIKE without regular expressions: a two-pointer matcher that backtracks only to the last
 * `%`, so hostile patterns such as `%a%a%a%…b` stay O(text × pattern) instead of exponential.
 * Case-insensitive, as under MySQL's default _ci collations.
 */
type Item = { wild: '%' | '_' } | { ch: string }

function compile(pattern: string, escape: string): Item[] {
  const cs = Array.from(pattern.toLowerCase())
  const esc = escape === '' ? undefined : Array.from(escape)[0]
  const out: Item[] = []
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    if (c === esc && i + 1 < cs.length) out.push({ ch: cs[++i]! })
    else if (c === '%' || c === '_') out.push({ wild: c })
    else out.push({ ch: c })
  }
  return out
}

export function likeMatch(text: string, pattern: string, escape = '\\'): boolean {
  const s = Array.from(text.toLowerCase())
  const p = compile(pattern, escape)
  let i = 0
  let j = 0
  let star = -1
  let mark = 0
  while (i < s.length) {
    const item = p[j]
    if (item !== undefined && ('ch' in item ? item.ch === s[i] : item.wild === '_')) {
      i++
      j++
    } else if (item !== undefined && 'wild' in item && item.wild === '%') {
      star = j++
      mark = i
    } else if (star >= 0) {
      j = star + 1
      i = ++mark
    } else return false
  }
  while (j < p.length && 'wild' in p[j]! && (p[j] as { wild: string }).wild === '%') j++
  return j === p.length
}
