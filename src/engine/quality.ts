/**
 * Data-quality checks run on a mapped payload before the target is called, so a document the
 * target would reject (or, worse, accept wrongly) is parked with a message naming the problem.
 */
import type { FerryError } from '../core/errors.js'
import { LookupMissing, QuantityNotPositive, RequiredFieldMissing } from './errors.js'
import type { QualityRules, UnresolvedLookup } from './ports.js'
import { valuesAt } from '../quality/paths.js'

function isEmpty(v: unknown): boolean {
  return (
    v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
  )
}

function isPositive(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0
  if (typeof v === 'string' && /^\s*[+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v)) return Number(v) > 0
  if (v !== null && typeof v === 'object' && typeof (v as { isPositive?: unknown }).isPositive === 'function') {
    return (v as { isPositive(): boolean; isZero(): boolean }).isPositive() && !(v as { isZero(): boolean }).isZero()
  }
  return false
}

function describeWhere(where: Readonly<Record<string, unknown>>): string {
  return Object.entries(where)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ')
}

/** The first problem with an unresolved lookup, named as a person would say it. */
export function lookupError(u: UnresolvedLookup, titles: Readonly<Record<string, string>> = {}): FerryError {
  const what = titles[u.collection] ?? `record in collection ${u.collection}`
  return LookupMissing([what, describeWhere(u.where)], {
    ...(u.path === undefined ? {} : { location: u.path }),
    details: { collection: u.collection, field: u.field, where: { ...u.where } },
  })
}

/** Every problem found, in payload order; empty when the payload may be written. */
export function checkPayload(payload: Record<string, unknown>, rules: QualityRules): FerryError[] {
  const problems: FerryError[] = []
  for (const path of rules.required) {
    const found = valuesAt(payload, path)
    if (found.length === 0 && path.includes('[]')) {
      problems.push(RequiredFieldMissing([path.split('[]')[0] ?? path], { location: path.split('[]')[0] }))
      continue
    }
    for (const [p, v] of found) if (isEmpty(v)) problems.push(RequiredFieldMissing([p], { location: p }))
  }
  for (const path of rules.positive) {
    for (const [p, v] of valuesAt(payload, path)) {
      if (!isEmpty(v) && !isPositive(v))
        problems.push(QuantityNotPositive([p, JSON.stringify(v) ?? String(v)], { location: p }))
    }
  }
  return problems
}
