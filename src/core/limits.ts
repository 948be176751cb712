/**
 * Shape limits for JSON that enters Ferry from outside: scheme files, vendor answers, source
 * records and record edits (docs/schemes.md, Limits). Every walker of such data (canonical
 * hashing, redaction, mapping) may then recurse without an input being able to exhaust the stack,
 * and the check itself is a loop, so it holds for any input.
 */

/** Deepest nesting of objects and arrays accepted anywhere (a top-level object is depth 1). */
export const MAX_JSON_DEPTH = 100

/** Largest vendor answer Ferry parses, in bytes of text. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024

/** Largest record payload a person may save with `ferry edit`, in bytes of JSON. */
export const MAX_EDIT_BYTES = 1024 * 1024

export interface ShapeProblem {
  /** JSON path of the first value past the limit (`source.metadata.x.a.a…`, shortened). */
  readonly path: string
  readonly depth: number
}

/**
 * The first place `value` nests deeper than `maxDepth`, or undefined when it fits. Iterative: a
 * value nested a million deep is measured, not recursed into.
 */
export function depthProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): ShapeProblem | undefined {
  if (value === null || typeof value !== 'object') return undefined
  // Frames keep their parent and key, so a path is only built for the one value reported.
  const frames: { parent: number; key: string | number; depth: number }[] = [{ parent: -1, key: '', depth: 1 }]
  // Parallel stacks, and no list of entries per container: every vendor answer passes through
  // here, a JST page of 50 orders among them, and its leaves need no allocation.
  const values: unknown[] = [value]
  const at: number[] = [0]
  const visit = (parent: number, depth: number, key: string | number, child: unknown): void => {
    if (child === null || typeof child !== 'object') return
    frames.push({ parent, key, depth })
    values.push(child)
    at.push(frames.length - 1)
  }
  while (values.length > 0) {
    const v = values.pop()!
    const i = at.pop()!
    const depth = frames[i]!.depth
    if (depth > maxDepth) return { path: pathOf(frames, i), depth }
    if (Array.isArray(v)) for (let k = 0; k < v.length; k++) visit(i, depth + 1, k, v[k])
    else for (const k of Object.keys(v)) visit(i, depth + 1, k, (v as Record<string, unknown>)[k])
  }
  return undefined
}

function pathOf(frames: readonly { parent: number; key: string | number }[], at: number): string {
  const keys: (string | number)[] = []
  for (let i = at; i > 0; i = frames[i]!.parent) keys.push(frames[i]!.key)
  keys.reverse()
  const shown = keys.length > 12 ? [...keys.slice(0, 6), '…', ...keys.slice(-4)] : keys
  return shown.map((k, i) => (typeof k === 'number' ? `[${k}]` : k === '…' ? '…' : i === 0 ? k : `.${k}`)).join('')
}
