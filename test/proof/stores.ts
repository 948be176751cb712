/**
 * The store dialects the proof suites run on: SQLite always; PostgreSQL when it answers (locally
 * skipped with the reason printed; with CI=true an unreachable server fails the suite instead).
 */
import { describe, expect, it } from 'vitest'
import {
  PG_URL,
  dialectEnabled,
  postgresFactory,
  postgresPlan,
  probePostgres,
  sqliteFactory,
  type StoreFactory,
} from '../store/harness.js'

export async function storeFactories(): Promise<StoreFactory[]> {
  const out: StoreFactory[] = dialectEnabled('sqlite') ? [sqliteFactory] : []
  if (!dialectEnabled('postgres')) return out
  const plan = postgresPlan(await probePostgres(), process.env)
  if (plan.run) return [...out, postgresFactory()]
  const where = new URL(PG_URL).host
  describe('proof suite on postgres', () => {
    if (plan.fail)
      it(`needs PostgreSQL at ${where} in CI`, () => {
        expect.fail(`PostgreSQL at ${where} is required when CI=true: ${plan.reason}`)
      })
    else it.skip(`skipped: PostgreSQL at ${where} unreachable (${plan.reason})`, () => {})
  })
  return out
}
