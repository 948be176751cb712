import { describe, it } from 'vitest'
import { dialectEnabled, sqliteFactory } from './harness.js'
import { describeStore } from './store.contract.js'

if (dialectEnabled('sqlite')) describeStore(sqliteFactory)
else
  describe.skip('store on sqlite (skipped: STORE_DIALECTS excludes sqlite)', () => {
    it('is not selected', () => undefined)
  })
