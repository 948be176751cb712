/**
 * The 金蝶云星辰 (Kingdee JDY) connector declaration: target for 盘亏单 check-loss bills, plus
 * master-data lists (material, units, stores) as readers and as QUERY apis for mapping schemes.
 * Protocol code sits in named hooks: signing.ts, auth.ts (tokens), catalogue.ts (errors).
 */
import type { ConnectorContext, ConnectorRuntime, Page, ReadRequest, SourceRuntime, TimeWindow } from '../contract.js'
import { defineConnector } from '../contract.js'
import { toFerryError } from '../../core/errors.js'
import { BILL_API, CheckLossBills } from './bills.js'
import { JDY_CATALOGUE } from './catalogue.js'
import { JdyApi } from './client.js'
import { jdyConfigSpec, parseJdyConfig } from './config.js'
import { JdyUnsupported } from './errors.js'
import { MASTER_DATA_LISTS, masterDataReaders, readList } from './readers.js'

const QUERY_APIS: Readonly<Record<string, string>> = {
  [MASTER_DATA_LISTS.material.path]: '商品 material list',
  [MASTER_DATA_LISTS.measure_unit.path]: '计量单位 measure unit list',
  [MASTER_DATA_LISTS.material_unit.path]: '商品单位 material unit list',
  [MASTER_DATA_LISTS.store.path]: '仓库 store list',
}

/** Lists read whole (no time windows): master data is small and its time filters are unreliable (spec §5.2). */
function sourceRuntime(api: JdyApi): SourceRuntime {
  return {
    planWindows(_api: string, from: Date, to: Date): TimeWindow[] {
      return [{ start: from, end: to }]
    },
    read(req: ReadRequest): AsyncIterable<Page> {
      if (QUERY_APIS[req.api] === undefined)
        throw JdyUnsupported([`api ${req.api}`, Object.keys(QUERY_APIS).join(', ')])
      const enable = Object.values(MASTER_DATA_LISTS).find((l) => l.path === req.api)?.enable === true
      return readList(
        api,
        req.api,
        enable && req.params.enable === undefined ? { ...req.params, enable: -1 } : req.params,
        req.signal,
      )
    },
  }
}

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
  open(ctx: ConnectorContext): Promise<ConnectorRuntime> {
    let api: JdyApi
    try {
      api = new JdyApi(parseJdyConfig(ctx.config), ctx)
    } catch (e) {
      return Promise.reject(toFerryError(e))
    }
    const bills = new CheckLossBills(api, ctx.log)
    const readers = {
      ...masterDataReaders(api),
      check_loss_bills: (params: Record<string, unknown> = {}) => readList(api, BILL_API, params),
    }
    const close = async (): Promise<void> => {
      // Bills saved since the last bulk audit check are checked before the connection goes.
      await bills.flush()
      await api.close()
    }
    return Promise.resolve({ source: sourceRuntime(api), target: bills, readers, close })
  },
})

export { parseJdyConfig } from './config.js'
export { appSignature, canonicalQuery, signRequest, stringToSign } from './signing.js'
export { classify, JDY_CATALOGUE } from './catalogue.js'
