/* eslint-disable @typescript-eslint/require-await -- in-memory fakes implement async ports synchronously */
import { describe, expect, it } from 'vitest'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import type { Clock } from '../../src/engine/ports.js'
import { silentLogger } from '../../src/engine/ports.js'
import { sqlitePorts } from './support/sqlite-ports.js'
import { FakeSource, FakeTarget, doc, lossScheme, type Doc } from './support/fakes.js'

async function setup(docs: Doc[], now = '2026-11-04T00:00:00Z') {
  const source = new FakeSource(docs)
  const target = new FakeTarget()
  let t = new Date(now)
  const clock: Clock & { set(iso: string): void; advance(ms: number): void; slept: number[] } = {
    now: () => t,
    set: (iso) => {
      t = new Date(iso)
    },
    advance: (ms) => {
      t = new Date(t.getTime() + ms)
    },
    slept: [],
    sleep: async (ms) => {
      clock.slept.push(ms)
      t = new Date(t.getTime() + ms)
    },
  }
  const materials = new Map([
    ['A', 'M-A'],
    ['B', 'M-B'],
  ])
  const scheme = lossScheme(materials)
  const ports = await sqlitePorts(clock, [scheme])
  const deps: EngineDeps = {
    ports,
    clock,
    log: silentLogger,
    connections: { source: async () => source, target: async () => target, inFlight: () => 2 },
    retry: { ladder: [20, 300], jitter: 0 },
  }
  return { ports, source, target, clock, materials, deps, scheme }
}

const orders = () => [
  doc(
    'IO1',
    '2026-11-01T05:00:00Z',
    [
      ['A', -2],
      ['B', 3],
    ],
    'monthly',
  ),
  doc('IO2', '2026-11-01T06:00:00Z', [['A', 1]]),
  doc('IO3', '2026-11-02T07:00:00Z', [['B', -1.5]], '包材 count'),
  doc('IO4', '2026-11-02T08:00:00Z', [['B', -4]]),
  doc('IO5', '2026-11-03T09:00:00Z', [
    ['A', -1],
    ['B', -1],
  ]),
]

