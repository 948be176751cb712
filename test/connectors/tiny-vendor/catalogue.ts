/** What the tiny vendor's error codes mean. */
import type { ErrorCatalogueEntry, WriteOutcome } from '../../../src/connectors/contract.js'

export const TINY_CATALOGUE: readonly ErrorCatalogueEntry[] = [
  { vendorCode: 'DUPLICATE', outcome: 'already_exists', ferryKind: 'data', meaning: 'The invoice number is taken.' },
  { vendorCode: 'INVALID', outcome: 'data', ferryKind: 'data', meaning: 'The invoice was refused.' },
]

/** One save answer (`{ok, id}` or `{ok: false, code, message}`) as a write outcome. */
export function outcomeOfSave(body: unknown): WriteOutcome {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  if (b.ok === true) return { kind: 'ok', targetId: String(b.id), response: b }
  const entry = TINY_CATALOGUE.find((e) => e.vendorCode === b.code)
  return {
    kind: entry?.outcome ?? 'unknown_outcome',
    message: typeof b.message === 'string' ? b.message : 'refused',
    response: b,
    ...(entry === undefined ? {} : { vendorCode: entry.vendorCode }),
  }
}
