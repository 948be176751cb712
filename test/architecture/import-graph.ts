/**
 * The import graph of src/, read with TypeScript's own pre-processor (imports, `export … from`,
 * `import type`, dynamic `import('…')` with a literal): every relative import resolved to a file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export const ROOT = resolve(import.meta.dirname, '../..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(p)
    return /\.(ts|tsx)$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [p] : []
  })
}

function resolveImport(from: string, spec: string, known: ReadonlySet<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined
  const base = resolve(dirname(from), spec)
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, join(base, 'index.ts')]
  return candidates.find((c) => known.has(c))
}

/** File (relative to the repository) → the files it imports. */
export function importGraph(dir = join(ROOT, 'src')): Map<string, string[]> {
  const files = sourceFiles(dir)
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true)
    const to = info.importedFiles
      .map((i) => resolveImport(f, i.fileName, known))
      .filter((x): x is string => x !== undefined)
    graph.set(relative(ROOT, f), [...new Set(to.map((t) => relative(ROOT, t)))])
  }
  return graph
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const out: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        on.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return out
}

/** The top-level folder of src/ a file belongs to (`src/engine/adapters/x.ts` → `engine`). */
export function folderOf(file: string): string {
  return file.split('/')[1] ?? file
}

/** Folder → the other folders its files import, from a file graph. */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, Set<string>>()
  for (const [from, to] of graph) {
    const f = folderOf(from)
    const set = out.get(f) ?? new Set<string>()
    out.set(f, set)
    for (const t of to) if (folderOf(t) !== f) set.add(folderOf(t))
  }
  return new Map([...out].map(([f, s]) => [f, [...s].sort()]))
}

/** The file imports that close a folder cycle, `from -> to`, so a failure names what to move. */
export function folderCycleImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return cycles(folderGraph(graph)).flatMap((scc) =>
    [...graph].flatMap(([from, to]) =>
      to
        .filter((t) => folderOf(t) !== folderOf(from) && scc.includes(folderOf(from)) && scc.includes(folderOf(t)))
        .map((t) => `${from} -> ${t}`),
    ),
  )
}
