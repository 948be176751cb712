/**
 * `existingBills: bulk`, the migration mode: bills may already exist in the book because something
 * other than Ferry wrote them (the platform Ferry replaces, a hand import). Instead of a detail read
 * per bill, the book's check-loss bills of one bill date are read once with the list API (one call
 * per page of up to 100 bills) and a bill whose number matches is adopted, not saved again.
 *
 * The list's `start_bill_date`/`end_bill_date` filters are [I] in the spec: if the real server
 * ignored them the walk would read every bill of the book, which is slower but still correct, as
 * the match is on the exact number, client-side.
 */
import type { ConnectorLogger } from '../contract.js'
import type { JdyApi } from './api.js'
import { text } from './envelope.js'
import { readList } from './readers.js'

export interface ListedBill {
  readonly id: string
  readonly billNo: string
  readonly status?: string
  readonly row: Record<string, unknown>
}

const ALL_DATES = '*'

export class ExistingBills {
  /** Per bill date (or `*`): bill number → bill. A promise, so concurrent writes share one read. */
  private readonly byDate = new Map<string, Promise<Map<string, ListedBill>>>()
  /** Bills listed so far, by remark marker (only when a remark marker is configured). */
  private readonly byTag = new Map<string, ListedBill>()

  constructor(
    private readonly api: JdyApi,
    private readonly path: string,
    private readonly log: ConnectorLogger,
    private readonly tagOf?: (key: string) => string,
  ) {}

  /** The bill with this number (or remark marker) among the bills of `billDate`, if any. */
  async find(key: string, billDate: string | undefined, signal?: AbortSignal): Promise<ListedBill | undefined> {
    const bills = await this.load(billDate ?? ALL_DATES, signal)
    const hit = bills.get(key)
    if (hit !== undefined) return hit
    return this.tagOf === undefined ? undefined : this.byTag.get(this.tagOf(key))
  }

  /** A bill Ferry just saved joins the index, so a later record with the same number is adopted. */
  remember(billDate: string | undefined, bill: ListedBill): void {
    const loaded = this.byDate.get(billDate ?? ALL_DATES)
    if (loaded !== undefined)
      void loaded.then(
        (m) => m.set(bill.billNo, bill),
        () => undefined,
      )
  }

  private load(date: string, signal?: AbortSignal): Promise<Map<string, ListedBill>> {
    let p = this.byDate.get(date)
    if (p === undefined) {
      p = this.read(date, signal)
      this.byDate.set(date, p)
      // A failed read is not remembered: the next bill of that date reads again.
      p.catch(() => this.byDate.delete(date))
    }
    return p
  }

  private async read(date: string, signal?: AbortSignal): Promise<Map<string, ListedBill>> {
    const params = date === ALL_DATES ? {} : { start_bill_date: date, end_bill_date: date }
    const out = new Map<string, ListedBill>()
    let pages = 0
    for await (const page of readList(this.api, this.path, params, signal)) {
      pages++
      for (const row of page.rows) {
        const id = text(row.id)
        const billNo = text(row.bill_no)
        if (id === undefined || billNo === undefined) continue
        const status = text(row.bill_status)
        const bill: ListedBill = { id, billNo, row, ...(status === undefined ? {} : { status }) }
        out.set(billNo, bill)
        if (this.tagOf !== undefined) {
          const remark = text(row.remark) ?? ''
          const m = /\[ext:([^\]]+)\]/.exec(remark)
          if (m !== null) this.byTag.set(`[ext:${m[1]}]`, bill)
        }
      }
    }
    this.log.debug({ billDate: date, bills: out.size, pages }, 'jdy existing bills listed (existingBills: bulk)')
    return out
  }
}
