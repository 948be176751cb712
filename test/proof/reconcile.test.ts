import { afterEach, describe, expect, it, vi } from 'vitest'
import { Command } from 'commander'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { registerProofCommands } from '../../src/cli/proof-commands.js'
import { reconcileScheme, verifyScheme } from '../../src/proof/run.js'
import { RECONCILE_RUN_KIND } from '../../src/proof/results.js'
import { reconcileJob, scheduleReconcile } from '../../src/proof/schedule.js'
import { Scheduler } from '../../src/engine/scheduler.js'
import type { ReconcileRun } from '../../src/proof/run.js'
import { LOSS, oracle, runAll, world, type World } from '../e2e/support.js'

/** The reconcile range: the whole generated data range up to now. */
function range(w: World): { from: Date; to: Date } {
  return { from: new Date(w.sandbox.dataset.meta.startMs), to: new Date() }
}

/** Verify's violations other than the records the oracle parks on purpose (they wait for a person). */
const unexpected = <V extends { code: string; recordId?: string }>(w: World, violations: readonly V[]): V[] => {
  const parked = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy).parked
  return violations.filter(
    (v) => !(v.code === 'ERR_VERIFY_PARKED' && v.recordId !== undefined && parked.has(v.recordId)),
  )
}

const keysOf = (findings: readonly { kind: string; key: string }[], kind: string) =>
  findings
    .filter((f) => f.kind === kind)
    .map((f) => f.key)
    .sort()

