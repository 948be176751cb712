/**
 * The bills of every book by id, with an index by (book, bill_no) so a save's duplicate check and
 * a detail-by-number read do not scan every bill (three times per bill in a backfill).
 *
 * The index is kept by `set`/`delete`/`clear`, which every write of the store and of the admin
 * routes goes through. Callers may still rename a bill object in place (the chaos suite hides a
 * bill by renaming it and restores the name after a save), so a lookup re-checks each candidate
 * against the bill as it is now; a rename to a new number is found once the bill is `set` again.
 */
import type { StoredBill } from './types.js'

const key = (book: string, billNo: string): string => `${book}\u0001${billNo}`

export class BillMap extends Map<string, StoredBill> {
  #byNumber = new Map<string, StoredBill[]>()
  /** The number key each stored id was indexed under. */
  #indexedAs = new Map<string, string>()

  override set(id: string, bill: StoredBill): this {
    const prev = super.get(id)
    const k = key(bill.book, bill.bill_no)
    if (prev !== bill || this.#indexedAs.get(id) !== k) {
      if (prev !== undefined) this.#unindex(id, prev)
      const list = this.#byNumber.get(k)
      if (list === undefined) this.#byNumber.set(k, [bill])
      else if (!list.includes(bill)) list.push(bill)
      this.#indexedAs.set(id, k)
    }
    return super.set(id, bill)
  }

  override delete(id: string): boolean {
    const prev = super.get(id)
    if (prev !== undefined) this.#unindex(id, prev)
    return super.delete(id)
  }

  override clear(): void {
    this.#byNumber.clear()
    this.#indexedAs.clear()
    super.clear()
  }

  /** The first stored bill (in insertion order, as a scan would find it) with this number in this book. */
  byNumber(book: string, billNo: string): StoredBill | undefined {
    const list = this.#byNumber.get(key(book, billNo))
    if (list === undefined) return undefined
    const live = list.filter((b) => b.book === book && b.bill_no === billNo && super.get(b.id) === b)
    if (live.length <= 1) return live[0]
    for (const b of this.values()) if (live.includes(b)) return b
    return undefined
  }

  #unindex(id: string, bill: StoredBill): void {
    const k = this.#indexedAs.get(id)
    this.#indexedAs.delete(id)
    if (k === undefined) return
    const list = this.#byNumber.get(k)
    if (list === undefined) return
    const rest = list.filter((b) => b !== bill)
    if (rest.length === 0) this.#byNumber.delete(k)
    else this.#byNumber.set(k, rest)
  }
}
