/**
 * Rules: no import cycle among the files of src/, and no file outside src/store/ imports a store
 * file other than its index (the store's one front door). Every import counts (`import type` and
 * `export … from` too): a cycle of types is still two files that cannot be understood apart.
 * Break one by moving the shared declaration into a file both import (expr/eval-context.ts), or
 * by naming what one side needs where it is used (engine/batch-writer.ts `BatchUnitWriter`).
 *
 * Nor is there a cycle between the top-level folders of src/. The layers, each importing only
 * those before it (docs/engine.md, "Layers"):
 *   core
 *   connectors, expr, sandbox, processors   (processors name their logger: processors/runner.ts)
 *   store → quality → scheme
 *   config      (its sections' shapes live here: config/queue.ts, config/alerts*.ts)
 *   engine      (and what both front ends read: engine/report.ts, engine/time-input.ts)
 *   alerts, metrics, proof → queue
 *   server → cli
 * A folder cycle is broken the same way as a file cycle: move the shared declaration down into
 * the folder it belongs to.
 */
import { describe, expect, it } from 'vitest'
import { cycles, folderCycleImports, folderGraph, importGraph } from './import-graph.js'

describe('import graph of src/', () => {
  it('has no import cycle between files', () => {
    const graph = importGraph()
    expect(graph.size).toBeGreaterThan(100)
    expect(cycles(graph)).toEqual([])
  })

  it('has no import cycle between the top-level folders of src/', () => {
    const graph = importGraph()
    expect(folderGraph(graph).size).toBeGreaterThan(10)
    expect(folderCycleImports(graph)).toEqual([])
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

  it('reports the imports that close a cycle between folders, though the files form none', () => {
    const graph = new Map([
      ['src/cli/run.ts', ['src/server/app.ts', 'src/core/x.ts']],
      ['src/server/app.ts', ['src/server/time.ts', 'src/core/x.ts']],
      ['src/server/time.ts', ['src/cli/parse.ts']],
      ['src/cli/parse.ts', ['src/core/x.ts']],
      ['src/core/x.ts', []],
    ])
    expect(cycles(graph)).toEqual([])
    expect(folderGraph(graph)).toEqual(
      new Map([
        ['cli', ['core', 'server']],
        ['server', ['cli', 'core']],
        ['core', []],
      ]),
    )
    expect(folderCycleImports(graph)).toEqual([
      'src/cli/run.ts -> src/server/app.ts',
      'src/server/time.ts -> src/cli/parse.ts',
    ])
  })
})
