/**
 * Stable content hashes: the same JSON value hashes the same whatever its key order, so a source
 * record that a vendor returns with shuffled keys is not mistaken for a changed one.
 */
import { createHash } from 'node:crypto'
import { JsonTooDeep } from '../core/errors.js'
import { MAX_JSON_DEPTH } from '../core/limits.js'

/**
 * JSON text with object keys sorted at every level; `undefined` members are dropped as JSON does.
 * Every key is data, `__proto__` included. Throws ERR_JSON_TOO_DEEP past {@link MAX_JSON_DEPTH}
 * instead of running out of stack (the entry points reject such values earlier).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, 1)) ?? 'null'
}

function sortKeys(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value
  if (depth > MAX_JSON_DEPTH) throw JsonTooDeep(['a value to hash', MAX_JSON_DEPTH, ''])
  if (Array.isArray(value)) return value.map((v: unknown) => (v === undefined ? null : sortKeys(v, depth + 1)))
  const src = value as Record<string, unknown>
  // A null-prototype object: assigning `__proto__` on a plain {} would set its prototype and lose the key.
  const out = Object.create(null) as Record<string, unknown>
  for (const k of Object.keys(src).sort()) {
    if (src[k] !== undefined) out[k] = sortKeys(src[k], depth + 1)
  }
  return out
}

/** SHA-256 (hex) of {@link canonicalJson}. */
export function contentHash(value: unknown): string {
  return canonicalHash(canonicalJson(value))
}

/** {@link contentHash} of a value whose {@link canonicalJson} text the caller already has. */
export function canonicalHash(json: string): string {
  return createHash('sha256').update(json).digest('hex')
}
