/**
 * A LookupProvider over in-memory arrays of records, one array per collection. Used by
 * `ferry expr --lookup` and by tests; the store provides the persistent one.
 * Where-values match as text (`"1001"` matches `1001`), since the platform substitutes text and
 * spec 7.5 leaves typed matching open.
 */
import { walk } from './context.js'
import type { LookupProvider } from './index.js'

function asText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v)
  return v === null || v === undefined ? '' : JSON.stringify(v)
}

export function arrayLookupProvider(
  collections: Readonly<Record<string, readonly Record<string, unknown>[]>>,
): LookupProvider {
  return {
    find({ collection, field, where }) {
      const rows = Object.prototype.hasOwnProperty.call(collections, collection) ? collections[collection]! : []
      const hit = rows.find((r) => Object.entries(where).every(([k, v]) => asText(walk(r, k.split('.'))) === asText(v)))
      return Promise.resolve(hit === undefined ? undefined : walk(hit, field.split('.')))
    },
  }
}
