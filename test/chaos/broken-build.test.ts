/**
 * The suite must be able to fail: run the same chaos property against a deliberately broken
 * build (no-probe-bin.ts: the JDY probe always answers "absent", so an unknown outcome is
 * followed by a blind re-write) and show that it is caught.
 */
import { describe, expect, it } from 'vitest'
import { runSeed, type SeedOptions } from './harness.js'
import { NO_PROBE_BIN } from './processes.js'
import { chaosPlan } from './schedule.js'

describe('chaos: a build without the probe fails the suite', () => {
  it('finds duplicate bills when the probe is disabled and saves time out after commit', async () => {
    const seed = 1
    // The seed's schedule has a timeout-after-commit on a JDY save in every round.
    expect(chaosPlan(seed).rounds.every((r) => r.jdy.some((x) => x.label === 'jdy_timeout_after_commit'))).toBe(true)
    const opts: SeedOptions = { target: 'lenient', bin: NO_PROBE_BIN }
    const r = await runSeed(seed, opts)
    expect(r.ok).toBe(false)
    expect(r.duplicates).toBeGreaterThan(0)
    expect(r.problems.filter((p) => p.startsWith('duplicate: bill ')).length).toBeGreaterThan(0)
    expect(r.problems.some((p) => p.startsWith('harness:'))).toBe(false)
  }, 240_000)

  it('is caught against a target that refuses duplicate numbers too, by the ledger and reconcile checks', async () => {
    // JDY refuses the blind re-write, so no bill is doubled; but the broken build cannot tell its
    // own bill from someone else's, so records end parked or unknown while their bills exist (or
    // a bill whose save failed before commit is never written).
    const opts: SeedOptions = { target: 'strict', bin: NO_PROBE_BIN }
    const r = await runSeed(1, opts)
    expect(r.ok).toBe(false)
    expect(r.duplicates).toBe(0)
    expect(r.problems.some((p) => p.startsWith('ledger: record '))).toBe(true)
    expect(r.problems.some((p) => p.startsWith('harness:'))).toBe(false)
  }, 240_000)
})
