/**
 * The 聚水潭 (Jushuitan, JST) connector declaration: a source of inventory count orders
 * (`/open/inventory/count/query`) with warehouse and SKU master data. Code the declaration cannot
 * express lives in named modules: signing (sign.ts), tokens (tokens.ts), the error catalogue
 * (catalogue.ts), window planning (windows.ts) and paging with verification (paging.ts).
 */
import { defineConnector } from '../contract.js'
import { JST_CATALOGUE } from './catalogue.js'
import { JST_CONFIG } from './config.js'
import { COUNT_API, PARTNER_API, SKU_API } from './readers.js'
import { openJst } from './runtime.js'

export const jushuitan = defineConnector({
  name: 'jushuitan',
  title: '聚水潭 Jushuitan',
  version: 1,
  config: JST_CONFIG,
  apis: [
    { api: COUNT_API, effect: 'QUERY', title: '库存盘点查询 inventory count orders' },
    { api: PARTNER_API, effect: 'QUERY', title: '仓库查询 warehouses' },
    { api: SKU_API, effect: 'QUERY', title: '普通商品资料查询 SKUs' },
  ],
  // Catalogue entries without their builder functions: the declaration stays plain data.
  errorCatalogue: JST_CATALOGUE.map(({ error: _error, ...entry }) => entry),
  // Spec §8.2: the vendor allows 5/s and 100/min per app; stay under both, one or two in flight.
  budget: { perSecond: 4, perMinute: 90, inFlight: 2 },
  // One budget per app_key, however many connections and schemes use it (the app_key is not secret).
  budgetKey: (config) => String(config.appKey),
  open: (ctx) => Promise.resolve(openJst(ctx)),
})

export { planWindows, splitWindow } from './windows.js'
export { signJst, signingString } from './sign.js'
export { COUNT_API, PARTNER_API, SKU_API } from './readers.js'
export type { JstRuntime } from './runtime.js'
