/**
 * The store contract on a real PostgreSQL, one random schema per test (dropped afterwards).
 * Locally an unreachable server skips the suite with the reason in its name; with CI=true it
 * fails instead, so CI can never pass without having run it.
 */
import { describe, expect, it } from 'vitest'
import { PG_URL, dialectEnabled, postgresFactory, postgresPlan, probePostgres } from './harness.js'
import { describeStore } from './store.contract.js'

const where = new URL(PG_URL).host
const plan = dialectEnabled('postgres')
  ? postgresPlan(await probePostgres(), process.env)
  : { run: false as const, fail: false, reason: 'STORE_DIALECTS excludes postgres' }

describe('choosing whether the PostgreSQL suite runs', () => {
  it('fails instead of skipping when CI=true and PostgreSQL is unreachable', () => {
    expect(postgresPlan({ ok: false, reason: 'ECONNREFUSED' }, { CI: 'true' })).toEqual({
      run: false,
      fail: true,
      reason: 'ECONNREFUSED',
    })
    expect(postgresPlan({ ok: false, reason: 'ECONNREFUSED' }, {})).toEqual({
      run: false,
      fail: false,
      reason: 'ECONNREFUSED',
    })
    expect(postgresPlan({ ok: true }, { CI: 'true' })).toEqual({ run: true })
  })
})

if (plan.run) {
  describeStore(postgresFactory())
} else if (plan.fail) {
  describe('store on postgres', () => {
    it(`needs PostgreSQL at ${where} in CI`, () => {
      expect.fail(`PostgreSQL at ${where} is required when CI=true: ${plan.reason}`)
    })
  })
} else {
  process.stderr.write(`store on postgres skipped: ${plan.reason}\n`)
  describe.skip(`store on postgres (skipped: ${where}: ${plan.reason})`, () => {
    it('runs the store contract', () => undefined)
  })
}
