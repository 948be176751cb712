/**
 * What a batchSave answer means (金蝶云星空's shape: `Result.ResponseStatus.SuccessEntitys[]` /
 * `Errors[]`, each with the row's `DIndex`): one outcome per row of the call.
 */
import type { ErrorCatalogueEntry, WriteOutcome } from '../contract.js'

export const BATCH_HTTP_CATALOGUE: readonly ErrorCatalogueEntry[] = [
  {
    vendorCode: 'DUPLICATE',
    outcome: 'already_exists',
    ferryKind: 'data',
    meaning: 'A document with this number already exists.',
  },
  { vendorCode: 'INVALID', outcome: 'data', ferryKind: 'data', meaning: 'The row was refused (validation).' },
]

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)

/** Per-row outcomes from a batchSave answer; rows it does not mention are unknown. */
export function settleBatchAnswer(body: unknown, count: number): WriteOutcome[] {
  const status =
    isObj(body) && isObj(body.Result) && isObj(body.Result.ResponseStatus) ? body.Result.ResponseStatus : undefined
  const out: WriteOutcome[] = Array.from({ length: count }, () => ({
    kind: 'unknown_outcome',
    message: 'the batch answer does not mention this row',
  }))
  if (status === undefined)
    return out.map(() => ({ kind: 'unknown_outcome', message: 'the batch answer has no Result.ResponseStatus' }))
  for (const s of Array.isArray(status.SuccessEntitys) ? status.SuccessEntitys : []) {
    const i = isObj(s) ? Number(s.DIndex) : NaN
    if (Number.isInteger(i) && i >= 0 && i < count && isObj(s))
      out[i] = { kind: 'ok', ...(text(s.Id) === undefined ? {} : { targetId: text(s.Id) }), response: s }
  }
  for (const e of Array.isArray(status.Errors) ? status.Errors : []) {
    const i = isObj(e) ? Number(e.DIndex) : NaN
    if (!Number.isInteger(i) || i < 0 || i >= count || !isObj(e)) continue
    const message = text(e.Message) ?? 'rejected'
    const code = text(e.ErrorCode)
    const entry = BATCH_HTTP_CATALOGUE.find((c) => c.vendorCode === code)
    out[i] =
      entry?.outcome === 'already_exists'
        ? { kind: 'already_exists', message, response: e, vendorCode: entry.vendorCode }
        : { kind: 'data', message, response: e, ...(code === undefined ? {} : { vendorCode: code }) }
  }
  return out
}
