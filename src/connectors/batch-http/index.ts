/**
 * A generic batch target over HTTP+JSON, answering in the shape of 金蝶云星空's batchSave. It is
 * the smallest connector that accepts `operation: batchArraySave`, and the template for a new
 * connector: one folder with the roles of every connector folder — index.ts (this declaration),
 * config.ts (settings), catalogue.ts (what vendor answers mean), errors.ts (Ferry codes),
 * runtime.ts (open) — and one line in ../builtin.ts. Protocol: docs/connectors/batch-http.md.
 */
import { defineConnector } from '../contract.js'
import { BATCH_HTTP_CATALOGUE } from './catalogue.js'
import { BATCH_HTTP_CONFIG } from './config.js'
import { openBatchHttp } from './runtime.js'

export const batchHttp = defineConnector({
  name: 'batch-http',
  title: 'Generic batch target (HTTP+JSON, 星空 batchSave answers)',
  version: 1,
  config: BATCH_HTTP_CONFIG,
  apis: [{ api: '/batchSave', effect: 'EXECUTE', title: 'batch save (array of documents)', businessKey: 'FBillNo' }],
  errorCatalogue: BATCH_HTTP_CATALOGUE,
  budget: { perSecond: 10, perMinute: 600, inFlight: 2 },
  open: openBatchHttp,
})

export { settleBatchAnswer } from './catalogue.js'
