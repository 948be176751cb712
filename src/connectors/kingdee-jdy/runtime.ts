/**
 * Wires one 金蝶云星辰 connection: the gateway client (api.ts, with its token holder tokens.ts), the
 * check-loss bill target (bills.ts), master-data lists as readers and as QUERY apis read whole.
 */
import type { ConnectorContext, ConnectorRuntime, Page, ReadRequest, SourceRuntime, TimeWindow } from '../contract.js'
import { toFerryError } from '../../core/errors.js'
import { JdyApi } from './api.js'
import { BILL_API, CheckLossBills } from './bills.js'
import { parseJdyConfig } from './config.js'
import { JdyUnsupported } from './errors.js'
import { MASTER_DATA_LISTS, masterDataReaders, readList } from './readers.js'

/** The master-data lists a scheme may read (QUERY apis), with their titles for the declaration. */
export const QUERY_APIS: Readonly<Record<string, string>> = {
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

export function openJdy(ctx: ConnectorContext): Promise<ConnectorRuntime> {
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
}
