/**
 * What the engine asks of the store, in the store's own vocabulary: the ledger (ledger-port.ts),
 * closed windows, leases, pause state and runs (each port declared next to the repository that
 * implements it: windows.ts, leases.ts, schemes.ts, runs.ts). `Store` is {@link EnginePorts}: the
 * engine is handed the store as it is, with no adapter converting shapes in between.
 *
 * Every time these stamp (lease expiries, run starts and ends, pauses) comes from the store
 * clock, which the engine host sets to the engine's clock.
 */
import type { Fence } from './context.js'
import type { LeasePort } from './leases.js'
import type { LedgerPort } from './ledger-port.js'
import type { RunPort } from './runs.js'
import type { SchemeStatePort } from './schemes.js'
import type { CursorPort } from './windows.js'

/** Everything the engine needs from the store; `Store` is one. */
export interface EnginePorts {
  readonly ledger: LedgerPort
  readonly windows: CursorPort
  readonly leases: LeasePort
  readonly schemes: SchemeStatePort
  readonly runs: RunPort
  /**
   * The same ports with every ledger and window write fenced by a lease this process holds: the
   * store refuses them (ERR_STORE_LEASE_FENCED) once another holder has a newer token.
   */
  fenced(fence: Fence): EnginePorts
}
