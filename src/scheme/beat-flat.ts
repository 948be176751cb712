/**
 * `beatFlat` (拍扁多维数据, spec qeasy-metadata §3.6): one stored record per detail row.
 *
 * For each listed array the row's keys are copied onto the header with the array name as prefix
 * (`details_list.goods` → `details_list_goods`), the array itself is removed from the record, and
 * the record id (the field named by metadata `id`) gets a `-1`, `-2` … suffix. Several arrays
 * flatten one after the other (a cross product, suffixes appended in order). A document whose
 * array is missing or empty is kept as it is: flattening never loses a document.
 */
import { getKey, isPlainObject, setKey } from './path.js'
import type { AdapterMetadata } from './types.js'
import { toText } from './values.js'

export interface BeatFlatOptions {
  /** Header field holding the record id (metadata `id`); gets the row suffix. */
  readonly idField?: string
}

function flattenOne(doc: Record<string, unknown>, array: string, opts: BeatFlatOptions): Record<string, unknown>[] {
  const rows = getKey(doc, array)
  if (!Array.isArray(rows) || rows.length === 0) return [doc]
  return rows.map((row, i) => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(doc)) if (k !== array) setKey(out, k, v)
    if (isPlainObject(row)) {
      for (const [k, v] of Object.entries(row)) setKey(out, `${array}_${k}`, v)
    } else {
      setKey(out, array, row)
    }
    const idField = opts.idField
    if (idField !== undefined && idField !== '') {
      const id = getKey(doc, idField)
      if (id !== undefined && id !== null && id !== '') setKey(out, idField, `${toText(id)}-${i + 1}`)
    }
    return out
  })
}

/** Flatten one document over the listed detail arrays. */
export function beatFlat(
  doc: Record<string, unknown>,
  arrays: readonly string[],
  opts: BeatFlatOptions = {},
): Record<string, unknown>[] {
  let out = [doc]
  for (const array of arrays) out = out.flatMap((d) => flattenOne(d, array, opts))
  return out
}

/**
 * The arrays a source metadata flattens: the top-level `beatFlat` list plus an `otherRequest`
 * item `{"field": "beatFlat", "value": "a,b"}` (the placement S-DH documents), deduplicated.
 */
export function beatFlatArrays(meta: AdapterMetadata): string[] {
  const out: string[] = []
  const add = (s: string): void => {
    const t = s.trim()
    if (t !== '' && !out.includes(t)) out.push(t)
  }
  if (Array.isArray(meta.beatFlat)) for (const a of meta.beatFlat) if (typeof a === 'string') add(a)
  for (const item of meta.otherRequest ?? []) {
    if (item.field !== 'beatFlat') continue
    const v: unknown = item.value
    if (typeof v === 'string') v.split(',').forEach(add)
    else if (Array.isArray(v)) for (const a of v as unknown[]) if (typeof a === 'string') add(a)
  }
  return out
}
