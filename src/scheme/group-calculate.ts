/**
 * `groupCalculate` (数据聚合 / 分组合并运算, spec qeasy-metadata §4.4): merge flattened records into
 * documents before writing.
 *
 * Records with equal `headerGroup` values make one document; inside it, records with equal
 * `bodyGroup` values make one body row, collected under `bodyName`. `calculate` aggregates fields
 * per body row with MongoDB accumulator semantics ($sum ignores non-numbers, $avg/$min/$max ignore
 * nulls). As on the platform, fields neither grouped nor calculated are not carried over.
 * When a document has more than `bodyMaxLine` rows it is split into several documents.
 * Sums and averages are exact decimals (decimal.js).
 */
import { getPath, setKey } from './path.js'
import type { Accumulator, GroupCalculate } from './types.js'
import { Decimal, decimalToJson, toDecimal, toText } from './values.js'

export interface GroupedDocument {
  /** Stable key of the header group (JSON of the headerGroup values). */
  readonly key: string
  /** 1-based part number when bodyMaxLine split the group; 1 otherwise. */
  readonly part: number
  readonly parts: number
  /** Indices (in the input list) of the records merged into this document. */
  readonly sources: readonly number[]
  readonly document: Record<string, unknown>
}

interface BodyAcc {
  readonly row: Record<string, unknown>
  readonly values: Map<string, unknown[]>
  readonly sources: number[]
}

function groupKey(record: Record<string, unknown>, fields: readonly string[]): string {
  return JSON.stringify(fields.map((f) => getPath(record, f) ?? null))
}

/** The header group a record falls into (equal keys make one document), as `groupCalculate` keys it. */
export function headerGroupKey(record: Record<string, unknown>, spec: Pick<GroupCalculate, 'headerGroup'>): string {
  return groupKey(record, spec.headerGroup)
}

function ordered(values: unknown[]): unknown[] {
  return values.filter((v) => v !== null && v !== undefined)
}

function extreme(values: unknown[], sign: 1 | -1): unknown {
  const present = ordered(values)
  if (present.length === 0) return null
  const decimals = present.map(toDecimal)
  if (decimals.every((d) => d !== undefined)) {
    let best = 0
    decimals.forEach((d, i) => {
      if (d.cmp(decimals[best]!) === sign) best = i
    })
    return present[best]
  }
  return present.reduce((a, b) => {
    const [x, y] = [toText(b), toText(a)]
    return (x < y ? -1 : x > y ? 1 : 0) === sign ? b : a
  })
}

/** Apply one accumulator to the values of one field across the records of a body row. */
export function accumulate(op: Accumulator, values: unknown[]): unknown {
  switch (op) {
    case '$sum':
      return decimalToJson(
        values.map(toDecimal).reduce<Decimal>((s, d) => (d === undefined ? s : s.plus(d)), new Decimal(0)),
      )
    case '$avg': {
      const ds = values.map(toDecimal).filter((d): d is Decimal => d !== undefined)
      return ds.length === 0 ? null : decimalToJson(ds.reduce((s, d) => s.plus(d), new Decimal(0)).div(ds.length))
    }
    case '$min':
      return extreme(values, -1)
    case '$max':
      return extreme(values, 1)
    case '$push':
      return [...values]
    case '$addToSet': {
      const seen = new Set<string>()
      return values.filter((v) => {
        const k = JSON.stringify(v ?? null)
        if (seen.has(k)) return false
        seen.add(k)
        return true
      })
    }
    case '$first':
      return values[0] ?? null
    case '$last':
      return values[values.length - 1] ?? null
  }
}

/** Merge records per the spec; output order follows the first appearance of each group. */
export function groupCalculate(records: readonly Record<string, unknown>[], spec: GroupCalculate): GroupedDocument[] {
  const headers = new Map<string, { header: Record<string, unknown>; bodies: Map<string, BodyAcc> }>()
  const calcFields = Object.keys(spec.calculate)
  const bodyGroup = spec.bodyGroup ?? []
  records.forEach((record, index) => {
    const hk = groupKey(record, spec.headerGroup)
    let h = headers.get(hk)
    if (h === undefined) {
      const header: Record<string, unknown> = {}
      for (const f of spec.headerGroup) setKey(header, f, getPath(record, f) ?? null)
      h = { header, bodies: new Map() }
      headers.set(hk, h)
    }
    // Without bodyGroup every record is its own body row.
    const bk = bodyGroup.length === 0 ? `#${index}` : groupKey(record, bodyGroup)
    let b = h.bodies.get(bk)
    if (b === undefined) {
      const row: Record<string, unknown> = {}
      for (const f of bodyGroup) setKey(row, f, getPath(record, f) ?? null)
      b = { row, values: new Map(calcFields.map((f) => [f, []])), sources: [] }
      h.bodies.set(bk, b)
    }
    for (const f of calcFields) b.values.get(f)!.push(getPath(record, f))
    b.sources.push(index)
  })
  const out: GroupedDocument[] = []
  const max = typeof spec.bodyMaxLine === 'number' && spec.bodyMaxLine > 0 ? spec.bodyMaxLine : Infinity
  for (const [key, { header, bodies }] of headers) {
    const rows = [...bodies.values()].map((b) => {
      const row = { ...b.row }
      for (const f of calcFields) setKey(row, f, accumulate(spec.calculate[f]!, b.values.get(f)!))
      return { row, sources: b.sources }
    })
    const parts = Math.max(1, Math.ceil(rows.length / max))
    for (let p = 0; p < parts; p++) {
      const chunk = rows.slice(p * max, p * max + max)
      out.push({
        key,
        part: p + 1,
        parts,
        sources: chunk.flatMap((c) => c.sources).sort((a, b) => a - b),
        document: { ...header, [spec.bodyName]: chunk.map((c) => c.row) },
      })
    }
  }
  return out
}
