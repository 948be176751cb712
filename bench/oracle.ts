/**
 * The oracle: what the JDY book must hold after the backfill, computed from the generator's output
 * with plain loops, sharing nothing with the engine, the scheme evaluator or the connectors.
 * One bill per order whose status is the one the scheme queries, whose remark lacks 包材 and that
 * has a loss line (qty < 0); only loss lines, as absolute quantities; material, unit and store ids
 * from the JDY master data. An order touching a SKU without a JDY material is expected to be
 * parked with ERR_LOOKUP_MISSING instead.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { examplesDir } from '../src/cli/demo-command.js'
import type { Dataset } from '../simulators/data/index.js'
import type { ActualBill, BillLine } from './types.js'

export interface Oracle {
  readonly bills: ReadonlyMap<string, ActualBill>
  /** Order id → the SKUs without a material. */
  readonly parked: ReadonlyMap<string, readonly string[]>
  /** The same bills as raw payloads. */
  readonly payloads: readonly Record<string, unknown>[]
  /** Count orders the scheme's query returns (the server filters by its status): the source pages' content. */
  readonly sourceOrders: number
}

/** The status the scheme's count query asks for, read from the scheme file itself. */
export function schemeStatus(): string {
  const scheme = JSON.parse(readFileSync(join(examplesDir(), 'jst-count-to-jdy-check-loss.json'), 'utf8')) as {
    source: { metadata: { request: { field: string; value: unknown }[] } }
  }
  const field = scheme.source.metadata.request.find((r) => r.field === 'status')
  if (typeof field?.value !== 'string') throw new Error('the scheme request has no status value')
  return field.value
}

export function computeOracle(data: Dataset): Oracle {
  const status = schemeStatus()
  const materials = new Map(data.jdy.materials.map((m) => [m.number, m]))
  const stores = new Map(data.jdy.stores.map((s) => [s.number, s]))
  const bills = new Map<string, ActualBill>()
  const parked = new Map<string, string[]>()
  const payloads: Record<string, unknown>[] = []
  let sourceOrders = 0
  for (const o of data.jst.countOrders) {
    if (o.status === status) sourceOrders++
    if (o.status !== status || o.remark.includes('包材')) continue
    const loss = o.items.filter((i) => i.qty < 0)
    if (loss.length === 0) continue
    const no = String(o.io_id)
    const missing = loss.map((i) => i.sku_id).filter((sku) => !materials.has(sku))
    if (missing.length > 0) {
      parked.set(no, missing)
      continue
    }
    const storeId = stores.get(String(o.wms_co_id))?.id ?? '(no store)'
    const lines: BillLine[] = loss.map((i) => {
      const m = materials.get(i.sku_id)!
      return { material_id: m.id, unit_id: m.base_unit_id, stock_id: storeId, qty: String(Math.abs(i.qty)) }
    })
    // The connector sends remark unchanged (its remarkTag marker is opt-in).
    bills.set(no, {
      bill_no: no,
      bill_date: o.io_date.slice(0, 10),
      bill_status: 'C',
      remark: o.remark,
      material_entity: lines,
    })
    payloads.push({
      bill_no: no,
      bill_date: o.io_date.slice(0, 10),
      operation_key: 'audit',
      remark: o.remark,
      material_entity: lines.map((l) => ({
        material_id: l.material_id,
        qty: l.qty,
        unit_id: l.unit_id,
        stock_id: l.stock_id,
      })),
    })
  }
  return { bills, parked, payloads, sourceOrders }
}

export interface Verdict {
  readonly correct: boolean
  readonly expected_bills: number
  readonly actual_bills: number
  readonly missing: number
  readonly extra: number
  readonly different: number
  readonly parked_expected: number
  readonly parked_actual: number
  /** Records in `error` for any other reason than a missing material: failures surfaced to the user. */
  readonly failed_records: number
  readonly examples: readonly string[]
}

function same(a: ActualBill, b: ActualBill): boolean {
  if (
    a.bill_date !== b.bill_date ||
    a.remark !== b.remark ||
    a.bill_status !== b.bill_status ||
    a.material_entity.length !== b.material_entity.length
  )
    return false
  return a.material_entity.every((l, i) => {
    const m = b.material_entity[i]!
    return (
      l.material_id === m.material_id &&
      l.unit_id === m.unit_id &&
      l.stock_id === m.stock_id &&
      Number(l.qty) === Number(m.qty)
    )
  })
}

/**
 * Compare the book with the oracle; `ignore` skips the bill numbers the raw loop wrote. `partial`
 * (a run stopped at a time cap) accepts missing bills and a subset of the parked orders, but still
 * no wrong, extra or duplicate bill and no unexpected failure.
 */
export function judge(
  o: Oracle,
  actual: readonly ActualBill[],
  parked: readonly { id: string; code: string; message: string }[],
  ignore?: RegExp,
  partial = false,
): Verdict {
  const examples: string[] = []
  const seen = new Map<string, ActualBill>()
  let extra = 0
  for (const b of actual) {
    if (ignore?.test(b.bill_no) === true) continue
    if (seen.has(b.bill_no) || !o.bills.has(b.bill_no)) {
      extra++
      if (examples.length < 5) examples.push(`extra or duplicate bill ${b.bill_no}`)
    }
    seen.set(b.bill_no, b)
  }
  let missing = 0
  let different = 0
  for (const [no, want] of o.bills) {
    const got = seen.get(no)
    if (got === undefined) {
      missing++
      if (!partial && examples.length < 5) examples.push(`missing bill ${no}`)
      continue
    }
    if (!same(want, got)) {
      different++
      if (examples.length < 5) examples.push(`bill ${no} differs: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`)
    }
  }
  const lookup = parked.filter((p) => p.code === 'ERR_LOOKUP_MISSING')
  const failed = parked.length - lookup.length
  const parkedOk = (partial || lookup.length === o.parked.size) && lookup.every((p) => o.parked.has(p.id))
  if (!parkedOk) {
    examples.push(`parked ${lookup.length} orders, expected ${o.parked.size}`)
    for (const p of lookup.filter((x) => !o.parked.has(x.id)).slice(0, 3))
      examples.push(`unexpectedly parked ${p.id}: ${p.message}`)
  }
  if (failed > 0)
    examples.push(
      `${failed} records failed: ${parked
        .filter((p) => p.code !== 'ERR_LOOKUP_MISSING')
        .slice(0, 3)
        .map((p) => `${p.id} ${p.code}`)
        .join(', ')}`,
    )
  return {
    correct: (partial || missing === 0) && extra === 0 && different === 0 && parkedOk && failed === 0,
    expected_bills: o.bills.size,
    actual_bills: seen.size,
    missing,
    extra,
    different,
    parked_expected: o.parked.size,
    parked_actual: lookup.length,
    failed_records: failed,
    examples,
  }
}
