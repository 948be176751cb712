/**
 * List paging shared by every JDY list (spec §5.4): page_size default 10, served at most 100,
 * total_page from the requested size when the truncation quirk is on, optional duplicate rows.
 */
import { businessError, type Reply } from './envelope.js'
import { queryValue, type ParsedRequest } from './gateway.js'
import type { ListOptions } from './types.js'

export interface PageRequest {
  readonly page: number
  readonly requested: number
  readonly served: number
}

function positiveInt(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback
  return /^\d{1,9}$/.test(text) && Number(text) > 0 ? Number(text) : undefined
}

/** Read `page`/`page_size`; a non-numeric or zero value is a validation error, as on the real API. */
export function readPage(req: ParsedRequest, o: ListOptions, errcode: number): PageRequest | Reply {
  const page = positiveInt(queryValue(req, 'page'), 1)
  if (page === undefined) return businessError(errcode, '参数page格式错误，应为正整数', 'validation')
  const requested = positiveInt(queryValue(req, 'page_size'), o.defaultPageSize)
  if (requested === undefined) return businessError(errcode, '参数page_size格式错误，应为正整数', 'validation')
  return { page, requested, served: Math.min(requested, o.maxPageSize) }
}

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x && 'body' in x
}

/** One page of `items` in the list envelope's `data` shape. */
export function paginate<T>(
  items: readonly T[],
  p: PageRequest,
  o: ListOptions,
  countAsString: boolean,
): Record<string, unknown> {
  const count = items.length
  const start = (p.page - 1) * p.served
  const rows = items.slice(start, start + p.served)
  const n = o.duplicateRowEveryNthPage
  if (n >= 2 && p.page % n === 0 && start > 0 && start - 1 < count) rows.unshift(items[start - 1] as T)
  const divisor = o.totalPageFrom === 'requested' ? p.requested : p.served
  return {
    count: countAsString ? String(count) : count,
    total_page: Math.ceil(count / divisor),
    page: p.page,
    page_size: p.requested,
    current_page_size: rows.length,
    rows,
  }
}

/** `enable` filter (spec §5.2): `1` enabled (default), `0` disabled, `-1` all. */
export function enableFilter(req: ParsedRequest, errcode: number): ((enabled: boolean) => boolean) | Reply {
  const v = queryValue(req, 'enable') ?? '1'
  if (v === '' || v === '1') return (e) => e
  if (v === '0') return (e) => !e
  if (v === '-1') return () => true
  return businessError(errcode, `参数enable[${v}]不合法，可选值为1、0、-1`, 'validation')
}

/** Epoch-ms range filters (`create_start_time` … `modify_end_time`), inclusive on both ends. */
export function timeFilter(
  req: ParsedRequest,
  errcode: number,
): ((row: { create_time: number; modify_time: number }) => boolean) | Reply {
  const bounds: Array<[keyof { create_time: number; modify_time: number }, 'start' | 'end', number]> = []
  for (const field of ['create', 'modify'] as const) {
    for (const side of ['start', 'end'] as const) {
      const key = `${field}_${side}_time`
      const v = queryValue(req, key)
      if (v === undefined || v === '') continue
      if (!/^\d{1,16}$/.test(v)) return businessError(errcode, `参数${key}格式错误，应为毫秒时间戳`, 'validation')
      bounds.push([`${field}_time`, side, Number(v)])
    }
  }
  return (row) => bounds.every(([f, side, t]) => (side === 'start' ? row[f] >= t : row[f] <= t))
}
