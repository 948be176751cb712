import { afterEach, describe, expect, it } from 'vitest'
import { runScheme } from '../../src/engine/run.js'
import { formatShanghai, parseShanghai } from '../../simulators/data/shanghai-time.js'
import { LOSS, world, type World } from './support.js'

const HOUR = 3_600_000

describe('an explicit --from/--to backfill', () => {
  let w: World | undefined
  afterEach(async () => {
    await w?.close()
    w = undefined
  })

  it('writes nothing modified outside its range though the window overlap re-reads it, and a later incremental run still writes it', async () => {
    w = await world({ orders: 40, days: 3, seed: 11 })
    const sb = w.sandbox
    for (const s of w.host.schemes) if (s.id !== LOSS) await runScheme(w.host.deps, s)
    const donor = sb.jst.orders
      .latest()
      .find(
        (o) =>
          o.status === 'Confirmed' &&
          o.items.some((i) => i.qty < 0) &&
          !o.remark.includes('包材') &&
          o.items.filter((i) => i.qty < 0).every((i) => sb.dataset.jdy.materials.some((m) => m.number === i.sku_id)),
      )!
    const firstModified = Math.min(...sb.jst.orders.latest().map((o) => parseShanghai(o.modified) ?? Infinity))
    const from = new Date(Math.ceil((firstModified + 24 * HOUR) / HOUR) * HOUR)
    const to = new Date(from.getTime() + 24 * HOUR)
    // Five minutes before --from: inside the 10-minute overlap the first window re-reads.
    sb.jst.orders.insert({
      ...structuredClone(donor),
      io_id: 9_100_001,
      modified: formatShanghai(from.getTime() - 5 * 60_000),
    })
    sb.jst.orders.insert({
      ...structuredClone(donor),
      io_id: 9_100_002,
      modified: formatShanghai(from.getTime() + 5 * 60_000),
    })

    const backfill = await runScheme(w.host.deps, w.host.scheme(LOSS), { range: { from, to } })
    expect(backfill.counters.outOfRange).toBeGreaterThan(0)
    const written = sb.jdy.bills.list().map((b) => b.bill_no)
    expect(written).toContain('9100002')
    expect(written).not.toContain('9100001')
    const modifiedOf = new Map(sb.jst.orders.latest().map((o) => [String(o.io_id), parseShanghai(o.modified)!]))
    const outside = written.filter((no) => {
      const t = modifiedOf.get(no)!
      return t < from.getTime() || t >= to.getTime()
    })
    expect(outside).toEqual([])
    expect(written.length).toBeGreaterThan(1)
    expect(await w.host.ports.ledger.getRecord({ schemeId: LOSS, recordId: '9100001' })).toBeUndefined()

    // The stretch before --from was not closed by the backfill, so the incremental run reads it.
    await runScheme(w.host.deps, w.host.scheme(LOSS))
    expect(sb.jdy.bills.list().map((b) => b.bill_no)).toContain('9100001')
    expect(sb.jdy.bills.list().filter((b) => b.bill_no === '9100002')).toHaveLength(1)
  }, 120_000)
})