describe('pipeline', () => {
  it('writes one bill per qualifying order with only the negative rows as positive quantities', async () => {
    const s = await setup(orders())
    const summary = await runScheme(s.deps, s.scheme)
    expect(summary.status).toBe('ok')
    expect([...s.target.bills.keys()].sort()).toEqual(['IO1', 'IO4', 'IO5'])
    expect(s.target.bills.get('IO1')).toMatchObject({
      bill_no: 'IO1',
      remark: 'monthly',
      material_entity: [{ material_id: 'M-A', qty: 2 }],
    })
    expect(s.target.bills.get('IO5')).toMatchObject({
      material_entity: [
        { material_id: 'M-A', qty: 1 },
        { material_id: 'M-B', qty: 1 },
      ],
    })
    expect(summary.counters.written).toBe(3)
  })

  it('binds each planned window into the request and closes every window it stored', async () => {
    const s = await setup(orders())
    await runScheme(s.deps, s.scheme, { stages: ['source'] })
    expect(s.source.reads.map((r) => [r.params.modified_begin, r.params.modified_end])).toEqual([
      ['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z'],
      ['2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
      ['2026-11-03T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
    ])
    expect(await s.ports.windows.lastSyncTime(s.scheme.id, s.scheme.source.api)).toEqual(
      new Date('2026-11-04T00:00:00Z'),
    )
  })

  it('a second run writes nothing new and starts where the first one ended', async () => {
    const s = await setup(orders())
    await runScheme(s.deps, s.scheme)
    const writes = s.target.writes.length
    s.clock.set('2026-11-04T06:00:00Z')
    const again = await runScheme(s.deps, s.scheme)
    expect(s.target.writes.length).toBe(writes)
    expect(again.counters.written).toBe(0)
    expect(s.source.reads.at(-1)?.params.modified_begin).toBe('2026-11-04T00:00:00.000Z')
  })

  it('does not advance the cursor past a window whose fetch failed, and catches up on the next run', async () => {
    const docs = [
      ...orders(),
      doc('IO6', '2026-11-02T09:00:00Z', [['A', -7]]),
      doc('IO7', '2026-11-02T10:00:00Z', [['A', -8]]),
    ]
    const s = await setup(docs)
    s.source.failWindows.add(new Date('2026-11-02T00:00:00Z').getTime())
    const first = await runScheme(s.deps, s.scheme)
    expect(first.status).toBe('failed')
    expect(first.error?.code).toBe('ERR_HTTP_SERVER')
    expect(await s.ports.windows.lastSyncTime(s.scheme.id, s.scheme.source.api)).toEqual(
      new Date('2026-11-02T00:00:00Z'),
    )
    expect(s.target.bills.has('IO5')).toBe(false)
    s.source.failWindows.clear()
    const second = await runScheme(s.deps, s.scheme)
    expect(second.status).toBe('ok')
    expect([...s.target.bills.keys()].sort()).toEqual(['IO1', 'IO4', 'IO5', 'IO6', 'IO7'])
    expect(await s.ports.windows.lastSyncTime(s.scheme.id, s.scheme.source.api)).toEqual(
      new Date('2026-11-04T00:00:00Z'),
    )
  })

  it('parks only the records with a missing material, naming the sku, and writes them after retry', async () => {
    const s = await setup([...orders(), doc('IO8', '2026-11-03T10:00:00Z', [['3001-RED', -1]])])
    await runScheme(s.deps, s.scheme)
    const parked = (await s.ports.ledger.listRecords(s.scheme.id, { status: 'error' })).records
    expect(parked.map((r) => r.id)).toEqual(['IO8'])
    expect(parked[0]?.lastError).toMatchObject({
      code: 'ERR_LOOKUP_MISSING',
      kind: 'data',
      message: 'JDY material not found for sku 3001-RED',
    })
    expect(parked[0]?.nextAttemptAt).toBeNull()
    expect(s.target.writes.some((w) => w.key === 'IO8')).toBe(false)

    s.materials.set('3001-RED', 'M-RED')
    expect((await s.ports.ledger.requeue(s.scheme.id, { allFailed: true })).requeued).toEqual(['IO8'])
    await runScheme(s.deps, s.scheme, { stages: ['target'] })
    expect(s.target.bills.get('IO8')).toMatchObject({ material_entity: [{ material_id: 'M-RED', qty: 1 }] })
  })

  it('probes by business key after an unknown outcome and does not write again when the bill exists', async () => {
    const s = await setup(orders())
    s.target.faults.set('IO4', ['unknown_after_store'])
    s.target.faults.set('IO5', ['throw_after_store'])
    const summary = await runScheme(s.deps, s.scheme)
    expect(s.target.writes.filter((w) => w.key === 'IO4')).toHaveLength(1)
    expect(s.target.writes.filter((w) => w.key === 'IO5')).toHaveLength(1)
    expect(s.target.probes).toEqual(expect.arrayContaining(['IO4', 'IO5']))
    expect((await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' }))?.status).toBe('done')
    expect(summary.counters.alreadyExisted).toBe(2)
  })

  it('keeps an unknown outcome unknown when the probe fails, and probes again before the retry writes', async () => {
    const s = await setup(orders())
    s.target.faults.set('IO4', ['unknown_before_store'])
    s.target.probeFails = true
    await runScheme(s.deps, s.scheme)
    const rec = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' })
    expect(rec?.status).toBe('unknown')
    expect(rec?.lastError?.code).toBe('ERR_OUTCOME_UNKNOWN')
    s.target.probeFails = false
    s.clock.advance(3_600_000)
    await runScheme(s.deps, s.scheme, { stages: ['target'] })
    const probesBefore = s.target.probes.filter((k) => k === 'IO4').length
    expect(probesBefore).toBeGreaterThanOrEqual(2)
    expect(s.target.writes.filter((w) => w.key === 'IO4')).toHaveLength(2)
    expect(s.target.bills.has('IO4')).toBe(true)
  })

  it('probes a write intent left by a crash before writing', async () => {
    const s = await setup(orders())
    await runScheme(s.deps, s.scheme, { stages: ['source'] })
    // A crashed process left IO4 after sending: the bill exists, the ledger says unknown.
    s.target.bills.set('IO4', { bill_no: 'IO4', id: 'T-OLD' })
    await s.ports.ledger.markUnknown(
      { schemeId: s.scheme.id, recordId: 'IO4' },
      { code: 'ERR_OUTCOME_UNKNOWN', message: 'sent', probeAt: new Date(0) },
      { payload: {}, businessKey: 'IO4' },
    )
    await runScheme(s.deps, s.scheme, { stages: ['target'] })
    expect(s.target.writes.some((w) => w.key === 'IO4')).toBe(false)
    expect(await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' })).toMatchObject({
      status: 'done',
      targetId: 'T-OLD',
    })
  })

  it('resolves a duplicate answer to the existing document', async () => {
    const s = await setup(orders())
    s.target.faults.set('IO1', ['already_exists'])
    await runScheme(s.deps, s.scheme)
    const rec = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO1' })
    expect(rec).toMatchObject({ status: 'duplicate', targetId: String(s.target.bills.get('IO1')?.id) })
    expect(s.target.writes.filter((w) => w.key === 'IO1')).toHaveLength(1)
  })

  it('waits for the short first rung within the run, leaves longer rungs for later and says so, and gives up when the ladder is exhausted', async () => {
    const s = await setup(orders())
    s.target.faults.set('IO4', ['transient', 'transient', 'transient'])
    const summary = await runScheme(s.deps, s.scheme)
    let rec = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' })
    // Attempt 1 failed, the run waited out the 20 s rung, attempt 2 failed: now on the 300 s rung.
    expect(rec).toMatchObject({ attempts: 2, lastError: { code: 'ERR_TARGET_TRANSIENT', kind: 'transient' } })
    expect(rec?.nextAttemptAt).toEqual(new Date(s.clock.now().getTime() + 300_000))
    expect(s.clock.slept).toEqual([20_000])
    expect(summary.scheduled).toEqual([
      expect.objectContaining({ code: 'ERR_TARGET_TRANSIENT', records: 1, next: rec?.nextAttemptAt }),
    ])
    s.clock.advance(300_000)
    await runScheme(s.deps, s.scheme, { stages: ['target'] })
    rec = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' })
    expect(rec).toMatchObject({ status: 'error', attempts: 3, lastError: { code: 'ERR_RETRIES_EXHAUSTED' } })
    expect(rec?.nextAttemptAt).toBeNull()
  })

  it('never counts a throttled answer as an attempt nor puts the record on the failure ladder', async () => {
    const s = await setup(orders())
    s.target.faults.set('IO4', ['rate_limited', 'rate_limited', 'rate_limited', 'transient', 'transient'])
    await runScheme(s.deps, s.scheme)
    const rec = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' })
    // Three throttles and two transient failures: two attempts counted, so it sits on the second
    // rung (300 s); had the throttles counted, the two-rung ladder would have been exhausted.
    expect(rec).toMatchObject({ attempts: 2, lastError: { code: 'ERR_TARGET_TRANSIENT' } })
    expect(rec?.nextAttemptAt).toEqual(new Date(s.clock.now().getTime() + 300_000))
    expect(s.target.writes.filter((w) => w.key === 'IO4')).toHaveLength(5)
  })

  it('returns from a backfill with nothing pending after a burst of throttled answers', async () => {
    const s = await setup(orders())
    for (const k of ['IO1', 'IO4', 'IO5'])
      s.target.faults.set(k, ['rate_limited', 'rate_limited', 'rate_limited', 'rate_limited', 'rate_limited'])
    const summary = await runScheme(s.deps, s.scheme)
    expect(summary.status).toBe('ok')
    expect([...s.target.bills.keys()].sort()).toEqual(['IO1', 'IO4', 'IO5'])
    expect(summary.counters).toMatchObject({ written: 3, paced: 15, retrying: 0, failed: 0 })
    expect(summary.ledger.queued ?? 0).toBe(0)
    expect(summary.ledger.unknown ?? 0).toBe(0)
    for (const k of ['IO1', 'IO4', 'IO5'])
      expect(await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: k })).toMatchObject({
        status: 'done',
        attempts: 1,
      })
    // It waited for the throttle hints (5 s each, in rounds), not for a ladder rung.
    expect(Math.max(...s.clock.slept)).toBeLessThanOrEqual(5_000)
  })

  it('sends data rejections to the failed queue at once and pauses the scheme on a config error', async () => {
    const s = await setup(orders())
    s.target.faults.set('IO1', ['data'])
    s.target.faults.set('IO4', ['config'])
    s.deps = { ...s.deps, connections: { ...s.deps.connections, inFlight: () => 1 } }
    await runScheme(s.deps, s.scheme)
    expect(await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO1' })).toMatchObject({
      status: 'error',
      lastError: { code: 'ERR_TARGET_REJECTED', kind: 'data' },
    })
    expect(await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO4' })).toMatchObject({
      status: 'error',
      lastError: { code: 'ERR_TARGET_CONFIG', kind: 'config' },
    })
    expect(await s.ports.schemes.pausedReason(s.scheme.id)).toMatch(/ERR_TARGET_CONFIG/)
    // Paused before IO5 was taken: nothing written after the config error.
    expect(s.target.writes.map((w) => w.key)).not.toContain('IO5')
    await expect(runScheme(s.deps, s.scheme)).rejects.toMatchObject({ code: 'ERR_SCHEME_PAUSED' })
  })

  it('parks a payload whose quantity is not positive without calling the target', async () => {
    const s = await setup([doc('IO9', '2026-11-01T01:00:00Z', [['A', -1]])])
    const scheme = lossScheme(s.materials)
    const base = scheme.target!
    const broken = {
      ...scheme,
      target: {
        ...base,
        map: async (u: Parameters<typeof base.map>[0], n: Date) => {
          const m = await base.map(u, n)
          return { ...m, payload: { ...m.payload, material_entity: [{ material_id: 'M-A', qty: -1 }] } }
        },
      },
    }
    await runScheme(s.deps, broken)
    // The ledger keeps the error's code, kind and message; the message names the path.
    const rec = await s.ports.ledger.getRecord({ schemeId: scheme.id, recordId: 'IO9' })
    expect(rec).toMatchObject({ status: 'error', lastError: { code: 'ERR_QUANTITY_NOT_POSITIVE' } })
    expect(rec?.lastError?.message).toContain('material_entity[0].qty')
    expect(s.target.writes).toHaveLength(0)
  })

  it('refuses to guess a start when nothing is closed and no start is configured', async () => {
    const s = await setup(orders())
    const summary = await runScheme(s.deps, { ...s.scheme, schedule: {} }, { stages: ['source'] })
    expect(summary.error?.code).toBe('ERR_NO_START_TIME')
    expect(s.source.reads).toHaveLength(0)
  })

  it('does not run a scheme stage that another holder has leased', async () => {
    const s = await setup(orders())
    await s.ports.leases.acquire('scheme:count-to-loss:source', 'other-process', 60_000)
    await expect(runScheme(s.deps, s.scheme)).rejects.toMatchObject({ code: 'ERR_SCHEME_BUSY' })
    expect(s.source.reads).toHaveLength(0)
  })

  it('writes an edited payload instead of re-mapping it', async () => {
    const s = await setup([doc('IO8', '2026-11-03T10:00:00Z', [['NOPE', -1]])])
    await runScheme(s.deps, s.scheme)
    await s.ports.ledger.editPayload(
      { schemeId: s.scheme.id, recordId: 'IO8' },
      {
        bill_no: 'IO8',
        material_entity: [{ material_id: 'M-A', qty: 1 }],
      },
    )
    await s.ports.ledger.requeue(s.scheme.id, { ids: ['IO8'] })
    await runScheme(s.deps, s.scheme, { stages: ['target'] })
    expect(s.target.bills.get('IO8')).toMatchObject({ material_entity: [{ material_id: 'M-A', qty: 1 }] })
  })
})

describe('pipeline with many writes in flight', () => {
  it('lets every call in flight listen on the run abort signal without a MaxListenersExceededWarning', async () => {
    const docs = Array.from({ length: 40 }, (_, i) => doc(`IO${i}`, '2026-11-01T05:00:00Z', [['A', -1]]))
    const s = await setup(docs)
    class ListeningTarget extends FakeTarget {
      override async write(req: Parameters<FakeTarget['write']>[0]) {
        // As the HTTP client does: listen on the run's signal while the call is in flight.
        const onAbort = () => undefined
        req.signal?.addEventListener('abort', onAbort)
        await new Promise((r) => setTimeout(r, 5))
        req.signal?.removeEventListener('abort', onAbort)
        return super.write(req)
      }
    }
    const target = new ListeningTarget()
    const warnings: string[] = []
    const onWarning = (w: Error) => {
      warnings.push(w.name)
    }
    process.on('warning', onWarning)
    try {
      const summary = await runScheme(
        { ...s.deps, connections: { ...s.deps.connections, target: async () => target, inFlight: () => 16 } },
        s.scheme,
        { signal: new AbortController().signal },
      )
      expect(summary.counters.written).toBe(40)
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning')
  })
})
