/**
 * A structural diff of two scheme documents, one entry per changed leaf (or per added/removed
 * subtree), with the JSON path validation uses (`target.metadata.request[2].value`). The console
 * shows it before a new version is saved; the API answers it between any two versions.
 */
import { join, isPlainObject } from './path.js'

export interface DiffEntry {
  readonly path: string
  readonly op: 'added' | 'removed' | 'changed'
  readonly before?: unknown
  readonly after?: unknown
}

function walk(path: string, a: unknown, b: unknown, out: DiffEntry[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length)
    for (let i = 0; i < n; i++) {
      if (i >= a.length) out.push({ path: join(path, i), op: 'added', after: b[i] })
      else if (i >= b.length) out.push({ path: join(path, i), op: 'removed', before: a[i] })
      else walk(join(path, i), a[i], b[i], out)
    }
    return
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of Object.keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) out.push({ path: join(path, k), op: 'removed', before: a[k] })
      else walk(join(path, k), a[k], b[k], out)
    }
    for (const k of Object.keys(b))
      if (!Object.prototype.hasOwnProperty.call(a, k)) out.push({ path: join(path, k), op: 'added', after: b[k] })
    return
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, op: 'changed', before: a, after: b })
}

/** What changed from `before` to `after`, in document order (keys of `before` first). */
export function diffSchemes(before: unknown, after: unknown): DiffEntry[] {
  const out: DiffEntry[] = []
  walk('', before, after, out)
  return out
}
