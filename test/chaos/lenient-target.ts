/**
 * A target without a uniqueness net: the JDY simulator (in this process) is patched so a save
 * with a bill_no that already exists is stored as a second bill instead of being refused.
 *
 * Real JDY refuses a duplicate bill_no, which hides a broken engine (the connector's optional
 * pre-check, `existingBills: each`, would too; it is off by default). Many targets (and JDY books whose numbering rule ignores
 * the client's number) do neither, and then the probe-before-retry is the only thing that keeps
 * a document from being written twice. The chaos suite runs against this target too, so its
 * pass criterion really depends on the probe. Detail by number still answers the first bill.
 */
import type { JdySimulator } from '../../simulators/kingdee-jdy/index.js'

export function allowDuplicateBillNumbers(sim: JdySimulator): void {
  const store = sim.bills
  const original = store.save.bind(store)
  store.save = (book, body, md) => {
    const wanted = typeof body === 'object' && body !== null ? (body as { bill_no?: unknown }).bill_no : undefined
    const hidden =
      typeof wanted === 'string' && wanted !== '' ? store.list(book).filter((b) => b.bill_no === wanted) : []
    for (const b of hidden) b.bill_no = `${b.bill_no}\u0000hidden`
    try {
      return original(book, body, md)
    } finally {
      for (const b of hidden) b.bill_no = wanted as string
    }
  }
}
