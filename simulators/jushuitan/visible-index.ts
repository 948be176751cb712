/**
 * The visible view of the count-order store, kept as an index so a page request costs a binary
 * search and a slice instead of re-parsing and re-filtering every stored order (the 100k-order
 * bench spent most of the simulator's CPU there).
 *
 * The view is a pure function of the stored versions and the clock: per order, the last version in
 * its list whose `visibleFrom` has passed. It only changes when a version is pushed or when the
 * clock crosses some version's `visibleFrom`, so it is recomputed per order for the orders pushed
 * since the last read and those still holding a future version, and rebuilt from scratch only
 * when the clock moved back before a boundary the view already crossed.
 */
import type { JstCountOrder, JstStatus } from '../data/types.js'

export interface Version {
  /** undefined = hard-deleted. */
  readonly order: JstCountOrder | undefined
  readonly visibleFrom: number
  /** `modified` parsed once per version (0 when unparseable, as queries have always treated it). */
  readonly ms: number
}

export interface Entry {
  /** Position of the io_id in the store's insertion order (what an unsorted query would see). */
  readonly pos: number
  versions: Version[]
}

interface Row {
  readonly order: JstCountOrder
  readonly ms: number
  readonly pos: number
}

/** What a count query selects; `order: 'stored'` is insertion order (the input of a random shuffle). */
export interface CountSelection {
  readonly ids?: ReadonlySet<number>
  readonly range?: { readonly begin: number; readonly end: number }
  readonly endInclusive: boolean
  readonly statuses: readonly JstStatus[]
  /** undefined = every owner. */
  readonly owner: number | undefined
  readonly order: 'modified_asc' | 'modified_desc' | 'io_id_desc' | 'stored'
}

const byModified = (a: Row, b: Row): number => a.ms - b.ms || a.order.io_id - b.order.io_id
const CACHE_SIZE = 16

export class VisibleIndex {
  private byId = new Map<number, Row>()
  /** Visible rows sorted by (modified, io_id). */
  private sorted: Row[] = []
  private built = false
  /** The view holds for clock values in [lo, hi). */
  private lo = Number.NEGATIVE_INFINITY
  private hi = Number.POSITIVE_INFINITY
  /** io_ids with a version not yet visible at the last refresh. */
  private pending = new Set<number>()
  /** io_ids pushed since the last refresh. */
  private dirty = new Set<number>()
  /** Bumped whenever the view changes; keys the selection cache. */
  private generation = 0
  private cache = new Map<string, { generation: number; rows: readonly JstCountOrder[] }>()

  constructor(private readonly entries: ReadonlyMap<number, Entry>) {}

  /** Forget everything (after a reload of the store). */
  reset(): void {
    this.built = false
    this.byId.clear()
    this.sorted = []
    this.pending.clear()
    this.dirty.clear()
    this.cache.clear()
    this.generation++
  }

  /** A version was pushed for this io_id. */
  touched(ioId: number): void {
    this.dirty.add(ioId)
  }

  /** Visible orders in insertion order (a fresh array: callers may sort it). */
  visible(now: number): JstCountOrder[] {
    this.refresh(now)
    return [...this.byId.values()].sort((a, b) => a.pos - b.pos).map((r) => r.order)
  }

  /** The orders a count query matches, in the selection's order. Do not mutate the result. */
  select(sel: CountSelection, now: number): readonly JstCountOrder[] {
    this.refresh(now)
    if (sel.ids !== undefined)
      return this.order(
        [...sel.ids].flatMap((id) => this.byId.get(id) ?? []).filter((x) => this.matches(x, sel)),
        sel.order,
      )
    // Paging walks one window page by page; the matched list is the same until the view changes.
    const key = JSON.stringify([sel.range, sel.endInclusive, sel.statuses, sel.owner, sel.order])
    const hit = this.cache.get(key)
    if (hit !== undefined && hit.generation === this.generation) {
      this.cache.delete(key)
      this.cache.set(key, hit)
      return hit.rows
    }
    const r = sel.range
    const from = r === undefined ? 0 : this.lowerBound((m) => m >= r.begin)
    const to =
      r === undefined ? this.sorted.length : this.lowerBound(sel.endInclusive ? (m) => m > r.end : (m) => m >= r.end)
    const rows: Row[] = []
    for (let i = from; i < to; i++) {
      const x = this.sorted[i] as Row
      if (this.matches(x, sel)) rows.push(x)
    }
    // `sorted` is already in modified order: only the other orders need a sort.
    const out =
      sel.order === 'modified_asc'
        ? rows.map((x) => x.order)
        : sel.order === 'modified_desc'
          ? rows.reverse().map((x) => x.order)
          : this.order(rows, sel.order)
    this.cache.delete(key)
    this.cache.set(key, { generation: this.generation, rows: out })
    for (const k of this.cache.keys()) {
      if (this.cache.size <= CACHE_SIZE) break
      this.cache.delete(k)
    }
    return out
  }

