import { describe, expect, it } from 'vitest'
import { budgetKeyFor } from '../../../src/connectors/budget.js'
import { jushuitan } from '../../../src/connectors/jushuitan/index.js'
import { createRegistry, secretFields } from '../../../src/connectors/registry.js'

describe('聚水潭 declaration', () => {
  it('passes the registry checks and offers the count, warehouse and SKU apis', () => {
    const reg = createRegistry([jushuitan])
    expect(reg.get('jushuitan').apis.map((a) => a.api)).toEqual([
      '/open/inventory/count/query',
      '/open/wms/partner/query',
      '/open/sku/query',
    ])
  })

  it('marks the app secret and tokens as secrets', () => {
    expect(secretFields(jushuitan).sort()).toEqual(['accessToken', 'appSecret', 'refreshToken'])
  })

  it('shares one budget per app_key with the spec limits (≤4/s, ≤90/min)', () => {
    expect(jushuitan.budget).toEqual({ perSecond: 4, perMinute: 90, inFlight: 2 })
    expect(budgetKeyFor(jushuitan, { appKey: 'K' }, 'conn-a')).toBe(budgetKeyFor(jushuitan, { appKey: 'K' }, 'conn-b'))
  })

  it('declares its error catalogue as plain data', () => {
    expect(JSON.parse(JSON.stringify(jushuitan.errorCatalogue))).toEqual(jushuitan.errorCatalogue)
    expect(jushuitan.errorCatalogue.find((e) => e.vendorCode === 199 && e.keywords === undefined)).toMatchObject({
      outcome: 'rate_limited',
      waitMs: 1000,
    })
  })
})
