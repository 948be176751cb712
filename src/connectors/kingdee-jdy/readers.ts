/**
 * Master-data list readers (spec §5): material, measure_unit, material_unit, store.
 *
 * JDY silently serves at most 100 rows per page while computing `total_page` from the requested
 * size (spec §5.4), and lists sometimes repeat rows across pages. So the reader asks for ≤ 100,
 * walks `page = 1..total_page` (never stopping on a short page), de-duplicates by `id`, and at
 * the end checks the distinct rows against `count`. A clamp below the requested size is detected
 * (a short page before the last) and the walk is repeated once at the served size.
 */
import type { Page } from '../contract.js'
import type { JdyApi } from './api.js'
import { JDY_MAX_PAGE_SIZE } from './config.js'
import { int, isRecord, text } from './envelope.js'
import { JdyResponseInvalid, JdyRowsMissing } from './errors.js'
import type { QueryParams } from './sign.js'

/** Reader name → list path, and whether the list takes `enable` (default `-1`: all, spec §5.2). */
export const MASTER_DATA_LISTS = {
  material: { path: '/jdy/v2/bd/material', enable: true },
  measure_unit: { path: '/jdy/v2/bd/measure_unit', enable: true },
  material_unit: { path: '/jdy/v2/bd/material_unit', enable: false },
  store: { path: '/jdy/v2/bd/store', enable: true },
} as const

export type MasterDataName = keyof typeof MASTER_DATA_LISTS

function queryParams(params: Readonly<Record<string, unknown>>): Record<string, string | number | boolean | undefined> {
  const out: Record<string, string | number | boolean | undefined> = {}
  for (const [k, v] of Object.entries(params)) {
    // Array params have an unverified wire encoding (spec §2.2 [?]); objects make no sense here.
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v
  }
  return out
}

/** Read every row of a JDY list, page by page. Throws ERR_JDY_ROWS_MISSING when rows are lost. */
/** Consecutive pages without a new row after which a list read stops instead of paging on. */
const MAX_STALE_PAGES = 3

export async function* readList(
  api: JdyApi,
  path: string,
  params: Readonly<Record<string, unknown>> = {},
  signal?: AbortSignal,
): AsyncGenerator<Page> {
  const base: QueryParams = queryParams(params)
  const requested = int(params.page_size) ?? api.cfg.pageSize
  let pageSize = Math.max(1, Math.min(JDY_MAX_PAGE_SIZE, requested))
  const seen = new Set<string>()
  let anonymous = 0
  let count: number | undefined
  let pageIndex = 0
  for (let attempt = 0; attempt < 2; attempt++) {
    let served: number | undefined
    let totalPage = 1
    // A list whose total_page keeps promising pages that bring nothing new (absurd or drifting
    // totals) would otherwise be walked to the end; a few stale pages in a row end the read.
    let stale = 0
    const walkSeen = new Set<string>()
    for (let page = 1; page <= totalPage; page++) {
      const data = await api.get(path, { ...base, page, page_size: pageSize }, signal)
      if (!isRecord(data) || !Array.isArray(data.rows)) throw JdyResponseInvalid([path, 200, 'data.rows is not a list'])
      count = int(data.count) ?? count
      totalPage = int(data.total_page) ?? (count === undefined ? page : Math.ceil(count / pageSize))
      const rows: Record<string, unknown>[] = []
      let walkNew = 0
      for (const r of data.rows) {
        if (!isRecord(r)) continue
        const id = text(r.id)
        // Staleness is judged per walk: a re-walk at the served size legitimately repeats rows.
        if (id === undefined || !walkSeen.has(id)) walkNew++
        if (id !== undefined) walkSeen.add(id)
        if (id === undefined) anonymous++
        else if (seen.has(id)) continue
        else seen.add(id)
        rows.push(r)
      }
      if (page < totalPage && data.rows.length < pageSize && data.rows.length > 0)
        served = Math.min(served ?? pageSize, data.rows.length)
      yield {
        rows,
        pageIndex: pageIndex++,
        ...(count === undefined ? {} : { totalRows: count }),
        hasNext: page < totalPage,
      }
      stale = walkNew === 0 ? stale + 1 : 0
      if (stale >= MAX_STALE_PAGES && page < totalPage) {
        throw JdyRowsMissing([path, seen.size + anonymous, count ?? totalPage * pageSize], {
          details: { stalePages: stale, totalPage },
        })
      }
    }
    const got = seen.size + anonymous
    if (count === undefined || got >= count) return
    if (served === undefined || attempt > 0)
      throw JdyRowsMissing([path, got, count], { details: { got, count, pageSize } })
    // The server served fewer rows per page than asked: walk again at the size it really serves.
    pageSize = served
  }
}

/** The `readers` of the runtime: one per master-data list, `enable=-1` unless the caller says otherwise. */
export function masterDataReaders(
  api: JdyApi,
): Record<MasterDataName, (params?: Record<string, unknown>) => AsyncIterable<Page>> {
  const make =
    (name: MasterDataName) =>
    (params: Record<string, unknown> = {}) => {
      const spec = MASTER_DATA_LISTS[name]
      return readList(api, spec.path, spec.enable && params.enable === undefined ? { ...params, enable: -1 } : params)
    }
  return {
    material: make('material'),
    measure_unit: make('measure_unit'),
    material_unit: make('material_unit'),
    store: make('store'),
  }
}
