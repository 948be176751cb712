/**
 * Reading `biz` parameters the way the real server appears to: numbers may arrive as JSON numbers
 * or numeric strings (JST spec §2), dates as `yyyy-MM-dd HH:mm:ss` Shanghai (§5.3).
 */
import { parseShanghai } from '../data/shanghai-time.js'
import { badParam, type JstReject } from './codes.js'
import type { JstBehaviour } from './options.js'

export type Read<T> = { ok: T } | { err: JstReject }

export function intParam(biz: Record<string, unknown>, key: string, dflt: number, min: number): Read<number> {
  const v = biz[key]
  if (v === undefined || v === null || v === '') return { ok: dflt }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN
  if (!Number.isInteger(n) || n < min) return { err: badParam(`${key}必须是不小于${min}的整数`, `biz:${key}`) }
  return { ok: n }
}

/** page_size with the §6.1/§9.2 overflow behaviour: the effective size and the size page_count uses. */
export function pageSizeParam(
  biz: Record<string, unknown>,
  b: JstBehaviour,
  dflt: number,
  max: number,
): Read<{ effective: number; forCount: number }> {
  const r = intParam(biz, 'page_size', dflt, 1)
  if ('err' in r) return r
  const requested = r.ok
  if (requested <= max) return { ok: { effective: requested, forCount: requested } }
  if (b.pageSizeOverflow === 'error') return { err: badParam(`page_size最大${max}`, 'biz:page_size') }
  return { ok: { effective: max, forCount: b.pageSizeOverflow === 'clamp_quirk' ? requested : max } }
}

export interface TimeRange {
  readonly begin: number
  readonly end: number
  readonly beginText: string
  readonly endText: string
}

/** Both-or-neither modified bounds, format, order and the 7-day limit (§6.1, §11.2 step 11). */
export function rangeParam(
  biz: Record<string, unknown>,
  b: JstBehaviour,
  beginKey = 'modified_begin',
  endKey = 'modified_end',
): Read<TimeRange | undefined> {
  const rawBegin = biz[beginKey]
  const rawEnd = biz[endKey]
  const has = (v: unknown) => v !== undefined && v !== null && v !== ''
  if (!has(rawBegin) && !has(rawEnd)) return { ok: undefined }
  if (!has(rawBegin) || !has(rawEnd)) return { err: badParam(`${beginKey}和${endKey}必须同时存在`, 'biz:range_pair') }
  if (typeof rawBegin !== 'string' || typeof rawEnd !== 'string')
    return { err: badParam('时间格式必须为yyyy-MM-dd HH:mm:ss', 'biz:date_format') }
  const begin = parseShanghai(rawBegin, b.lenientDates)
  const end = parseShanghai(rawEnd, b.lenientDates)
  if (begin === undefined || end === undefined)
    return { err: badParam('时间格式必须为yyyy-MM-dd HH:mm:ss', 'biz:date_format') }
  if (begin > end) return { err: badParam(`${beginKey}不能大于${endKey}`, 'biz:range_order') }
  const span = end - begin
  const seven = 7 * 86_400_000
  if (span > seven || (span === seven && !b.sevenDayInclusive))
    return { err: badParam('时间间隔不能超过七天', 'biz:range_7d') }
  return { ok: { begin, end, beginText: rawBegin, endText: rawEnd } }
}

/** page_index, page_size (default 30, max 50) and the modified range, checked in that order (§6.1, §7.2). */
export function pagedWindowParams(
  biz: Record<string, unknown>,
  b: JstBehaviour,
): Read<{ pageIndex: number; size: { effective: number; forCount: number }; range: TimeRange | undefined }> {
  const pi = intParam(biz, 'page_index', 1, 1)
  if ('err' in pi) return pi
  const ps = pageSizeParam(biz, b, 30, 50)
  if ('err' in ps) return ps
  const range = rangeParam(biz, b)
  if ('err' in range) return range
  return { ok: { pageIndex: pi.ok, size: ps.ok, range: range.ok } }
}

/** A comma-separated list (`io_ids`, `sku_ids`); arrays are accepted too. */
export function listParam(biz: Record<string, unknown>, key: string, max: number): Read<string[] | undefined> {
  const v = biz[key]
  if (v === undefined || v === null || v === '') return { ok: undefined }
  let items: string[]
  if (typeof v === 'string') items = v.split(',')
  else if (typeof v === 'number') items = [String(v)]
  else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) items = v.map(String)
  else return { err: badParam(`${key}必须是逗号分隔的字符串`, `biz:${key}`) }
  items = items.map((s) => s.trim()).filter((s) => s !== '')
  if (items.length > max) return { err: badParam(`${key}最多${max}个`, `biz:${key}_max`) }
  return { ok: items }
}
