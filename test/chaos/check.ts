/**
 * The pass criterion of one chaos seed, judged after the engine went quiet:
 * 1. the JDY simulator's bills equal the independent oracle (test/e2e/support.ts) exactly:
 *    no missing, no duplicate (two bills with one number), no extra, no mismatched bill;
 * 2. `verify` (src/proof) finds no ledger-invariant violation and no disagreement between the
 *    ledger and the target; the only parked records it reports are those the oracle parks;
 * 3. `reconcile` (src/proof) over the whole data range reports nothing;
 * 4. the ledger agrees with the target: every oracle bill's record is done/duplicate and points at
 *    that bill's id; every record the oracle parks is parked (status error).
 * Each failure is one line naming the key, so a failing seed says what went wrong.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Host } from '../../src/engine/host.js'
import { reconcileScheme, verifyScheme } from '../../src/proof/run.js'
import type { Sandbox } from '../../simulators/sandbox.js'
import { actualBills, LOSS, oracle } from '../e2e/support.js'

export interface Verdict {
  readonly problems: string[]
  readonly expectedBills: number
  readonly bills: number
  readonly duplicates: number
}

export async function judge(sb: Sandbox, host: Host, start: Date): Promise<Verdict> {
  const problems: string[] = []
  const expected = oracle(sb.jst.orders.latest(), sb.dataset.jdy)
  const stored = sb.jdy.bills.list()

  // 1. Target versus oracle.
  const perNumber = new Map<string, number>()
  for (const b of stored) perNumber.set(b.bill_no, (perNumber.get(b.bill_no) ?? 0) + 1)
  let duplicates = 0
  for (const [no, n] of perNumber)
    if (n > 1) {
      duplicates += n - 1
      problems.push(`duplicate: bill ${no} is in JDY ${n} times`)
    }
  const actual = actualBills(sb)
  for (const [no, bill] of expected.bills) {
    const got = actual.get(no)
    if (got === undefined) problems.push(`missing: bill ${no} is not in JDY`)
    else if (!isDeepStrictEqual(got, bill))
      problems.push(`mismatched: bill ${no} differs from the oracle: ${JSON.stringify(got)} vs ${JSON.stringify(bill)}`)
  }
  for (const no of actual.keys())
    if (!expected.bills.has(no)) problems.push(`extra: bill ${no} is in JDY but not in the oracle`)

  // 2. Ledger invariants and the ledger against the target. Records the oracle parks (missing
  // material) are parked by design: verify reports them (they wait for a person), the check expects them.
  const v = await verifyScheme(host, LOSS)
  for (const x of v.violations) {
    if (x.code === 'ERR_VERIFY_PARKED' && x.recordId !== undefined && expected.parked.has(x.recordId)) continue
    problems.push(`verify: ${x.code} ${x.recordId ?? '-'} ${x.message}`)
  }
  if (v.target === undefined) problems.push('verify: the ledger was not checked against the target')

  // 3. Reconcile the whole range the source stage has closed.
  const scheme = host.scheme(LOSS)
  const cursor = await host.ports.windows.lastSyncTime(scheme.id, scheme.source.api, start)
  if (cursor === undefined || cursor <= start)
    problems.push(`cursor: the source stage closed nothing (cursor ${cursor?.toISOString() ?? 'none'})`)
  else {
    const r = await reconcileScheme(host, LOSS, { from: start, to: cursor })
    for (const f of r.report.findings) problems.push(`reconcile: ${f.kind} ${f.key} ${f.reason}`)
  }

  // 4. Ledger versus target.
  const ids = new Map(stored.map((b) => [b.id, b.bill_no]))
  const seen = new Set<string>()
  for await (const r of host.store.ledger.iterateRecords(LOSS)) {
    seen.add(r.id)
    if (expected.bills.has(r.id)) {
      if (r.status !== 'done' && r.status !== 'duplicate')
        problems.push(
          `ledger: record ${r.id} is ${r.status} (${r.lastError?.code ?? '-'} ${r.lastError?.message ?? ''}) but its bill should be written`,
        )
      else if (r.targetId === null || ids.get(r.targetId) !== r.id)
        problems.push(`ledger: record ${r.id} points at ${r.targetId ?? 'nothing'}, not at bill ${r.id}`)
    } else if (expected.parked.has(r.id) && r.status !== 'error') {
      problems.push(`ledger: record ${r.id} should be parked (missing material) but is ${r.status}`)
    }
  }
  for (const no of expected.bills.keys()) if (!seen.has(no)) problems.push(`ledger: no record for source order ${no}`)
  return { problems, expectedBills: expected.bills.size, bills: stored.length, duplicates }
}
