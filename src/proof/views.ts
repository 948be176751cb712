/**
 * Target views for reconciliation, one per target api that can list its documents. JDY
 * check-loss bills: detail by number (the connector's probe), the bill list filtered by bill
 * date, and a comparison of entries (decimal quantities per material/stock/unit), bill date and
 * remark (without the `[ext:<bill_no>]` tag the connector adds).
 */
import type { ConnectorRuntime, TargetRuntime } from '../connectors/contract.js'
import { compareLines, qtyOf as decimalOf } from '../connectors/kingdee-jdy/verify.js'
import { ReconcileListRunaway } from './errors.js'
import type { ReconcileTargetView } from './reconcile.js'

const JDY_BILL = 'kingdee-jdy /jdy/v2/scm/inv_check_loss_bill'
/**
 * The list reader walks page 1..total_page and drops rows it has seen, so a list announcing an
 * absurd total_page yields empty pages forever; this many in a row ends the walk with an error.
 */
export const MAX_EMPTY_PAGES = 3
const CHINA_OFFSET_MS = 8 * 3_600_000

/** `yyyy-MM-dd` in China time, the calendar JDY bill dates live in. */
export function chinaDate(d: Date): string {
  return new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10)
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined

/** Remark as Ferry sent it: the connector's `[ext:<key>]` handle is its own, not the scheme's. */
export function stripTag(remark: string, key: string): string {
  return remark.split(`[ext:${key}]`).join('').trim()
}

export function compareJdyBill(
  expected: Readonly<Record<string, unknown>>,
  stored: Readonly<Record<string, unknown>>,
  key: string,
): string[] {
  const out: string[] = []
  const date = text(expected.bill_date)
  if (date !== undefined && date !== text(stored.bill_date))
    out.push(`bill_date ${date} expected, target has ${text(stored.bill_date) ?? '(none)'}`)
  const remark = stripTag(text(expected.remark) ?? '', key)
  const have = stripTag(text(stored.remark) ?? '', key)
  if (remark !== have) out.push(`remark ${JSON.stringify(remark)} expected, target has ${JSON.stringify(have)}`)
  // With the bulk audit check a refused audit is only logged: the proof is where it stays visible.
  if (text(expected.operation_key) === 'audit' && text(stored.bill_status) === 'Z')
    out.push('bill_status Z (unaudited) but the payload asks for audit')
  const lines = compareLines(expected, stored)
  if (lines === undefined)
    out.push('entries cannot be compared (a line without material/stock/unit id or a non-numeric qty)')
  else {
    for (const d of lines) {
      out.push(`entry ${d.line}: qty ${d.sent ?? '(none)'} expected, target has ${d.stored ?? '(none)'}`)
    }
  }
  return out
}

/**
 * Generic comparison for targets without a dedicated view: every scalar field of the payload
 * must be equal in the stored document (numbers as decimals); arrays must have equal length and
 * equal elements in order.
 */
export function compareGeneric(expected: unknown, stored: unknown, path = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(stored)) return [`${path || '(root)'}: list expected, target has ${typeof stored}`]
    if (expected.length !== stored.length)
      return [`${path}: ${expected.length} entries expected, target has ${stored.length}`]
    return expected.flatMap((e, i) => compareGeneric(e, stored[i], `${path}[${i}]`))
  }
  if (expected !== null && typeof expected === 'object') {
    const s = (stored !== null && typeof stored === 'object' ? stored : {}) as Record<string, unknown>
    return Object.entries(expected as Record<string, unknown>).flatMap(([k, v]) =>
      compareGeneric(v, s[k], path === '' ? k : `${path}.${k}`),
    )
  }
  if (expected === undefined || expected === null) return []
  const a = decimalOf(expected)
  const b = decimalOf(stored)
  if (a !== undefined && b !== undefined)
    return a.equals(b) ? [] : [`${path}: ${a.toString()} expected, target has ${b.toString()}`]
  return text(expected) === text(stored)
    ? []
    : [`${path}: ${JSON.stringify(expected)} expected, target has ${JSON.stringify(stored) ?? '(none)'}`]
}

/** JDY check-loss bills: list by bill date (China calendar days touching the range), detail by number. */
export function jdyBillView(api: string, target: TargetRuntime, runtime: ConnectorRuntime): ReconcileTargetView {
  const lister = runtime.readers?.check_loss_bills
  if (lister === undefined) throw new TypeError('the kingdee-jdy runtime has no check_loss_bills reader')
  return {
    async get(key, signal) {
      const r = await target.probe(api, key, signal)
      return {
        exists: r.exists,
        ...(r.targetId === undefined ? {} : { targetId: r.targetId }),
        ...(r.document === undefined ? {} : { document: r.document }),
      }
    },
    async *list({ from, to }) {
      const params = {
        start_bill_date: chinaDate(from),
        end_bill_date: chinaDate(new Date(to.getTime() - 1)),
        page_size: 100,
      }
      let empty = 0
      for await (const page of lister(params)) {
        empty = page.rows.length === 0 && page.hasNext ? empty + 1 : 0
        if (empty >= MAX_EMPTY_PAGES) throw ReconcileListRunaway([api, empty])
        for (const row of page.rows) {
          const key = text(row.bill_no)
          if (key !== undefined) yield { key, ...(text(row.id) === undefined ? {} : { id: text(row.id)! }) }
        }
      }
    },
    compare: compareJdyBill,
  }
}

/** The view for a scheme's target, or undefined when Ferry cannot list that target's documents. */
export function targetViewFor(
  connector: string,
  api: string,
  target: TargetRuntime,
  runtime: ConnectorRuntime,
): ReconcileTargetView | undefined {
  if (`${connector} ${api}` === JDY_BILL) return jdyBillView(api, target, runtime)
  return undefined
}
