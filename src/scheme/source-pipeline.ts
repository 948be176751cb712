/**
 * What the source side does to fetched documents before they are stored (spec §2): the
 * condition filter, then beatFlat. Pure; the engine and `ferry filter` share it.
 */
import { beatFlat, beatFlatArrays } from './beat-flat.js'
import { applyCondition } from './condition.js'
import type { AdapterMetadata } from './types.js'

export interface SourcePipelineOptions {
  /** Zone of wall-clock dates in the documents (the scheme's `schedule.timezone`). */
  readonly tz: string
}

/** Filter documents with `condition`, then flatten with `beatFlat`; the input is not modified. */
export function applySourcePipeline(
  meta: AdapterMetadata,
  docs: readonly Record<string, unknown>[],
  opts: SourcePipelineOptions,
): Record<string, unknown>[] {
  const arrays = beatFlatArrays(meta)
  const out: Record<string, unknown>[] = []
  for (const doc of docs) {
    const kept = applyCondition(doc, meta.condition, opts)
    if (kept === undefined) continue
    out.push(...(arrays.length === 0 ? [kept] : beatFlat(kept, arrays, { idField: meta.id })))
  }
  return out
}
