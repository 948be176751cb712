/**
 * The 聚水潭 list reads: inventory count orders by window (split by their `data_count`, optional
 * per-status queries and verification), and the warehouse and SKU master data.
 */
import type { Page, TimeWindow } from '../contract.js'
import type { JstOptions, JstStatus } from './config.js'
import { decodePage, Emitter, scanAndVerify, type FetchPage, type Row, type VendorPage } from './paging.js'
import { parseJstTime, toJstTime } from './time.js'
import { validateListQuery, type ListQuery } from './validate.js'
import { splitWindow, splitWindowInto } from './windows.js'

export const COUNT_API = '/open/inventory/count/query'
export const PARTNER_API = '/open/wms/partner/query'
export const SKU_API = '/open/sku/query'

/** Share of a window's page capacity a split plans per part (see `partRows`). */
const PART_FILL = 0.8

/**
 * Most parts one split makes: an absurd `data_count` (a server bug) must not turn one window into
 * hundreds of thousands of calls at once; a part that still holds too much is split again by the
 * count it reports itself.
 */
const MAX_PARTS = 64

/** Maximum ids per call (spec §6.1 io_ids ≤ 50, §7.2 sku_ids ≤ 20). */
const MAX_IO_IDS = 50
const MAX_SKU_IDS = 20

