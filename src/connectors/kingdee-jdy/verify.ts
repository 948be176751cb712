/**
 * Spec §4.6 step 2: a bill found by number is treated as already written, but its lines are
 * compared with what Ferry would have sent, so drift (an edited bill, a changed source record, a
 * number collision) is visible in the outcome instead of silently accepted. Quantities compare
 * as decimals, never as binary floats.
 */
import { Decimal } from 'decimal.js'
import { isRecord, text } from './envelope.js'

/** One line difference: the `material/stock/unit` key and the quantities on each side. */
export interface LineDifference {
  readonly line: string
  readonly sent?: string
  readonly stored?: string
}

/** A finite decimal from a JSON number or numeric text; anything else is undefined. */
export function qtyOf(v: unknown): Decimal | undefined {
  if (typeof v !== 'number' && typeof v !== 'string') return undefined
  try {
    const d = new Decimal(v)
    return d.isFinite() ? d : undefined
  } catch {
    return undefined
  }
}

/** Sum quantities per material/stock/unit (lines may legitimately be split or merged). */
function totals(lines: unknown): Map<string, Decimal> | undefined {
  if (!Array.isArray(lines)) return undefined
  const out = new Map<string, Decimal>()
  for (const l of lines) {
    if (!isRecord(l)) return undefined
    const key = [text(l.material_id), text(l.stock_id), text(l.unit_id)].map((x) => x ?? '?').join('/')
    const q = qtyOf(l.qty)
    if (q === undefined) return undefined
    out.set(key, (out.get(key) ?? new Decimal(0)).plus(q))
  }
  return out
}

/**
 * Differences between the payload's lines and the stored bill's lines; empty when they agree,
 * undefined when either side cannot be compared (e.g. lines sent by number instead of id).
 */
export function compareLines(
  payload: Readonly<Record<string, unknown>>,
  stored: Readonly<Record<string, unknown>>,
): LineDifference[] | undefined {
  const sent = totals(payload.material_entity)
  const have = totals(stored.material_entity)
  if (sent === undefined || have === undefined) return undefined
  if ([...sent.keys()].some((k) => k.includes('?'))) return undefined
  const diffs: LineDifference[] = []
  for (const key of new Set([...sent.keys(), ...have.keys()])) {
    const a = sent.get(key)
    const b = have.get(key)
    if (a !== undefined && b !== undefined && a.equals(b)) continue
    diffs.push({
      line: key,
      ...(a === undefined ? {} : { sent: a.toString() }),
      ...(b === undefined ? {} : { stored: b.toString() }),
    })
  }
  return diffs
}
