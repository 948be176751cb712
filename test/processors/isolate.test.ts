/* eslint-disable @typescript-eslint/require-await -- in-memory fakes */
/**
 * Isolated processors (`isolate: true`): hooks run in a worker thread, so even a synchronous
 * infinite loop overruns its limit and parks only its record, on the pipeline over a SQLite store in memory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Clock, EngineLogger } from '../../src/engine/ports.js'
import { withProcessors } from '../../src/engine/processors.js'
import { runScheme, type EngineDeps } from '../../src/engine/run.js'
import { loadProcessorFile } from '../../src/processors/loader.js'
import { sqlitePorts } from '../engine/support/sqlite-ports.js'
import { FakeSource, FakeTarget, doc, lossScheme } from '../engine/support/fakes.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-isolate-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('isolated processors', () => {
  it('parks only the record whose hook loops synchronously forever, and logs from the worker with the record id', async () => {
    const file = join(dir, 'loops.mjs')
    writeFileSync(
      file,
      `export default {
  name: 'loops',
  isolate: true,
  timeoutMs: 300,
  beforeStore(record, ctx) {
    if (record.io_id === 'IO2') { while (true) {} }
    ctx.log.info('seen in worker', { where: 'worker' })
    return { ...record, remark: 'from the worker' }
  },
  beforeWrite(payload, ctx) {
    if (ctx.recordId === 'IO3') { for (;;) {} }
    return payload
  },
}
`,
    )
    const p = await loadProcessorFile(file)
    const logs: Record<string, unknown>[] = []
    const log: EngineLogger = {
      debug: () => {},
      info: (o, m) => logs.push({ ...o, msg: m }),
      warn: (o, m) => logs.push({ ...o, msg: m }),
      error: (o, m) => logs.push({ ...o, msg: m }),
    }
    const clock: Clock = { now: () => new Date('2026-11-04T00:00:00Z') }
    const ports = await sqlitePorts(clock)
    const source = new FakeSource([
      doc('IO1', '2026-11-01T05:00:00Z', [['A', -2]]),
      doc('IO2', '2026-11-02T06:00:00Z', [['A', -1]]),
      doc('IO3', '2026-11-03T06:00:00Z', [['A', -1]]),
    ])
    const target = new FakeTarget()
    const deps: EngineDeps = {
      ports,
      clock,
      log,
      connections: { source: async () => source, target: async () => target, inFlight: () => 1 },
      retry: { ladder: [20], jitter: 0 },
    }
    const scheme = withProcessors(lossScheme(new Map([['A', 'M-A']])), [p], {
      log,
      idField: 'io_id',
      numberField: 'io_id',
    })
    await runScheme(deps, scheme)
    expect([...target.bills.keys()]).toEqual(['IO1'])
    expect(target.bills.get('IO1')).toMatchObject({ remark: 'from the worker' })
    for (const [id, hook] of [
      ['IO2', 'beforeStore'],
      ['IO3', 'beforeWrite'],
    ]) {
      const r = await ports.ledger.getRecord({ schemeId: scheme.id, recordId: id! })
      expect(r?.status).toBe('error')
      expect(r?.lastError).toMatchObject({ code: 'ERR_PROCESSOR_TIMEOUT' })
      expect(r?.lastError?.message).toContain(`hook ${hook}`)
    }
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'seen in worker', recordId: 'IO1', hook: 'beforeStore', where: 'worker' }),
    )
    await ports.store.close()
  })
})
