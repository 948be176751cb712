/** Payload paths shared by the engine's built-in checks and the scheme's quality rules. */

/** Values at a path; `a[].b` walks every element of array `a`. Returns [concretePath, value] pairs. */
export function valuesAt(doc: unknown, path: string): [string, unknown][] {
  const parts = path.split('.')
  let current: [string, unknown][] = [['', doc]]
  for (const part of parts) {
    const walk = part.endsWith('[]')
    const key = walk ? part.slice(0, -2) : part
    const next: [string, unknown][] = []
    for (const [p, v] of current) {
      const child =
        v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, key)
          ? (v as Record<string, unknown>)[key]
          : undefined
      const here = p === '' ? key : `${p}.${key}`
      if (!walk) {
        next.push([here, child])
        continue
      }
      if (Array.isArray(child)) child.forEach((el, i) => next.push([`${here}[${i}]`, el]))
    }
    current = next
  }
  return current
}
