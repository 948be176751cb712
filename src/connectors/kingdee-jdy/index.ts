/**
 * The 金蝶云星辰 (Kingdee JDY) connector declaration: target for 盘亏单 check-loss bills, plus
 * master-data lists (material, units, stores) as readers and as QUERY apis for mapping schemes.
 * The files have the roles of every connector folder (docs/connectors/README.md): config.ts
 * (settings), catalogue.ts (vendor codes), errors.ts (Ferry codes), runtime.ts (open), api.ts (one
 * call with its recovery rules), sign.ts, tokens.ts, readers.ts; bills.ts is the target.
 */
import { defineConnector } from '../contract.js'
import { BILL_API } from './bills.js'
import { JDY_CATALOGUE } from './catalogue.js'
import { jdyConfigSpec } from './config.js'
import { openJdy, QUERY_APIS } from './runtime.js'

export const kingdeeJdy = defineConnector({
  name: 'kingdee-jdy',
  title: '金蝶云星辰 Kingdee JDY',
  version: 1,
  config: jdyConfigSpec,
  apis: [
    {
      api: BILL_API,
      effect: 'EXECUTE',
      title: '盘亏单 check-loss bill save (+ audit)',
      businessKey: 'bill_no',
      // JDY refuses (or worse, books wrongly) a check-loss entry without material, unit or store,
      // or with qty ≤ 0; these hold whatever the scheme marks `is_required`.
      rules: {
        required: [
          'bill_date',
          'material_entity[]',
          'material_entity[].material_id',
          'material_entity[].unit_id',
          'material_entity[].stock_id',
          'material_entity[].qty',
        ],
        positive: ['material_entity[].qty'],
      },
    },
    ...Object.entries(QUERY_APIS).map(([api, title]) => ({ api, effect: 'QUERY' as const, title })),
  ],
  errorCatalogue: JDY_CATALOGUE,
  // Below the observed 500/min per book (spec §3.3), ~6 rps with a small burst.
  budget: { perSecond: 6, perMinute: 400, inFlight: 4 },
  budgetKey: (config) =>
    [config.clientId, config.outerInstanceId]
      .map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : ''))
      .join('/'),
  open: openJdy,
})

export { parseJdyConfig } from './config.js'
export { appSignature, canonicalQuery, signRequest, stringToSign } from './sign.js'
export { classify, JDY_CATALOGUE } from './catalogue.js'
