import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDemo } from '../../src/cli/demo-command.js'

describe('ferry demo --once', () => {
  it('runs the master-data schemes and the count → loss scheme against the simulators and exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-demo-'))
    try {
      const summaries = await runDemo({ once: true, orders: 60, days: 3, seed: 2, dataDir: dir, json: true })
      expect(summaries.map((s) => [s.schemeId, s.status])).toEqual([
        ['jdy-materials', 'ok'],
        ['jdy-stores', 'ok'],
        ['jst-count-to-jdy-check-loss', 'ok'],
      ])
      const loss = summaries[2]!
      expect(loss.counters.written).toBeGreaterThan(0)
      expect(loss.ledger.done).toBe(loss.counters.written)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
