/**
 * Data-quality rules of a scheme's target side, end to end: the case-article scheme with a
 * `target.quality` regex on bill_no runs against the simulators; failing records are parked with
 * the rule's code and field path, the rest are written, and the run keeps its quality summary.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openHost, type Host } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { summaryText } from '../../src/engine/report.js'
import { runScheme } from '../../src/engine/run.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { readQualitySummary } from '../../src/quality/summary.js'
import { LOSS, world, type World } from './support.js'

describe('data-quality rules in a run', () => {
  let w: World | undefined
  let h: Host | undefined
  afterEach(async () => {
    await h?.close()
    await w?.close()
  })

  it("parks records failing a quality rule with its code and path, writes the rest and keeps the run's quality summary", async () => {
    w = await world({ orders: 40, days: 2, seed: 23 })
    const doc = JSON.parse(readFileSync(join(examplesDir(), `${LOSS}.json`), 'utf8')) as {
      target: Record<string, unknown>
    }
    doc.target.quality = [
      { rule: 'regex', path: 'bill_no', pattern: '[02468]$', name: 'even bill numbers only' },
      { rule: 'unique', path: 'bill_no' },
    ]
    const file = join(w.dir, 'loss-with-quality.json')
    writeFileSync(file, JSON.stringify(doc))
    await w.host.close()
    h = await openHost(
      { ...w.config, schemes: w.config.schemes.map((s) => (s.file.endsWith(`${LOSS}.json`) ? { ...s, file } : s)) },
      { log: silentLogger },
    )
    w.host = h
    for (const id of ['jdy-materials', 'jdy-stores']) await runScheme(h.deps, h.scheme(id))
    const s = await runScheme(h.deps, h.scheme(LOSS))

    expect(s.quality?.map((q) => [q.rule, q.code, q.path])).toEqual([
      ['even bill numbers only', 'ERR_QUALITY_PATTERN', 'bill_no'],
    ])
    const parked = (await h.store.ledger.listRecords(LOSS, { status: 'error', limit: 1000 })).records.filter(
      (r) => r.lastError?.code === 'ERR_QUALITY_PATTERN',
    )
    expect(parked.length).toBe(s.quality?.[0]?.count)
    expect(parked.length).toBeGreaterThan(0)
    for (const r of parked) expect(String(r.payload?.bill_no)).toMatch(/[13579]$/)
    const written = (await h.store.ledger.listRecords(LOSS, { status: 'done', limit: 1000 })).records
    expect(written.length).toBeGreaterThan(0)
    for (const r of written) expect(String(r.payload?.bill_no)).toMatch(/[02468]$/)

    const [run] = await h.store.runs.list(LOSS, 1)
    expect((await readQualitySummary(h.store, run?.id ?? '')).map((q) => q.count)).toEqual([parked.length])
    expect((await h.store.runs.get(run?.id ?? '')).counters.quality).toEqual({
      'ERR_QUALITY_PATTERN bill_no': parked.length,
    })
    expect(summaryText(s)).toMatch(
      /quality:\n\s+even bill numbers only\s+ERR_QUALITY_PATTERN\s+\d+\s+e\.g\. record \S+ bill_no: /,
    )
  }, 60_000)
})
