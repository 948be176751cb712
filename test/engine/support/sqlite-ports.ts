/**
 * The engine's store ports over a real store on SQLite in memory, for driving the pipeline in
 * unit tests. There is no second, test-only ledger: the engine runs against the same ledger
 * (claims, groups, fencing, statuses) as in production, on the test's clock.
 */
import { randomBytes } from 'node:crypto'
import type { Clock, EnginePorts } from '../../../src/engine/ports.js'
import { openStore, type Store } from '../../../src/store/index.js'

export interface TestPorts extends EnginePorts {
  readonly store: Store
}

/**
 * `clock`: the engine's clock, which the store stamps with too (one clock, as in the host).
 * `schemes` are registered as the host registers its schemes, so they can be paused.
 */
export async function sqlitePorts(
  clock?: Clock,
  schemes: readonly { readonly id: string; readonly name: string }[] = [],
): Promise<TestPorts> {
  const store = await openStore({
    url: 'sqlite::memory:',
    masterKey: randomBytes(32),
    ...(clock === undefined ? {} : { now: () => clock.now().getTime() }),
  })
  for (const s of schemes) await store.schemes.save(s.id, JSON.stringify({ id: s.id }), { name: s.name })
  return { ...store, store }
}
