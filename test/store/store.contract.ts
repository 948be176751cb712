/**
 * The store contract: every dialect must pass the same behaviour suite.
 * Run it with `describeStore(factory)`; see store.sqlite.test.ts and store.postgres.test.ts.
 */
import { describe } from 'vitest'
import { describeClaims } from './claims.contract.js'
import { describeCollections } from './collections.contract.js'
import { describeFencing } from './fencing.contract.js'
import type { StoreFactory } from './harness.js'
import { describeLedger } from './ledger.contract.js'
import { describeLedgerGroups } from './ledger-groups.contract.js'
import { describeState } from './state.contract.js'

export function describeStore(factory: StoreFactory): void {
  describe(`store on ${factory.dialect}`, () => {
    describeState(factory)
    describeLedger(factory)
    describeLedgerGroups(factory)
    describeCollections(factory)
    describeFencing(factory)
    describeClaims(factory)
  })
}
