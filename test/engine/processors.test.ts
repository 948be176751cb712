/* eslint-disable @typescript-eslint/require-await -- in-memory hooks */
/**
 * withProcessors on the in-memory pipeline: where a hook's failure goes when there is no record
 * (beforeRequest, afterFetch: the window stays open), splits, drops, and afterWrite that fails.
 */
import { describe, expect, it } from 'vitest'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import { silentLogger, type Clock } from '../../src/engine/ports.js'
import { withProcessors } from '../../src/engine/processors.js'
import type { ProcessorDefinition } from '../../src/processors/define.js'
import { sqlitePorts } from './support/sqlite-ports.js'
import { FakeSource, FakeTarget, doc, lossScheme } from './support/fakes.js'

async function setup(processors: ProcessorDefinition[]) {
  const source = new FakeSource([
    doc('IO1', '2026-11-01T05:00:00Z', [
      ['A', -2],
      ['B', -3],
    ]),
    doc('IO2', '2026-11-02T06:00:00Z', [['A', -1]]),
    doc('IO3', '2026-11-03T06:00:00Z', [['B', -1]]),
  ])
  const target = new FakeTarget()
  const clock: Clock = { now: () => new Date('2026-11-04T00:00:00Z') }
  // One clock: requeue stamps "due now" with the store's clock, which the engine claims by.
  const ports = await sqlitePorts(clock)
  const deps: EngineDeps = {
    ports,
    clock,
    log: silentLogger,
    connections: { source: async () => source, target: async () => target, inFlight: () => 1 },
    retry: { ladder: [20], jitter: 0 },
  }
  const scheme = withProcessors(
    lossScheme(
      new Map([
        ['A', 'M-A'],
        ['B', 'M-B'],
      ]),
    ),
    processors,
    { log: silentLogger, timeoutMs: 200, idField: 'io_id', numberField: 'io_id' },
  )
  return { ports, source, target, deps, scheme }
}

describe('processors in the pipeline', () => {
  it('a failing afterFetch leaves its window open (the cursor stops before it) and stores nothing from it', async () => {
    const s = await setup([
      {
        name: 'p',
        afterFetch: async (rows) => {
          if (rows.some((r) => r.io_id === 'IO2')) throw new Error('bad page')
          return rows
        },
      },
    ])
    const summary = await runScheme(s.deps, s.scheme)
    expect(summary.error).toMatchObject({ code: 'ERR_PROCESSOR_HOOK', location: 'processor:p.afterFetch' })
    expect([...s.target.bills.keys()]).toEqual(['IO1'])
    expect(await s.ports.windows.lastSyncTime(s.scheme.id, s.scheme.source.api, s.scheme.schedule.start)).toEqual(
      new Date('2026-11-02T00:00:00Z'),
    )
  })

  it('a beforeRequest that overruns its limit fails the first window and writes nothing', async () => {
    const s = await setup([{ name: 'slow', beforeRequest: () => new Promise((r) => setTimeout(r, 1000)) }])
    const summary = await runScheme(s.deps, s.scheme)
    expect(summary.error).toMatchObject({ code: 'ERR_PROCESSOR_TIMEOUT' })
    expect(s.target.bills.size).toBe(0)
    expect(s.source.reads).toHaveLength(0)
  })

  it('beforeStore splits a record into parts with their own ids and drops one with null', async () => {
    const s = await setup([
      {
        name: 'split',
        beforeStore: async (r) => {
          if (r.io_id === 'IO3') return null
          const items = r.items as unknown[]
          return items.length > 1 ? items.map((it) => ({ ...r, items: [it] })) : r
        },
      },
    ])
    await runScheme(s.deps, s.scheme)
    expect([...s.target.bills.keys()].sort()).toEqual(['IO1-1', 'IO1-2', 'IO2'])
  })

  it('parks only the records whose afterWrite hook throws, and keeps their target ids; a retry never writes again', async () => {
    let failing = true
    const s = await setup([
      {
        name: 'aw',
        afterWrite: async (answer, ctx) => {
          if (failing && ctx.recordId !== 'IO2') throw new Error('audit log down')
          return { response: { audited: true, vendor: answer.response ?? null } }
        },
      },
    ])
    const summary = await runScheme(s.deps, s.scheme)
    expect(s.target.writes).toHaveLength(3)
    expect(summary.counters.written).toBe(1)
    expect(summary.counters.failed).toBe(2)
    const io1 = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO1' })
    expect(io1).toMatchObject({ status: 'error', lastError: { code: 'ERR_PROCESSOR_HOOK' } })
    expect(io1?.lastError?.message).toContain('hook afterWrite')
    expect(io1?.targetId).toEqual(expect.any(String))
    expect((await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO2' }))?.status).toBe('done')

    failing = false
    expect((await s.ports.ledger.requeue(s.scheme.id, { allFailed: true })).requeued.sort()).toEqual(['IO1', 'IO3'])
    await runScheme(s.deps, s.scheme)
    expect(s.target.writes).toHaveLength(3)
    const again = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO1' })
    expect(again).toMatchObject({ status: 'done', targetId: io1?.targetId, response: { audited: true } })
  })

  it('parks a record whose afterWrite overruns on a refused answer without a target id, so a retry writes it', async () => {
    let slow = true
    const s = await setup([
      {
        name: 'aw',
        timeoutMs: 50,
        afterWrite: async (answer, ctx) => {
          if (slow && ctx.recordId === 'IO1') await new Promise((r) => setTimeout(r, 1000))
          return answer
        },
      },
    ])
    s.target.faults.set('IO1', ['data'])
    await runScheme(s.deps, s.scheme)
    const io1 = await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO1' })
    expect(io1).toMatchObject({ status: 'error', lastError: { code: 'ERR_PROCESSOR_TIMEOUT' } })
    expect(io1?.targetId).toBeNull()
    slow = false
    await s.ports.ledger.requeue(s.scheme.id, { ids: ['IO1'] })
    await runScheme(s.deps, s.scheme)
    expect((await s.ports.ledger.getRecord({ schemeId: s.scheme.id, recordId: 'IO1' }))?.status).toBe('done')
    expect(s.target.bills.has('IO1')).toBe(true)
    expect(s.target.writes.filter((w) => w.key === 'IO1')).toHaveLength(2)
  })
})
