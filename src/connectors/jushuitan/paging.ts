/**
 * Paging a 聚水潭 list query without trusting any single field (spec §5.2, §9.1, §10.5):
 * a pass goes on while `has_next` says so OR the rows seen fall short of `data_count` (the clamp
 * quirk makes `has_next`/`page_count` lie), and stops at an empty page. A pass is consistent when
 * every page reported the same `data_count` and the distinct rows match it. Multi-page or
 * inconsistent windows are re-scanned until a pass finds nothing new and agrees with the one
 * before it, so rows shifted between pages by concurrent edits are found, not missed.
 */
import type { Page } from '../contract.js'
import { JstBadResponse, JstWindowUnstable } from './errors.js'

export type Row = Record<string, unknown>

export interface VendorPage {
  readonly pageIndex: number
  readonly rows: readonly Row[]
  readonly dataCount: number | undefined
  readonly hasNext: boolean
}

export type FetchPage = (pageIndex: number) => Promise<VendorPage>

const truthy = (v: unknown) => v === true || v === 1 || v === 'true' || v === '1'

/** Decode the paging block `{page_index, page_size, data_count, page_count, has_next, datas}`. */
export function decodePage(api: string, data: unknown, pageIndex: number): VendorPage {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw JstBadResponse([api, 'the answer has no paging block in "data"'], { details: { outcome: 'transient' } })
  }
  const d = data as Record<string, unknown>
  const list = d.datas ?? []
  if (!Array.isArray(list)) throw JstBadResponse([api, '"datas" is not a list'], { details: { outcome: 'transient' } })
  const count = Number(d.data_count ?? d.total)
  const pageCount = Number(d.page_count)
  const hasNext = d.has_next === undefined ? Number.isFinite(pageCount) && pageIndex < pageCount : truthy(d.has_next)
  return {
    pageIndex,
    rows: list.filter((r): r is Row => typeof r === 'object' && r !== null && !Array.isArray(r)),
    dataCount: Number.isFinite(count) && count >= 0 ? count : undefined,
    hasNext,
  }
}

export interface Pass {
  readonly pages: readonly VendorPage[]
  readonly ids: ReadonlySet<string>
  readonly consistent: boolean
}

/** Read pages 1..N of one query (page 1 may be given); see the file comment for the stop rule. */
/** Consecutive pages without a new id after which a pass stops paging. */
const MAX_STALE_PAGES = 3

export async function scanPass(fetch: FetchPage, keyOf: (r: Row) => string, first?: VendorPage): Promise<Pass> {
  const pages: VendorPage[] = []
  const ids = new Set<string>()
  let page = first ?? (await fetch(1))
  // Pages that bring no new id in a row mean the vendor's totals are not to be trusted (e.g.
  // has_next forever with data_count 10^9): stop and let verification judge the pass.
  let stale = 0
  for (;;) {
    pages.push(page)
    const before = ids.size
    for (const r of page.rows) ids.add(keyOf(r))
    stale = ids.size === before ? stale + 1 : 0
    if (stale >= MAX_STALE_PAGES) return { pages, ids, consistent: false }
    const expected = page.dataCount
    const more = page.hasNext || (expected !== undefined && ids.size < expected)
    // The bound stops a server whose has_next never turns false from looping forever.
    const bound = Math.ceil(Math.max(expected ?? 0, ids.size) / Math.max(1, pages[0]?.rows.length ?? 1)) + 2
    if (!more || page.rows.length === 0 || pages.length >= bound) break
    page = await fetch(page.pageIndex + 1)
  }
  const counts = new Set(pages.map((p) => p.dataCount))
  const only = pages[0]?.dataCount
  return { pages, ids, consistent: counts.size === 1 && (only === undefined || only === ids.size) }
}

/** Remembers what was emitted in one read so a row is sent once per version (key + modified). */
export class Emitter {
  private readonly seen = new Map<string, number>()
  private index = 0
  emitted = 0

  constructor(
    private readonly keyOf: (r: Row) => string,
    private readonly versionOf: (r: Row) => number,
  ) {}

  /** Rows not emitted before, or newer than the emitted version. */
  fresh(rows: readonly Row[]): Row[] {
    const out: Row[] = []
    for (const r of rows) {
      const k = this.keyOf(r)
      const v = this.versionOf(r)
      const prev = this.seen.get(k)
      if (prev !== undefined && !(v > prev)) continue
      this.seen.set(k, v)
      out.push(r)
    }
    this.emitted += out.length
    return out
  }

  page(rows: Row[], p: VendorPage): Page {
    this.index += 1
    return {
      rows,
      pageIndex: this.index,
      hasNext: p.hasNext,
      ...(p.dataCount === undefined ? {} : { totalRows: p.dataCount }),
    }
  }
}

export interface VerifyOptions {
  readonly passes: number
  /** For messages: the window or id list being read. */
  readonly label: string
  readonly onVerify?: (pass: number, fresh: number) => void
}

/**
 * Emit one query's rows: a first pass, then, when it spanned several pages or disagreed with
 * itself, verification passes until one finds nothing new and matches the previous pass.
 */
export async function* scanAndVerify(
  fetch: FetchPage,
  emitter: Emitter,
  keyOf: (r: Row) => string,
  o: VerifyOptions,
  first?: VendorPage,
): AsyncGenerator<Page> {
  let prev = await scanPass(fetch, keyOf, first)
  for (const p of prev.pages) {
    const rows = emitter.fresh(p.rows)
    if (rows.length > 0) yield emitter.page(rows, p)
  }
  if (prev.pages.length <= 1 && prev.consistent) return
  for (let pass = 1; pass <= o.passes; pass++) {
    const next = await scanPass(fetch, keyOf)
    let found = 0
    for (const p of next.pages) {
      const rows = emitter.fresh(p.rows)
      found += rows.length
      if (rows.length > 0) yield emitter.page(rows, p)
    }
    o.onVerify?.(pass, found)
    if (found === 0 && next.consistent && sameSet(prev.ids, next.ids)) return
    prev = next
  }
  throw JstWindowUnstable([o.label, o.passes], { details: { outcome: 'transient' } })
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}
