/** JSON-path building for error locations, and safe reads of dotted paths from records. */

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** Append a key or index to a JSON path: `a` + 0 → `a[0]`, `a` + `b` → `a.b`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  if (!IDENT.test(key)) return `${path}[${JSON.stringify(key)}]`
  return path === '' ? key : `${path}.${key}`
}

// Record data comes from vendor APIs; a key such as `__proto__` must read as plain data, never
// reach the prototype chain.
function own(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined
  return Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined
}

/**
 * Set a key on plain data as an own property. `obj[k] = v` with `k === '__proto__'` would set the
 * object's prototype instead and the key would vanish from the record, its hash and its payload.
 */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  else obj[key] = value
}

/** Read a dotted path (`a.b.c`) from plain data; own properties only. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj
  for (const part of path.split('.')) {
    cur = own(cur, part)
    if (cur === undefined) return undefined
  }
  return cur
}

export function getKey(obj: unknown, key: string): unknown {
  return own(obj, key)
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Short description of a value's JSON type for messages. */
export function describeType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${v.toString()}`
  return typeof v
}
