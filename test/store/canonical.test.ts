import { describe, expect, it } from 'vitest'
import { canonicalJson, contentHash } from '../../src/store/canonical.js'

describe('canonical content hash', () => {
  it('ignores key order at every level', () => {
    expect(contentHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      contentHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    )
  })

  it('sees a change in a nested value, in array order and in type', () => {
    const base = contentHash({ items: [{ qty: -1 }, { qty: -2 }] })
    expect(contentHash({ items: [{ qty: -2 }, { qty: -1 }] })).not.toBe(base)
    expect(contentHash({ items: [{ qty: '-1' }, { qty: -2 }] })).not.toBe(base)
  })

  it('drops undefined members as JSON does', () => {
    expect(canonicalJson({ b: undefined, a: [undefined] })).toBe('{"a":[null]}')
  })

  it('keeps a key named __proto__ as data in the text and the hash', () => {
    const withKey = JSON.parse('{"a":1,"__proto__":{"x":2}}') as unknown
    expect(canonicalJson(withKey)).toBe('{"__proto__":{"x":2},"a":1}')
    expect(contentHash(withKey)).not.toBe(contentHash({ a: 1 }))
  })

  it('refuses a value nested past the limit with ERR_JSON_TOO_DEEP instead of overflowing the stack', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    expect(() => canonicalJson(deep)).toThrow(expect.objectContaining({ code: 'ERR_JSON_TOO_DEEP' }) as Error)
  })
})