  private matches(x: Row, sel: CountSelection): boolean {
    return sel.statuses.includes(x.order.status) && (sel.owner === undefined || x.order.owner_co_id === sel.owner)
  }

  private order(rows: Row[], order: CountSelection['order']): JstCountOrder[] {
    switch (order) {
      case 'modified_asc':
        rows.sort(byModified)
        break
      case 'modified_desc':
        rows.sort((a, b) => byModified(b, a))
        break
      case 'io_id_desc':
        rows.sort((a, b) => b.order.io_id - a.order.io_id)
        break
      case 'stored':
        rows.sort((a, b) => a.pos - b.pos)
        break
    }
    return rows.map((x) => x.order)
  }

  /** First index of `sorted` whose modified time satisfies `past` (monotone over the sort order). */
  private lowerBound(past: (ms: number) => boolean): number {
    let a = 0
    let b = this.sorted.length
    while (a < b) {
      const mid = (a + b) >>> 1
      if (past((this.sorted[mid] as Row).ms)) b = mid
      else a = mid + 1
    }
    return a
  }

  private refresh(now: number): void {
    if (!this.built || now < this.lo) {
      this.rebuild(now)
      return
    }
    if (this.dirty.size === 0 && now < this.hi) return
    const ids = new Set([...this.dirty, ...this.pending])
    this.dirty.clear()
    this.pending.clear()
    this.hi = Number.POSITIVE_INFINITY
    for (const id of ids) this.recompute(id, now)
  }

  private rebuild(now: number): void {
    this.byId.clear()
    this.pending.clear()
    this.dirty.clear()
    this.lo = Number.NEGATIVE_INFINITY
    this.hi = Number.POSITIVE_INFINITY
    for (const [id, entry] of this.entries) {
      const row = this.current(id, entry, now)
      if (row !== undefined) this.byId.set(id, row)
    }
    this.sorted = [...this.byId.values()].sort(byModified)
    this.built = true
    this.generation++
  }

  /** The row visible at `now` for one io_id, noting the boundaries the view depends on. */
  private current(id: number, entry: Entry, now: number): Row | undefined {
    let cur: Version | undefined
    for (const v of entry.versions) {
      if (v.visibleFrom <= now) {
        cur = v
        if (v.visibleFrom > this.lo) this.lo = v.visibleFrom
      } else {
        this.pending.add(id)
        if (v.visibleFrom < this.hi) this.hi = v.visibleFrom
      }
    }
    return cur?.order === undefined ? undefined : { order: cur.order, ms: cur.ms, pos: entry.pos }
  }

  private recompute(id: number, now: number): void {
    const entry = this.entries.get(id)
    const next = entry === undefined ? undefined : this.current(id, entry, now)
    const prev = this.byId.get(id)
    if (prev?.order === next?.order) return
    if (prev !== undefined) {
      const i = this.indexOf(prev)
      if (i >= 0) this.sorted.splice(i, 1)
      this.byId.delete(id)
    }
    if (next !== undefined) {
      this.sorted.splice(this.lowerBoundRow(next), 0, next)
      this.byId.set(id, next)
    }
    this.generation++
  }

  private lowerBoundRow(row: Row): number {
    let a = 0
    let b = this.sorted.length
    while (a < b) {
      const mid = (a + b) >>> 1
      if (byModified(this.sorted[mid] as Row, row) >= 0) b = mid
      else a = mid + 1
    }
    return a
  }

  private indexOf(row: Row): number {
    const i = this.lowerBoundRow(row)
    return this.sorted[i] === row ? i : -1
  }
}
