import { describe, expect, it } from 'vitest'
import { locateJsonError } from '../../src/scheme/json-locate.js'
import { parseSchemeText } from '../../src/scheme/load.js'

const syntaxAt = (text: string, format: 'json' | 'yaml' = 'json'): string | undefined => {
  try {
    parseSchemeText(text, format)
    return undefined
  } catch (e) {
    const err = e as { code: string; location: string; message: string }
    expect(err.code).toBe('ERR_SCHEME_SYNTAX')
    return `${err.location} ${err.message}`
  }
}

describe('JSON syntax errors carry line:column', () => {
  it.each([
    ['{"a":1', '1:7 JSON syntax error: unexpected end of input; a "{" is not closed'],
    ['[1,2,,]', '1:6 JSON syntax error: unexpected character ","; expected a value'],
    ['{\n "a": 1,\n "b": tru\n}', '3:7 JSON syntax error: unexpected character "t"; expected a value'],
    ['{\n "a": 1,\n}', '3:1 JSON syntax error: unexpected "}" after a comma (trailing comma?)'],
    ["{'a': 1}", '1:2 JSON syntax error: expected a double-quoted property name'],
    ['{"a": "x\n"}', '1:9 JSON syntax error: string not closed before the end of the line'],
    ['{"a":1}}', '1:8 JSON syntax error: unexpected text after the end of the document'],
    ['', '1:1 JSON syntax error: the document is empty'],
  ])('%j → %s', (text, expected) => {
    expect(syntaxAt(text)).toBe(expected)
  })

  it('agrees with JSON.parse on valid documents', () => {
    for (const t of [
      '{}',
      '[]',
      '0',
      '-1.5e3',
      '"\\u00e9\\n"',
      '{"a":[1,{"b":null}],"c":true}',
      ' \n{ "x" : [ ] } \n',
    ]) {
      expect(() => JSON.parse(t) as unknown).not.toThrow()
      expect(locateJsonError(t)).toBeUndefined()
    }
  })

  it('handles very deep nesting without recursion', () => {
    const deep = '['.repeat(200_000)
    expect(locateJsonError(deep)).toEqual({ offset: 200_000, reason: 'unexpected end of input; a "[" is not closed' })
  })

  it('skips a byte-order mark', () => {
    expect(parseSchemeText('\uFEFF{"a":1}', 'json')).toEqual({ a: 1 })
  })
})

describe('YAML', () => {
  it('reports a duplicate key with its position', () => {
    expect(syntaxAt('id: a\nname: b\nid: c\n', 'yaml')).toMatch(/^3:1 YAML syntax error: /)
  })

  it('refuses alias bombs', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n')
    expect(() => parseSchemeText(bomb, 'yaml')).toThrow(expect.objectContaining({ code: 'ERR_SCHEME_SYNTAX' }))
  })
})