describe('ferry reconcile against the simulators', () => {
  let w: World | undefined
  afterEach(async () => {
    await w?.close()
    w = undefined
  })

  it('finds exactly the planted missing, extra and mismatched bills; --repair brings the missing ones back and a later reconcile is clean', async () => {
    w = await world({ orders: 70, days: 3, seed: 21 })
    await runAll(w)
    const jdy = w.sandbox.jdy
    const expected = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy)
    expect(jdy.bills.list().length).toBe(expected.bills.size)
    expect(expected.bills.size).toBeGreaterThan(5)

    const baseline = await reconcileScheme(w.host, LOSS, range(w))
    expect(baseline.report.findings).toEqual([])
    expect(baseline.report.counts.matched).toBe(expected.bills.size)
    expect(baseline.report.parked.map((p) => p.key).sort()).toEqual([...expected.parked.keys()].sort())

    // Plant the differences behind Ferry's back.
    const bills = [...jdy.bills.list()].sort((a, b) => a.bill_no.localeCompare(b.bill_no))
    const [gone1, gone2, altered] = [bills[0]!, bills[1]!, bills[2]!]
    jdy.bills.bills.delete(gone1.id)
    jdy.bills.bills.delete(gone2.id)
    const originalQty = altered.material_entity[0]!.qty
    expect(jdy.bills.setQty(altered.id, 1, '12345.5')).toBe(true)
    const book = jdy.credentials.outerInstanceId
    const m = w.sandbox.dataset.jdy.materials[0]!
    const store = w.sandbox.dataset.jdy.stores[0]!
    const line = { material_id: m.id, unit_id: m.base_unit_id, stock_id: store.id, qty: '3' }
    const extraDate = bills[3]!.bill_date
    const extra1 = jdy.bills.insert(book, {
      bill_no: 'HAND-0001',
      bill_date: extraDate,
      remark: 'made by hand',
      material_entity: [line],
    })
    const extra2 = jdy.bills.insert(book, { bill_date: extraDate, material_entity: [line] })

    const found = await reconcileScheme(w.host, LOSS, range(w))
    expect(keysOf(found.report.findings, 'missing')).toEqual([gone1.bill_no, gone2.bill_no].sort())
    expect(keysOf(found.report.findings, 'extra')).toEqual([extra1.bill_no, extra2.bill_no].sort())
    expect(keysOf(found.report.findings, 'mismatched')).toEqual([altered.bill_no])
    const mismatch = found.report.findings.find((f) => f.kind === 'mismatched')!
    expect(mismatch.code).toBe('ERR_RECONCILE_MISMATCH')
    expect(mismatch.reason).toContain('12345.5')
    expect(mismatch.reason).toContain(`expected`)
    expect(found.report.counts).toMatchObject({ missing: 2, extra: 2, mismatched: 1, matched: expected.bills.size - 3 })
    for (const f of found.report.findings) expect(f.reason.split('\n')).toHaveLength(1)

    // The result is stored with its counts.
    const stored = await w.host.store.runs.get(found.runId)
    expect(stored.kind).toBe(RECONCILE_RUN_KIND)
    expect(stored.counters.reconcile).toMatchObject({ missing: 2, extra: 2, mismatched: 1 })

    const saves = () =>
      jdy.log
        .entries({ outcome: 'accepted' })
        .filter((e) => e.method === 'POST' && e.endpoint.endsWith('/inv_check_loss_bill')).length
    const savesBefore = saves()
    const repaired = await reconcileScheme(w.host, LOSS, { ...range(w), repair: true })
    expect(repaired.repair?.map((r) => [r.key, r.action]).sort()).toEqual(
      [
        [gone1.bill_no, 'reopened'],
        [gone2.bill_no, 'reopened'],
      ].sort(),
    )
    // Repair only queues: nothing was written, deleted or edited in the target by reconcile itself.
    expect(saves()).toBe(savesBefore)
    expect(jdy.bills.bills.has(extra1.id)).toBe(true)
    expect(jdy.bills.bills.get(altered.id)!.material_entity[0]!.qty).toBe('12345.5')
    const queued = await w.host.ports.ledger.getRecord({ schemeId: LOSS, recordId: gone1.bill_no })
    expect(queued?.status).toBe('unknown')

    await runScheme(w.host.deps, w.host.scheme(LOSS), { stages: ['target'] })
    expect(saves()).toBe(savesBefore + 2)
    // Verify lists only the records parked on purpose; the extra and mismatched bills are reconcile's to find.
    expect(unexpected(w, (await verifyScheme(w.host, LOSS)).violations)).toEqual([])

    const after = await reconcileScheme(w.host, LOSS, range(w))
    expect(keysOf(after.report.findings, 'missing')).toEqual([])
    // Reconcile never deletes or edits target documents: those findings stay until a person acts.
    expect(keysOf(after.report.findings, 'extra')).toEqual([extra1.bill_no, extra2.bill_no].sort())
    expect(keysOf(after.report.findings, 'mismatched')).toEqual([altered.bill_no])

    jdy.bills.bills.delete(extra1.id)
    jdy.bills.bills.delete(extra2.id)
    jdy.bills.setQty(altered.id, 1, originalQty)
    const clean = await reconcileScheme(w.host, LOSS, range(w))
    expect(clean.report.findings).toEqual([])
    expect(clean.report.counts.matched).toBe(expected.bills.size)
  }, 180_000)

  it('runs as `ferry reconcile --json` and `ferry verify`, exiting 1 when something is found', async () => {
    w = await world({ orders: 60, days: 3, seed: 4 })
    await runAll(w)
    const cfg = w.config
    const program = () => {
      const p = new Command().exitOverride()
      registerProofCommands(p, { loadConfig: () => cfg, openHost: (c) => openHost(c, { log: silentLogger }) })
      return p
    }
    const writes: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk))
      return true
    })
    const prevExit = process.exitCode
    try {
      const { from, to } = range(w)
      // Parked records (missing material) are not settled: verify names each and exits 1 until a person acts.
      const parked = [...oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy).parked.keys()]
      expect(parked.length).toBeGreaterThan(0)
      process.exitCode = undefined
      await program().parseAsync(['node', 'ferry', 'verify', LOSS])
      expect(process.exitCode).toBe(1)
      for (const id of parked) expect(writes.join('')).toContain(`ERR_VERIFY_PARKED  ${id}`)
      for (const id of parked)
        await w.host.ports.ledger.resolve(
          { schemeId: LOSS, recordId: id },
          'no JDY material for this sku; counted by hand',
        )
      writes.length = 0
      process.exitCode = undefined
      await program().parseAsync(['node', 'ferry', 'verify', LOSS])
      expect(process.exitCode).toBeUndefined()
      expect(writes.join('')).toContain('ok: every invariant holds')
      expect(writes.join('')).toMatch(/target: \d+ written keys looked up, \d+ documents listed/)

      const victim = w.sandbox.jdy.bills.list()[0]!
      w.sandbox.jdy.bills.bills.delete(victim.id)
      writes.length = 0
      await program().parseAsync([
        'node',
        'ferry',
        'reconcile',
        LOSS,
        '--from',
        from.toISOString(),
        '--to',
        to.toISOString(),
        '--json',
      ])
      expect(process.exitCode).toBe(1)
      const report = JSON.parse(writes.join('')) as {
        findings: { kind: string; key: string; code: string }[]
        counts: { missing: number }
      }
      expect(report.findings).toEqual([
        expect.objectContaining({ kind: 'missing', key: victim.bill_no, code: 'ERR_RECONCILE_MISSING' }),
      ])
      expect(report.counts.missing).toBe(1)
      // Secrets of the connections never reach the output.
      expect(writes.join('')).not.toContain(w.sandbox.info().jdy.clientSecret)

      // A done record that lost its proof makes `ferry verify` list the violation and exit 1.
      await w.host.store.db
        .updateTable('records')
        .set({ target_id: null })
        .where('scheme_id', '=', LOSS)
        .where('record_id', '=', victim.bill_no)
        .execute()
      writes.length = 0
      process.exitCode = undefined
      await program().parseAsync(['node', 'ferry', 'verify', LOSS])
      expect(process.exitCode).toBe(1)
      expect(writes.join('')).toContain(`ERR_VERIFY_DONE_WITHOUT_PROOF  ${victim.bill_no}`)
    } finally {
      spy.mockRestore()
      process.exitCode = prevExit
    }
  }, 120_000)

  it('reports every document of a key: a duplicate bill planted in the target is found by reconcile and verify, with both ids', async () => {
    w = await world({ orders: 40, days: 3, seed: 8 })
    await runAll(w)
    const jdy = w.sandbox.jdy
    const victim = [...jdy.bills.list()].sort((a, b) => a.bill_no.localeCompare(b.bill_no))[0]!
    // A second bill with the same number, saved raw (a target without the uniqueness net, or a paused worker).
    const copy = jdy.bills.insert(jdy.credentials.outerInstanceId, {
      bill_no: victim.bill_no,
      bill_date: victim.bill_date,
      remark: victim.remark,
      material_entity: victim.material_entity.map((l) => ({
        material_id: l.material_id,
        unit_id: l.unit_id,
        stock_id: l.stock_id,
        qty: l.qty,
      })),
    })
    const r = await reconcileScheme(w.host, LOSS, range(w))
    expect(r.report.findings).toEqual([
      expect.objectContaining({
        kind: 'duplicate',
        key: victim.bill_no,
        code: 'ERR_RECONCILE_DUPLICATE',
        recordIds: [victim.bill_no],
      }),
    ])
    expect([...r.report.findings[0]!.targetIds!].sort()).toEqual([victim.id, copy.id].sort())
    expect(r.report.findings[0]!.reason).toContain(copy.id)
    expect(r.report.counts.duplicate).toBe(1)
    const v = await verifyScheme(w.host, LOSS)
    expect(unexpected(w, v.violations)).toEqual([
      expect.objectContaining({
        code: 'ERR_VERIFY_TARGET_DUPLICATE',
        rule: 'ledger_matches_target',
        recordId: victim.bill_no,
      }),
    ])
    expect(unexpected(w, v.violations)[0]!.message).toContain(copy.id)
  }, 120_000)

  it('verify checks the ledger against the target: a written record whose bill is gone, one pointing at another bill, parked records', async () => {
    w = await world({ orders: 40, days: 3, seed: 9 })
    await runAll(w)
    const jdy = w.sandbox.jdy
    const before = await verifyScheme(w.host, LOSS)
    expect(unexpected(w, before.violations)).toEqual([])
    const parked = [...oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy).parked.keys()].sort()
    expect(parked.length).toBeGreaterThan(0)
    expect(before.violations.map((v) => v.recordId).sort()).toEqual(parked)
    expect(before.target?.keysChecked).toBe(jdy.bills.list().length)

    const [gone, moved] = [...jdy.bills.list()].sort((a, b) => a.bill_no.localeCompare(b.bill_no))
    jdy.bills.bills.delete(gone!.id)
    await w.host.store.db
      .updateTable('records')
      .set({ target_id: '999000111' })
      .where('scheme_id', '=', LOSS)
      .where('record_id', '=', moved!.bill_no)
      .execute()
    const v = await verifyScheme(w.host, LOSS)
    expect(
      unexpected(w, v.violations)
        .map((x) => [x.code, x.recordId])
        .sort(),
    ).toEqual(
      [
        ['ERR_VERIFY_TARGET_MISMATCH', moved!.bill_no],
        ['ERR_VERIFY_TARGET_MISSING', gone!.bill_no],
      ].sort(),
    )
    expect(unexpected(w, v.violations).find((x) => x.code === 'ERR_VERIFY_TARGET_MISMATCH')?.message).toContain(
      moved!.id,
    )
    // --ledger-only makes no call to the target and sees neither.
    const ledgerOnly = await verifyScheme(w.host, LOSS, { ledgerOnly: true })
    expect(unexpected(w, ledgerOnly.violations)).toEqual([])
    expect(ledgerOnly.target).toBeUndefined()
  }, 120_000)

  it('reconciles the closed windows of the last days on a schedule and stores each result with its counts', async () => {
    w = await world({ orders: 40, days: 2, seed: 9 })
    await runAll(w)
    const results: (ReconcileRun | Error)[] = []
    const scheduled = scheduleReconcile(w.host, { schemeId: LOSS, crontab: '0 3 * * *', days: 7 }, (r) =>
      results.push(r),
    )
    try {
      expect(scheduled.job.nextRun()).not.toBeNull()
      await scheduled.job.trigger()
    } finally {
      scheduled.stop()
    }
    expect(results).toHaveLength(1)
    const r = results[0] as ReconcileRun
    expect(r).not.toBeInstanceOf(Error)
    const cursor = await w.host.ports.windows.lastSyncTime(
      LOSS,
      w.host.scheme(LOSS).source.api,
      w.host.scheme(LOSS).schedule.start,
    )
    expect(r.report.to).toEqual(cursor)
    expect(r.report.findings).toEqual([])
    expect(r.report.counts.matched).toBe(w.sandbox.jdy.bills.list().length)
    expect(r.report.counts.matched).toBeGreaterThan(0)
    const runs = await w.host.store.runs.list(LOSS, 50)
    const stored = runs.find((x) => x.id === r.runId)
    expect(stored).toMatchObject({ kind: RECONCILE_RUN_KIND, status: 'succeeded' })
    expect((await w.host.store.runs.get(r.runId)).counters.reconcile?.matched).toBe(r.report.counts.matched)
  }, 120_000)

  it('runs the configured reconciliation from the scheduler once per due tick, storing its counts and skipping a tick while one runs', async () => {
    w = await world({ orders: 40, days: 2, seed: 5 })
    await runAll(w)
    const skipped: string[] = []
    const scheduler = new Scheduler(w.host.deps, {
      onSkip: (id, stage, reason) => skipped.push(`${id} ${stage}: ${reason}`),
    })
    const results: ReconcileRun[] = []
    const job = reconcileJob(w.host, LOSS, { crontab: '0 3 * * *', closedDays: 7, repair: false }, (r) =>
      results.push(r),
    )
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const gated = {
      ...job,
      run: async () => {
        await gate
        return job.run()
      },
    }
    scheduler.addReconcile(gated)
    try {
      expect(scheduler.jobs.find((j) => j.stage === 'reconcile')).toMatchObject({
        schemeId: LOSS,
        crontab: '0 3 * * *',
      })
      expect(scheduler.jobs.find((j) => j.stage === 'reconcile')?.nextRun()).not.toBeNull()
      const first = scheduler.tickReconcile(gated)
      expect(await scheduler.tickReconcile(gated)).toBe(false)
      expect(skipped).toEqual([`${LOSS} reconcile: the previous run is still going`])
      release()
      expect(await first).toBe(true)
    } finally {
      await scheduler.stop()
    }
    expect(results).toHaveLength(1)
    const r = results[0]!
    expect(r.report.counts.matched).toBe(w.sandbox.jdy.bills.list().length)
    const stored = (await w.host.store.runs.list(LOSS, 50)).filter((x) => x.kind === RECONCILE_RUN_KIND)
    expect(stored.map((x) => x.id)).toEqual([r.runId])
    expect((await w.host.store.runs.get(r.runId)).counters.reconcile?.matched).toBe(r.report.counts.matched)
  }, 120_000)

  it('explains a mismatch whose source order changed after its bill was written', async () => {
    w = await world({ orders: 40, days: 2, seed: 12 })
    await runAll(w)
    const [first] = w.sandbox.jdy.bills.list()
    expect(first).toBeDefined()
    const io = Number(first!.bill_no)
    w.sandbox.jst.orders.update(io, (o) => {
      o.remark = `${o.remark} (edited)`
      o.modified = shanghai(Date.now() - 30 * 60_000)
    })
    await runScheme(w.host.deps, w.host.scheme(LOSS), {
      stages: ['source'],
      range: { from: new Date(Date.now() - 3_600_000), to: new Date() },
    })
    const r = await reconcileScheme(w.host, LOSS, range(w))
    expect(r.report.findings).toHaveLength(1)
    expect(r.report.findings[0]).toMatchObject({ kind: 'mismatched', key: String(io) })
    expect(r.report.findings[0]!.reason).toContain('(edited)')
    expect(r.report.findings[0]!.reason).toContain(`changed after it was written; see ferry record ${LOSS} ${io}`)
  }, 120_000)
})

function shanghai(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
}