/** A signed business call returning `data` (see runtime.ts). */
export type Business = (api: string, biz: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>

export interface ReadStats {
  splits: number
  verifyPasses: number
  verifyFound: number
}

export class JstReaders {
  readonly stats: ReadStats = { splits: 0, verifyPasses: 0, verifyFound: 0 }

  constructor(
    private readonly call: Business,
    private readonly o: JstOptions,
  ) {}

  /** Count orders of one window or id list; rows are deduplicated by io_id + modified. */
  async *counts(
    params: Readonly<Record<string, unknown>>,
    window: TimeWindow | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<Page> {
    const q = validateListQuery(params, window, {
      api: COUNT_API,
      idsField: 'io_ids',
      maxIds: MAX_IO_IDS,
      maxWindowMs: this.o.maxWindowMs,
      pageSize: this.o.pageSize,
    })
    const emitter = new Emitter(countKey, modifiedOf)
    const statuses: readonly (JstStatus | undefined)[] =
      q.status !== undefined ? [q.status] : (this.o.statuses ?? [undefined])
    for (const status of statuses) {
      const sq = { ...q, ...(status === undefined ? {} : { status }) }
      if (sq.ids !== undefined && sq.begin === undefined) yield* this.scan(COUNT_API, sq, emitter, countKey, signal)
      else yield* this.countWindow(sq, emitter, signal)
    }
  }

  /** Warehouses (`/open/wms/partner/query`): the whole list, deduplicated by wms_co_id. */
  async *warehouses(params: Readonly<Record<string, unknown>> = {}, signal?: AbortSignal): AsyncGenerator<Page> {
    const key = (r: Row) =>
      typeof r.wms_co_id === 'number' || typeof r.wms_co_id === 'string'
        ? `w:${r.wms_co_id}`
        : `raw:${JSON.stringify(r)}`
    const fetch: FetchPage = async (i) =>
      decodePage(
        PARTNER_API,
        await this.call(PARTNER_API, { ...params, page_index: i, page_size: this.o.pageSize }, signal),
        i,
      )
    yield* scanAndVerify(fetch, new Emitter(key, modifiedOf), key, { passes: this.o.verifyPasses, label: PARTNER_API })
  }

  /** SKUs (`/open/sku/query`) by `sku_ids` (any number; sent 20 per call) or by a modified window (≤ 7 days). */
  async *skus(
    params: Readonly<Record<string, unknown>>,
    window: TimeWindow | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<Page> {
    const q = validateListQuery(params, window, {
      api: SKU_API,
      idsField: 'sku_ids',
      maxIds: Infinity,
      maxWindowMs: this.o.maxWindowMs,
      pageSize: this.o.pageSize,
    })
    const emitter = new Emitter(skuKey, modifiedOf)
    if (q.ids !== undefined && q.begin === undefined) {
      for (let i = 0; i < q.ids.length; i += MAX_SKU_IDS) {
        yield* this.scan(SKU_API, { ...q, ids: q.ids.slice(i, i + MAX_SKU_IDS) }, emitter, skuKey, signal)
      }
      return
    }
    yield* this.scan(SKU_API, q, emitter, skuKey, signal)
  }

  private async *countWindow(q: ListQuery, emitter: Emitter, signal?: AbortSignal): AsyncGenerator<Page> {
    const fetch = this.fetcher(COUNT_API, q, signal)
    const first = await fetch(1)
    const pages =
      first.dataCount === undefined ? (first.hasNext ? Infinity : 1) : Math.ceil(first.dataCount / this.o.pageSize)
    if (pages > this.o.maxPagesPerWindow && q.begin !== undefined && q.end !== undefined) {
      const w = { start: new Date(q.begin), end: new Date(q.end) }
      const parts =
        first.dataCount === undefined
          ? splitWindow(w, this.o.minWindowMs)
          : splitWindowInto(w, Math.min(MAX_PARTS, Math.ceil(first.dataCount / this.partRows())), this.o.minWindowMs)
      if (parts !== undefined) {
        this.stats.splits += 1
        // The rows of this page were paid for and are real; the parts re-read them, deduplicated.
        const rows = emitter.fresh(first.rows)
        if (rows.length > 0) yield emitter.page(rows, { ...first, hasNext: true })
        for (const h of parts)
          yield* this.countWindow({ ...q, begin: h.start.getTime(), end: h.end.getTime() }, emitter, signal)
        return
      }
    }
    yield* scanAndVerify(fetch, emitter, countKey, this.verifyOptions(q), first)
  }

  /**
   * Rows to plan per part when a window is split by its `data_count`. Under what fits, because rows
   * are not spread evenly in time and a part that overflows costs its first page again; 0.8 of a
   * page read the bench's 30 days in 1.37 calls per page needed without an overflow, where halving
   * took 2.9 (most halves came out a third full, and every split paid a page for nothing).
   */
  private partRows(): number {
    return Math.max(1, Math.floor(this.o.pageSize * this.o.maxPagesPerWindow * PART_FILL))
  }

  private scan(
    api: string,
    q: ListQuery,
    emitter: Emitter,
    key: (r: Row) => string,
    signal?: AbortSignal,
  ): AsyncGenerator<Page> {
    return scanAndVerify(this.fetcher(api, q, signal), emitter, key, this.verifyOptions(q))
  }

  private fetcher(api: string, q: ListQuery, signal?: AbortSignal): FetchPage {
    const idsField = api === SKU_API ? 'sku_ids' : 'io_ids'
    return async (pageIndex: number): Promise<VendorPage> => {
      const biz: Record<string, unknown> = {
        page_index: pageIndex,
        page_size: this.o.pageSize,
        ...(q.begin === undefined || q.end === undefined
          ? {}
          : { modified_begin: toJstTime(q.begin), modified_end: toJstTime(q.end) }),
        ...(q.ids === undefined ? {} : { [idsField]: q.ids.join(',') }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...q.extra,
      }
      return decodePage(api, await this.call(api, biz, signal), pageIndex)
    }
  }

  private verifyOptions(q: ListQuery) {
    const label =
      q.begin !== undefined && q.end !== undefined
        ? `${toJstTime(q.begin)}..${toJstTime(q.end)}${q.status === undefined ? '' : ` (${q.status})`}`
        : `ids ${q.ids?.slice(0, 3).join(',') ?? ''}${(q.ids?.length ?? 0) > 3 ? ',…' : ''}`
    return {
      passes: this.o.verifyPasses,
      label,
      onVerify: (_pass: number, found: number) => {
        this.stats.verifyPasses += 1
        this.stats.verifyFound += found
      },
    }
  }
}

/** io_id as text (numbers and numeric strings agree); rows without one are keyed by content. */
function countKey(r: Row): string {
  const id = r.io_id
  return typeof id === 'number' || (typeof id === 'string' && id !== '')
    ? `io:${String(id)}`
    : `raw:${JSON.stringify(r)}`
}

function skuKey(r: Row): string {
  return typeof r.sku_id === 'string' && r.sku_id !== '' ? `sku:${r.sku_id}` : `raw:${JSON.stringify(r)}`
}

function modifiedOf(r: Row): number {
  return parseJstTime(r.modified) ?? -Infinity
}
