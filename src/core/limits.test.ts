import { describe, expect, it } from 'vitest'
import { depthProblem, MAX_JSON_DEPTH } from './limits.js'

function nested(depth: number, key: string | number): unknown {
  let v: unknown = { leaf: 1 }
  for (let i = 1; i < depth; i++) v = typeof key === 'number' ? [v] : { [key]: v }
  return v
}

describe('depthProblem', () => {
  it('accepts scalars and values exactly at the limit, objects and lists alike', () => {
    expect(depthProblem(42)).toBeUndefined()
    expect(depthProblem(null)).toBeUndefined()
    expect(depthProblem(nested(MAX_JSON_DEPTH, 'a'))).toBeUndefined()
    expect(depthProblem(nested(MAX_JSON_DEPTH, 0))).toBeUndefined()
  })

  it('reports the depth and a shortened path of the first value past the limit', () => {
    expect(depthProblem(nested(MAX_JSON_DEPTH + 1, 'a'))).toEqual({ path: 'a.a.a.a.a.a….a.a.a.a', depth: 101 })
    expect(depthProblem({ ok: [1, { x: 2 }], data: [nested(3, 'b')] }, 3)).toEqual({ path: 'data[0].b', depth: 4 })
  })

  it('measures a value nested a million deep without recursing', () => {
    expect(depthProblem(nested(1_000_000, 0))?.depth).toBe(101)
  })

  it('walks every branch: leaves beside containers, later siblings, keys named like prototype members', () => {
    const deepInLastSibling = { a: 1, b: { c: 'x' }, __proto__x: [null, 2, nested(5, 'd')] }
    expect(depthProblem(deepInLastSibling, 5)).toEqual({ path: '__proto__x[2].d.d.d', depth: 6 })
    expect(depthProblem(deepInLastSibling, 7)).toBeUndefined()
  })
})
