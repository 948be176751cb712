import { afterEach, describe, expect, it } from 'vitest'
import { runScheme } from '../../src/engine/run.js'
import { actualBills, LOSS, oracle, runAll, world, type World } from './support.js'

const SAVE = '/jdy/v2/scm/inv_check_loss_bill'
const COUNT = '/open/inventory/count/query'

describe('count orders → check-loss bills against the simulators', () => {
  let w: World | undefined
  afterEach(async () => {
    await w?.close()
    w = undefined
  })

  it('writes exactly the oracle bills, parks the orders with missing materials, and a second run writes nothing new', async () => {
    // 2,000 orders over 30 days; at the vendors' real quotas (JDY ~500 calls/min) that takes many
    // minutes, so both simulators' quotas are scaled ×20 (their ratio kept) and Ferry's budgets with them.
    w = await world({ orders: 2000, days: 30, seed: 7, quotaScale: 20 })
    await runAll(w)
    const expected = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy)
    expect(expected.bills.size).toBeGreaterThan(20)
    const actual = actualBills(w.sandbox)
    expect([...actual.keys()].sort()).toEqual([...expected.bills.keys()].sort())
    for (const [no, bill] of expected.bills) expect(actual.get(no), `bill ${no}`).toEqual(bill)

    // Requests, as the simulators saw them: every count query within 7 days and for Confirmed orders.
    const queries = w.sandbox.jst.log.entries({ endpoint: COUNT, outcome: 'accepted' })
    expect(queries.length).toBeGreaterThan(0)
    for (const q of queries) {
      const biz = (typeof q.params.biz === 'string' ? JSON.parse(q.params.biz) : q.params) as Record<string, unknown>
      expect(biz.status).toBe('Confirmed')
    }
    const saves = () =>
      w!.sandbox.jdy.log
        .entries({ outcome: 'accepted' })
        .filter((e) => e.method === 'POST' && e.endpoint.includes(SAVE)).length
    const savedOnce = saves()
    expect(savedOnce).toBeGreaterThanOrEqual(expected.bills.size)

    // One call per bill: every bill-side JDY call (save, list, detail, common_operate) as the
    // simulator saw it, after the host closed (which runs the last bulk audit check).
    await w.reopen()
    const billCalls = w.sandbox.jdy.log.entries().filter((e) => /^\/jdy\/v2\/(scm|sys)\//.test(e.endpoint))
    const byKind = new Map<string, number>()
    for (const e of billCalls)
      byKind.set(
        `${e.method} ${e.endpoint} ${e.outcome}`,
        (byKind.get(`${e.method} ${e.endpoint} ${e.outcome}`) ?? 0) + 1,
      )
    console.log(
      `JDY bill-side calls: ${billCalls.length} for ${expected.bills.size} bills; ${JSON.stringify([...byKind])}`,
    )
    expect(billCalls.length / expected.bills.size).toBeLessThanOrEqual(1.02)
    expect(w.sandbox.jdy.bills.list().filter((b) => b.bill_status !== 'C')).toEqual([])

    const failed = (await w.host.ports.ledger.listRecords(LOSS, { status: 'error', limit: 1000 })).records
    expect(failed.map((r) => r.id).sort()).toEqual([...expected.parked.keys()].sort())
    for (const r of failed) {
      expect(r.lastError?.code).toBe('ERR_LOOKUP_MISSING')
      expect(expected.parked.get(r.id)?.some((sku) => r.lastError?.message.includes(sku))).toBe(true)
    }

    await runAll(w)
    expect(saves()).toBe(savedOnce)
    expect(w.sandbox.jdy.bills.list()).toHaveLength(expected.bills.size)
  }, 180_000)

  it('flags an order changed after it was written and does not rewrite it', async () => {
    w = await world({ orders: 60, days: 5, seed: 3 })
    await runAll(w)
    const [first] = w.sandbox.jdy.bills.list()
    expect(first).toBeDefined()
    const before = JSON.stringify(first)
    const io = Number(first!.bill_no)
    w.sandbox.jst.orders.update(io, (o) => {
      o.remark = `${o.remark} (edited)`
      o.modified = formatShanghai(Date.now() - 30 * 60_000)
    })
    await runScheme(w.host.deps, w.host.scheme(LOSS), {
      range: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) },
    })
    const rec = await w.host.ports.ledger.getRecord({ schemeId: LOSS, recordId: String(io) })
    expect(rec).toMatchObject({ status: 'done', changedAfterSync: true })
    expect(JSON.stringify(w.sandbox.jdy.bills.list().find((b) => b.bill_no === String(io)))).toBe(before)
  }, 120_000)

  it('writes the parked orders after the material is added, master data re-synced and failed records retried', async () => {
    w = await world({ orders: 200, days: 10, seed: 11 })
    await runAll(w)
    const expected = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy)
    expect(expected.parked.size).toBeGreaterThan(0)
    const md = w.sandbox.jdy.masterData
    const template = md.materials[0]!
    const added = new Set([...expected.parked.values()].flat())
    let n = 0
    for (const sku of added) md.materials.push({ ...template, id: `990000${++n}`, number: sku, name: `added ${sku}` })
    await runScheme(w.host.deps, w.host.scheme('jdy-materials'), { range: { from: new Date(0), to: new Date() } })
    const { requeued } = await w.host.ports.ledger.requeue(LOSS, { allFailed: true })
    expect(requeued.sort()).toEqual([...expected.parked.keys()].sort())
    await runScheme(w.host.deps, w.host.scheme(LOSS), { stages: ['target'] })
    for (const id of expected.parked.keys()) {
      const bill = w.sandbox.jdy.bills.list().find((b) => b.bill_no === id)
      expect(bill, `bill ${id}`).toBeDefined()
    }
    expect((await w.host.ports.ledger.listRecords(LOSS, { status: 'error' })).records).toHaveLength(0)
  }, 120_000)

  it('picks up, through omissionRemedy, an order that became visible late inside a closed window', async () => {
    w = await world({ orders: 60, days: 3, seed: 5 })
    await runAll(w)
    const sb = w.sandbox
    const bills = sb.jdy.bills.list().length
    const donor = sb.jst.orders
      .latest()
      .find(
        (o) =>
          o.status === 'Confirmed' &&
          o.items.some((i) => i.qty < 0) &&
          !o.remark.includes('包材') &&
          sb.jdy.bills.list().some((b) => b.bill_no === String(o.io_id)),
      )!
    // Modified two days ago (inside the closed window), but only visible now.
    const jst = sb.jst
    const late = { ...structuredClone(donor), io_id: 9_000_001, modified: formatShanghai(Date.now() - 2 * 86_400_000) }
    jst.orders.insert(late)
    const incremental = await runScheme(w.host.deps, w.host.scheme(LOSS))
    expect(incremental.counters.inserted).toBe(0)
    const remedy = await runScheme(w.host.deps, w.host.scheme(LOSS), { stages: ['remedy', 'target'] })
    expect(remedy.counters.inserted).toBe(1)
    expect(w.sandbox.jdy.bills.list().map((b) => b.bill_no)).toContain('9000001')
    expect(w.sandbox.jdy.bills.list()).toHaveLength(bills + 1)
    // A second remedy pass finds the same orders and writes nothing.
    await runScheme(w.host.deps, w.host.scheme(LOSS), { stages: ['remedy', 'target'] })
    expect(w.sandbox.jdy.bills.list()).toHaveLength(bills + 1)
  }, 120_000)
})

function formatShanghai(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000)
  return d.toISOString().slice(0, 19).replace('T', ' ')
}
