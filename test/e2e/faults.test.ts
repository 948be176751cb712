import { afterEach, describe, expect, it } from 'vitest'
import { runScheme } from '../../src/engine/run.js'
import { actualBills, LOSS, oracle, world, type World } from './support.js'

const COUNT = '/open/inventory/count/query'
const SAVE = '/jdy/v2/scm/inv_check_loss_bill'

describe('faults against the simulators', () => {
  let w: World | undefined
  afterEach(async () => {
    await w?.close()
    w = undefined
  })

  it('does not advance the cursor past a window whose fetch fails, and converges on the next run', async () => {
    w = await world({ orders: 150, days: 20, seed: 9 })
    const start = w.config.schemes[0]!.start!
    for (const id of ['jdy-materials', 'jdy-stores']) await runScheme(w.host.deps, w.host.scheme(id))
    w.sandbox.jst.faults.set([{ endpoint: COUNT, when: { from: 2 }, fault: { kind: 'http_error', status: 502 } }])
    const failed = await runScheme(w.host.deps, w.host.scheme(LOSS))
    expect(failed.status).toBe('failed')
    expect(failed.windowsClosed).toBeLessThan(failed.windowsPlanned)
    const cursor = await w.host.ports.windows.lastSyncTime(LOSS, COUNT, start)
    // Only the first window was read; the cursor stops at its end, before the failed one.
    expect(w.sandbox.jst.log.entries({ endpoint: COUNT, outcome: 'accepted' }).length).toBeGreaterThan(0)
    expect(cursor!.getTime()).toBeGreaterThan(start.getTime())
    expect(cursor!.getTime()).toBeLessThan(start.getTime() + 20 * 86_400_000)

    w.sandbox.jst.faults.clear()
    const again = await runScheme(w.host.deps, w.host.scheme(LOSS))
    expect(again.status).toBe('ok')
    const expected = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy)
    expect([...actualBills(w.sandbox).keys()].sort()).toEqual([...expected.bills.keys()].sort())
    expect((await w.host.ports.windows.lastSyncTime(LOSS, COUNT, start))!.getTime()).toBeGreaterThan(cursor!.getTime())
  }, 180_000)

  it('probes instead of writing again when a save reached JDY but the answer was lost', async () => {
    w = await world({ orders: 80, days: 5, seed: 13 })
    // The first three saves are committed, then the connection drops before the answer.
    w.sandbox.jdy.faults.set([
      { endpoint: `POST ${SAVE}`, when: { calls: [1, 2, 3] }, fault: { kind: 'reset', afterCommit: true } },
    ])
    for (const id of ['jdy-materials', 'jdy-stores']) await runScheme(w.host.deps, w.host.scheme(id))
    const summary = await runScheme(w.host.deps, w.host.scheme(LOSS))
    // The lost answers were settled by probing JDY for the bill number, not by writing again.
    expect(summary.counters.probed).toBeGreaterThanOrEqual(3)
    expect(summary.counters.alreadyExisted).toBeGreaterThanOrEqual(3)
    const expected = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy)
    const actual = actualBills(w.sandbox)
    expect([...actual.keys()].sort()).toEqual([...expected.bills.keys()].sort())
    expect(w.sandbox.jdy.bills.list()).toHaveLength(expected.bills.size)
    const done = (await w.host.ports.ledger.listRecords(LOSS, { status: 'done', limit: 1000 })).records
    expect(done).toHaveLength(expected.bills.size)
    for (const r of done) expect(r.targetId).toBe(w.sandbox.jdy.bills.list().find((b) => b.bill_no === r.id)?.id)
  }, 120_000)
})
