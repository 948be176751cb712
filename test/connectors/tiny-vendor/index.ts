/**
 * A third connector made the way docs/connectors/README.md says: src/connectors/batch-http/
 * copied (index.ts, config.ts, catalogue.ts, errors.ts, runtime.ts), renamed and filled in. The
 * vendor is fake-vendor.ts, a tiny HTTP service with orders and invoices.
 */
import { defineConnector } from '../../../src/connectors/contract.js'
import { TINY_CATALOGUE } from './catalogue.js'
import { TINY_CONFIG } from './config.js'
import { openTiny } from './runtime.js'

export const tinyVendor = defineConnector({
  name: 'tiny-vendor',
  title: 'Tiny vendor (test)',
  version: 1,
  config: TINY_CONFIG,
  apis: [
    { api: '/orders', effect: 'QUERY', title: 'orders' },
    {
      api: '/invoices',
      effect: 'EXECUTE',
      title: 'invoice save',
      businessKey: 'number',
      rules: { required: ['customer'], positive: ['amount'] },
    },
  ],
  errorCatalogue: TINY_CATALOGUE,
  budget: { perSecond: 20, perMinute: 1000, inFlight: 2 },
  open: openTiny,
})
