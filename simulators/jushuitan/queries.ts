/**
 * The three business queries: count orders (JST spec §6, §11.3), SKUs (§7.2), warehouses (§7.1).
 * Paging is an offset computed on every request against the data as it is now (§11.3).
 */
import type { Rng } from '../common/prng.js'
import { parseShanghai } from '../data/shanghai-time.js'
import { JST_STATUSES, type JstCountOrder, type JstPartner, type JstSku, type JstStatus } from '../data/types.js'
import { intParam, listParam, pagedWindowParams, type Read } from './biz-params.js'
import { badParam } from './codes.js'
import type { JstBehaviour } from './options.js'
import type { CountSelection } from './visible-index.js'

export interface PageData<T> {
  page_index: number
  page_size: number
  data_count: number
  page_count: number
  has_next: boolean
  datas: T[]
}

const ALL_OWNERS = 2147483647

/** Where count queries read (the store's visible view). */
export interface CountSource {
  select(sel: CountSelection): readonly JstCountOrder[]
}

function page<T>(
  rows: readonly T[],
  pageIndex: number,
  size: { effective: number; forCount: number },
  b: JstBehaviour,
): PageData<T> {
  const offset = (pageIndex - 1) * size.effective
  const pageCount = Math.ceil(rows.length / size.forCount)
  return {
    page_index: pageIndex,
    page_size: size.effective,
    data_count: rows.length,
    page_count: pageCount,
    has_next: b.hasNextMode === 'page_count' ? pageIndex < pageCount : offset + size.effective < rows.length,
    datas: rows.slice(offset, offset + size.effective),
  }
}

/** Serialise one order per the feature flags and number encodings (§11.3). */
export function renderOrder(o: JstCountOrder, b: JstBehaviour): Record<string, unknown> {
  const id = (n: number) => (b.idsAsStrings ? String(n) : n)
  const q = (n: number) => (b.quantitiesAsStrings ? String(n) : n)
  const f = b.features
  const out: Record<string, unknown> = {
    type: o.type,
    io_id: id(o.io_id),
    io_date: o.io_date,
    status: o.status,
    warehouse: o.warehouse,
    creator_name: o.creator_name,
    remark: o.remark,
    wh_id: id(o.wh_id),
    wms_co_id: id(o.wms_co_id),
    modified: o.modified,
    f_status: o.f_status,
    labels: o.labels,
    items: o.items.map((it) => ({
      io_id: id(it.io_id),
      ioi_id: id(it.ioi_id),
      sku_id: it.sku_id,
      i_id: it.i_id,
      name: it.name,
      properties_value: it.properties_value,
      r_qty: q(it.r_qty),
      qty: q(it.qty),
      ...(f.batchEnabled
        ? { batch_id: it.batch_id, product_date: it.product_date, expiration_date: it.expiration_date }
        : {}),
      supplier_id: id(it.supplier_id),
    })),
  }
  if (f.virtualWarehouses) {
    out.lock_wh_id = id(o.lock_wh_id)
    out.lock_wh_name = o.lock_wh_name
  }
  if (f.batchEnabled) {
    out.batchs = o.batchs.map((x) => ({ ...x, qty: q(x.qty), supplier_id: id(x.supplier_id), ioi_id: id(x.ioi_id) }))
  } else if (b.emptyArraysInsteadOfOmit) {
    out.batchs = []
  }
  if (f.snEnabled) out.sns = o.sns.map((x) => ({ ...x, qty: q(x.qty) }))
  else if (b.emptyArraysInsteadOfOmit) out.sns = []
  for (const [k, v] of Object.entries(o.extra ?? {}))
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  return out
}

