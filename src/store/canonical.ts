/**
 * Stable content hashes: the same JSON value hashes the same whatever its key order, so a source
 * record that a vendor returns with shuffled keys is not mistaken for a changed one.
 */
import { createHash } from 'node:crypto'

/** JSON text with object keys sorted at every level; `undefined` members are dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null'
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => (v === undefined ? null : sortKeys(v)))
  if (value === null || typeof value !== 'object') return value
  const src = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(src).sort()) {
    if (src[k] !== undefined) out[k] = sortKeys(src[k])
  }
  return out
}

/** SHA-256 (hex) of {@link canonicalJson}. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex')
}
