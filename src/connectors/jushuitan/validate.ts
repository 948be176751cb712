/**
 * Pre-call validation (spec §6.1): requests the API would refuse are refused here, with a coded
 * config error naming the parameter, before any request is sent and before any quota is spent.
 */
import type { TimeWindow } from '../contract.js'
import { JST_STATUSES, MAX_PAGE_SIZE, type JstStatus } from './config.js'
import { JstBadParam, JstHalfRange, JstNoSelector, JstTooManyIds, JstWindowTooLong } from './errors.js'
import { parseJstTime } from './time.js'

export interface ListQuery {
  /** Epoch ms, both present or both absent. */
  readonly begin?: number
  readonly end?: number
  readonly ids?: readonly string[]
  readonly status?: JstStatus
  readonly extra: Readonly<Record<string, unknown>>
}

export interface ListRules {
  readonly api: string
  /** Name of the id-list parameter (`io_ids`, `sku_ids`) and its per-call maximum. */
  readonly idsField: string
  readonly maxIds: number
  readonly maxWindowMs: number
  readonly pageSize?: number
}

/** Parameters the connector sets itself; everything else passes through to `biz` untouched. */
const OWN = new Set(['modified_begin', 'modified_end', 'page_index', 'page_size', 'status'])

/** Check a query's parameters (and window) against the API's rules. Throws ERR_JST_* config errors. */
export function validateListQuery(
  params: Readonly<Record<string, unknown>>,
  window: TimeWindow | undefined,
  r: ListRules,
): ListQuery {
  const at = (k: string) => ({ location: `params.${k}` })
  const size = params.page_size ?? r.pageSize
  if (size !== undefined && !(Number.isInteger(Number(size)) && Number(size) >= 1 && Number(size) <= MAX_PAGE_SIZE)) {
    throw JstBadParam([r.api, `page_size must be 1-${MAX_PAGE_SIZE}, got ${JSON.stringify(size)}`], at('page_size'))
  }
  let begin: number | undefined
  let end: number | undefined
  if (window !== undefined) {
    begin = window.start.getTime()
    end = window.end.getTime()
  } else {
    const hasB = params.modified_begin !== undefined && params.modified_begin !== ''
    const hasE = params.modified_end !== undefined && params.modified_end !== ''
    if (hasB !== hasE)
      throw JstHalfRange(
        [r.api, hasB ? 'modified_begin' : 'modified_end'],
        at(hasB ? 'modified_end' : 'modified_begin'),
      )
    if (hasB) {
      begin = parseJstTime(params.modified_begin)
      end = parseJstTime(params.modified_end)
      if (begin === undefined)
        throw JstBadParam([r.api, 'modified_begin must be "yyyy-MM-dd HH:mm:ss"'], at('modified_begin'))
      if (end === undefined)
        throw JstBadParam([r.api, 'modified_end must be "yyyy-MM-dd HH:mm:ss"'], at('modified_end'))
    }
  }
  if (begin !== undefined && end !== undefined) {
    if (end < begin) throw JstWindowTooLong([r.api, 'modified_end is before modified_begin'], at('modified_end'))
    if (end - begin > r.maxWindowMs) {
      const days = Math.round(((end - begin) / 86_400_000) * 100) / 100
      throw JstWindowTooLong(
        [r.api, `the window spans ${days} days; at most ${r.maxWindowMs / 86_400_000} days per query`],
        at('modified_end'),
      )
    }
  }
  const ids = parseIds(params[r.idsField])
  if (ids !== undefined && ids.length > r.maxIds)
    throw JstTooManyIds([r.api, r.idsField, ids.length, r.maxIds], at(r.idsField))
  if (begin === undefined && (ids === undefined || ids.length === 0))
    throw JstNoSelector([r.api, r.idsField], at(r.idsField))
  const status = params.status
  if (status !== undefined && status !== '' && !(JST_STATUSES as readonly unknown[]).includes(status)) {
    throw JstBadParam([r.api, `status must be one of ${JST_STATUSES.join(', ')}`], at('status'))
  }
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params)) if (!OWN.has(k) && k !== r.idsField && v !== undefined) extra[k] = v
  return {
    ...(begin === undefined ? {} : { begin, end }),
    ...(ids === undefined || ids.length === 0 ? {} : { ids }),
    ...(typeof status === 'string' && status !== '' ? { status: status as JstStatus } : {}),
    extra,
  }
}

function parseIds(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined
  const scalar = (x: unknown): string => (typeof x === 'string' || typeof x === 'number' ? String(x) : '')
  const list = Array.isArray(v) ? v.map(scalar) : scalar(v).split(',')
  return list.map((s) => s.trim()).filter((s) => s !== '')
}
