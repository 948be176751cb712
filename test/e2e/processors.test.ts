/**
 * Custom processors end to end against the simulators: one processor with every hook, each
 * changing one chosen count order (or every request), on the case-article scheme. A hook that
 * throws or overruns its time limit parks only the record it was processing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost, type Host } from '../../src/engine/host.js'
import type { EngineLogger } from '../../src/engine/ports.js'
import { runScheme } from '../../src/engine/run.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { actualBills, configFor, LOSS, oracle } from './support.js'

interface Picked {
  dropped: string
  enriched: string
  storeThrows: string
  storeSlow: string
  writeEdited: string
  writeThrows: string
  afterThrows: string
  afterSlow: string
}

function processorSource(p: Picked): string {
  return `
// afterWrite fails on the first call for each of its two picked records, as a processor fixed later would.
const failedOnce = new Set()
export default {
  name: 'e2e-hooks',
  timeoutMs: 300,
  beforeRequest(request) { return { ...request, status: 'Confirmed' } },
  afterFetch(rows) { return rows.filter((r) => String(r.io_id) !== ${JSON.stringify(p.dropped)}) },
  async beforeStore(record, ctx) {
    const id = String(record.io_id)
    if (id === ${JSON.stringify(p.storeThrows)}) throw new Error('no warehouse mapping for this order')
    if (id === ${JSON.stringify(p.storeSlow)}) { await new Promise((r) => setTimeout(r, 3000)); return record }
    if (id === ${JSON.stringify(p.enriched)}) { ctx.log.info('enriched', { tag: 'proc' }); return { ...record, remark: 'enriched by beforeStore' } }
    return record
  },
  beforeWrite(payload, ctx) {
    if (ctx.recordId === ${JSON.stringify(p.writeThrows)}) throw new Error('payload refused by policy')
    if (ctx.recordId === ${JSON.stringify(p.writeEdited)}) return { ...payload, remark: 'edited by beforeWrite' }
    return payload
  },
  async afterWrite(answer, ctx) {
    if (!failedOnce.has(ctx.recordId)) {
      if (ctx.recordId === ${JSON.stringify(p.afterThrows)}) { failedOnce.add(ctx.recordId); throw new Error('answer check failed') }
      if (ctx.recordId === ${JSON.stringify(p.afterSlow)}) { failedOnce.add(ctx.recordId); await new Promise((r) => setTimeout(r, 3000)) }
    }
    return answer.kind === 'ok' ? { response: { vendor: answer.response ?? null, checkedBy: 'e2e-hooks' } } : undefined
  },
}
`
}

describe('custom processors against the simulators', () => {
  let sandbox: Sandbox
  let host: Host
  let dir: string
  let picked: Picked
  let expected: ReturnType<typeof oracle>
  const logs: Record<string, unknown>[] = []
  const log: EngineLogger = {
    debug: () => {},
    info: (o, m) => logs.push({ ...o, msg: m }),
    warn: (o, m) => logs.push({ ...o, msg: m }),
    error: (o, m) => logs.push({ ...o, msg: m }),
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-proc-e2e-'))
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 3 * 86_400_000 - 2 * hour)
    sandbox = await startSandbox({ orders: 80, days: 3, seed: 23, start })
    expected = oracle(sandbox.jst.orders.latest(), sandbox.dataset.jdy)
    const ids = [...expected.bills.keys()]
    expect(ids.length).toBeGreaterThan(10)
    picked = {
      dropped: ids[0]!,
      enriched: ids[1]!,
      storeThrows: ids[2]!,
      storeSlow: ids[3]!,
      writeEdited: ids[4]!,
      writeThrows: ids[5]!,
      afterThrows: ids[6]!,
      afterSlow: ids[7]!,
    }
    const procDir = join(dir, 'processors')
    mkdirSync(procDir)
    writeFileSync(join(procDir, 'e2e-hooks.mjs'), processorSource(picked))
    // The scheme asks for WaitConfirm orders; beforeRequest turns the request back to Confirmed.
    const schemeFile = join(dir, `${LOSS}.json`)
    const example = JSON.parse(readFileSync(join(examplesDir(), `${LOSS}.json`), 'utf8')) as {
      source: { metadata: { request: { field: string; value: string }[] } }
    }
    for (const f of example.source.metadata.request) if (f.field === 'status') f.value = 'WaitConfirm'
    writeFileSync(schemeFile, JSON.stringify(example))
    const base = configFor(sandbox, dir, start)
    const config = {
      ...base,
      processors: { dir: procDir, timeoutMs: 5000 },
      schemes: base.schemes.map((s) =>
        s.file.endsWith(`${LOSS}.json`) ? { ...s, file: schemeFile, processors: ['e2e-hooks'] } : s,
      ),
    }
    host = await openHost(config, { log })
    for (const s of host.schemes) await runScheme(host.deps, s)
  }, 120_000)

  afterAll(async () => {
    await host?.close()
    await sandbox?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('beforeRequest changes the source request (the scheme asks for WaitConfirm, every count query asks for Confirmed)', () => {
    const counts = sandbox.jst.log
      .entries()
      .filter((e) => e.endpoint.includes('/open/inventory/count/query') && e.outcome === 'accepted')
    expect(counts.length).toBeGreaterThan(0)
    for (const e of counts) expect(JSON.parse(String(e.params.biz))).toMatchObject({ status: 'Confirmed' })
  })

  it('afterFetch drops the order it filters out of the page: never stored, never written', async () => {
    expect(actualBills(sandbox).has(picked.dropped)).toBe(false)
    expect(await host.ports.ledger.getRecord({ schemeId: LOSS, recordId: picked.dropped })).toBeUndefined()
  })

  it('beforeStore changes the stored record (the bill carries the enriched remark) and logs with the record id', () => {
    expect(actualBills(sandbox).get(picked.enriched)?.remark).toContain('enriched by beforeStore')
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: 'enriched',
        recordId: picked.enriched,
        hook: 'beforeStore',
        processor: 'e2e-hooks',
        tag: 'proc',
      }),
    )
  })

  it('beforeWrite changes the payload written', () => {
    expect(actualBills(sandbox).get(picked.writeEdited)?.remark).toContain('edited by beforeWrite')
  })

  it('afterWrite changes the answer kept as proof', async () => {
    const r = await host.ports.ledger.getRecord({ schemeId: LOSS, recordId: picked.enriched })
    expect(r?.status).toBe('done')
    expect(r?.response).toMatchObject({ checkedBy: 'e2e-hooks' })
  })

  it('a hook that throws or overruns its time limit parks only its record, with a coded error naming the hook', async () => {
    const cases = [
      [picked.storeThrows, 'ERR_PROCESSOR_HOOK', 'beforeStore'],
      [picked.storeSlow, 'ERR_PROCESSOR_TIMEOUT', 'beforeStore'],
      [picked.writeThrows, 'ERR_PROCESSOR_HOOK', 'beforeWrite'],
    ] as const
    for (const [id, code, hook] of cases) {
      const r = await host.ports.ledger.getRecord({ schemeId: LOSS, recordId: id })
      expect(r?.status).toBe('error')
      expect(r?.lastError).toMatchObject({ code })
      expect(r?.lastError?.message).toContain(`hook ${hook}`)
      expect(actualBills(sandbox).has(id)).toBe(false)
    }
    // Every other bill is written exactly as the oracle says (remarks aside for the two edited ones).
    const actual = actualBills(sandbox)
    const others = [...expected.bills.keys()].filter((id) => !Object.values(picked).includes(id))
    for (const id of others) expect(actual.get(id)).toEqual(expected.bills.get(id))
    // Dropped, two parked by beforeStore, one parked by beforeWrite; the afterWrite ones are written.
    expect(actual.size).toBe(expected.bills.size - 4)
  })

  const saves = (billNo: string) =>
    sandbox.jdy.log
      .entries()
      .filter(
        (e) =>
          e.method === 'POST' &&
          e.endpoint.includes('inv_check_loss_bill') &&
          !e.endpoint.includes('list') &&
          !e.endpoint.includes('detail') &&
          JSON.stringify(e.params).includes(`"bill_no":${JSON.stringify(billNo)}`),
      )

  it('parks only the record whose afterWrite hook throws or overruns, and keeps its target id', async () => {
    const cases = [
      [picked.afterThrows, 'ERR_PROCESSOR_HOOK'],
      [picked.afterSlow, 'ERR_PROCESSOR_TIMEOUT'],
    ] as const
    for (const [id, code] of cases) {
      const r = await host.ports.ledger.getRecord({ schemeId: LOSS, recordId: id })
      expect(r?.status).toBe('error')
      expect(r?.lastError).toMatchObject({ code })
      expect(r?.lastError?.message).toContain('hook afterWrite')
      // The write landed: the bill is there, written once, and the record keeps its id as proof.
      expect(r?.targetId).toEqual(expect.any(String))
      expect(actualBills(sandbox).get(id)).toEqual(expected.bills.get(id))
      expect(saves(id)).toHaveLength(1)
    }
    expect(logs).toContainEqual(
      expect.objectContaining({ code: 'ERR_PROCESSOR_HOOK', hook: 'afterWrite', recordId: picked.afterThrows }),
    )
  })

  it('retrying a record parked by afterWrite re-runs only afterWrite: done under the same target id, never sent again', async () => {
    const before = await Promise.all(
      [picked.afterThrows, picked.afterSlow].map((id) => host.ports.ledger.getRecord({ schemeId: LOSS, recordId: id })),
    )
    const { requeued } = await host.ports.ledger.requeue(LOSS, { ids: [picked.afterThrows, picked.afterSlow] })
    expect(requeued.sort()).toEqual([picked.afterThrows, picked.afterSlow].sort())
    await runScheme(host.deps, host.scheme(LOSS), { stages: ['target'] })
    for (const [i, id] of [picked.afterThrows, picked.afterSlow].entries()) {
      const r = await host.ports.ledger.getRecord({ schemeId: LOSS, recordId: id })
      expect(r?.status).toBe('done')
      expect(r?.targetId).toBe(before[i]?.targetId)
      expect(r?.response).toMatchObject({ checkedBy: 'e2e-hooks' })
      expect(saves(id)).toHaveLength(1)
    }
  })
})