/** `/open/inventory/count/query`. */
export function countQuery(
  biz: Record<string, unknown>,
  orders: CountSource,
  coId: number,
  b: JstBehaviour,
  rng: Rng,
): Read<PageData<Record<string, unknown>>> {
  const params = pagedWindowParams(biz, b)
  if ('err' in params) return params
  const { pageIndex, size, range } = params.ok
  const ioIds = listParam(biz, 'io_ids', 50)
  if ('err' in ioIds) return ioIds
  if (ioIds.ok !== undefined && ioIds.ok.some((s) => !/^\d+$/.test(s)))
    return { err: badParam('io_ids必须是数字', 'biz:io_ids') }
  if (range === undefined && (ioIds.ok === undefined || ioIds.ok.length === 0)) {
    return { err: badParam('修改时间和盘点单号不能同时为空', 'biz:selector') }
  }
  const statusRaw = biz.status
  let statuses: readonly JstStatus[] = b.defaultStatuses
  if (statusRaw !== undefined && statusRaw !== null && statusRaw !== '') {
    if (typeof statusRaw !== 'string' || !(JST_STATUSES as readonly string[]).includes(statusRaw)) {
      if (b.unknownStatus === 'error') return { err: badParam('status取值不正确', 'biz:status') }
      statuses = []
    } else {
      statuses = [statusRaw as JstStatus]
    }
  }
  const owner = intParam(biz, 'owner_co_id', coId, 0)
  if ('err' in owner) return owner
  const ids = ioIds.ok === undefined ? undefined : new Set(ioIds.ok.map(Number))
  const mode = b.orderMode
  const matched = orders.select({
    ...(ids !== undefined ? { ids } : range !== undefined ? { range } : {}),
    endInclusive: b.endInclusive,
    statuses,
    owner: owner.ok === ALL_OWNERS ? undefined : owner.ok,
    order: mode === 'unstable_random' ? 'stored' : mode,
  })
  const p = page(mode === 'unstable_random' ? rng.shuffle(matched) : matched, pageIndex, size, b)
  return { ok: { ...p, datas: p.datas.map((o) => renderOrder(o, b)) } }
}

/** `/open/sku/query` (§7.2): sku_ids ≤ 20, page_size ≤ 50, window ≤ 7 days. */
export function skuQuery(
  biz: Record<string, unknown>,
  skus: readonly JstSku[],
  b: JstBehaviour,
): Read<PageData<JstSku>> {
  const params = pagedWindowParams(biz, b)
  if ('err' in params) return params
  const { pageIndex, size, range } = params.ok
  const skuIds = listParam(biz, 'sku_ids', 20)
  if ('err' in skuIds) return skuIds
  const skuCodes = listParam(biz, 'sku_codes', 20)
  if ('err' in skuCodes) return skuCodes
  const iIds = listParam(biz, 'i_ids', 20)
  if ('err' in iIds) return iIds
  const dateField = biz.date_field ?? 'modified'
  if (dateField !== 'modified' && dateField !== 'created')
    return { err: badParam('date_field只能是created或modified', 'biz:date_field') }
  const name = typeof biz.name === 'string' && biz.name !== '' ? biz.name : undefined
  const exact = typeof biz.exactly_name === 'string' && biz.exactly_name !== '' ? biz.exactly_name : undefined
  if (
    range === undefined &&
    skuIds.ok === undefined &&
    skuCodes.ok === undefined &&
    iIds.ok === undefined &&
    name === undefined &&
    exact === undefined
  ) {
    return { err: badParam('修改时间和商品编码不能同时为空', 'biz:selector') }
  }
  const r = range
  const rows = skus
    .filter((s) => {
      if (skuIds.ok !== undefined && !skuIds.ok.includes(s.sku_id)) return false
      if (skuCodes.ok !== undefined && !skuCodes.ok.includes(s.sku_code)) return false
      if (iIds.ok !== undefined && !iIds.ok.includes(s.i_id)) return false
      if (name !== undefined && !s.name.includes(name)) return false
      if (exact !== undefined && s.name !== exact) return false
      if (r !== undefined) {
        const t = parseShanghai(dateField === 'created' ? s.created : s.modified) ?? 0
        if (t < r.begin || t > r.end) return false
      }
      return true
    })
    .sort((x, y) => (x.modified < y.modified ? -1 : x.modified > y.modified ? 1 : x.autoid - y.autoid))
  return { ok: page(rows, pageIndex, size, b) }
}

/** `/open/wms/partner/query` (§7.1): default page_size 30; the maximum is undocumented, 100 here (clamped). */
export function partnerQuery(
  biz: Record<string, unknown>,
  partners: readonly JstPartner[],
  b: JstBehaviour,
): Read<PageData<JstPartner>> {
  const pi = intParam(biz, 'page_index', 1, 1)
  if ('err' in pi) return pi
  const ps = intParam(biz, 'page_size', 30, 1)
  if ('err' in ps) return ps
  const size = Math.min(ps.ok, 100)
  return { ok: page(partners, pi.ok, { effective: size, forCount: size }, b) }
}
