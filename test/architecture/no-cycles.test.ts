/**
 * Rules: no import cycle among the files of src/, and no file outside src/store/ imports a store
 * file other than its index (the store's one front door). Every import counts (`import type` and
 * `export … from` too): a cycle of types is still two files that cannot be understood apart.
 * Break one by moving the shared declaration into a file both import (expr/eval-context.ts), or
 * by naming what one side needs where it is used (engine/batch-writer.ts `BatchUnitWriter`).
 */
import { describe, expect, it } from 'vitest'
import { cycles, importGraph } from './import-graph.js'

describe('import graph of src/', () => {
  it('has no import cycle between files', () => {
    const graph = importGraph()
    expect(graph.size).toBeGreaterThan(100)
    expect(cycles(graph)).toEqual([])
  })

  it('enters the store only through its front door (src/store/index.ts)', () => {
    const deep = [...importGraph()].flatMap(([from, to]) =>
      from.startsWith('src/store/')
        ? []
        : to.filter((t) => t.startsWith('src/store/') && t !== 'src/store/index.ts').map((t) => `${from} -> ${t}`),
    )
    expect(deep).toEqual([])
  })

  it('reports a cycle when two files import each other, however far round', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ])
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']])
  })
})
