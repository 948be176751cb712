/**
 * The count-order store (JST spec §11.3). Each change is a new version that becomes visible to
 * queries `visibilityDelayMs` of simulated time later, so a client's safety lag can be tested;
 * queries always read the current visible state, so changes between pages really shift rows.
 */
import type { SimClock } from '../common/clock.js'
import { formatShanghai, parseShanghai } from '../data/shanghai-time.js'
import { JST_STATUSES, type JstCountOrder, type JstStatus } from '../data/types.js'
import { VisibleIndex, type CountSelection, type Entry, type Version } from './visible-index.js'

/** When a mutation stamps `modified`: an explicit Shanghai date-time or epoch ms; default now. */
export type ModifiedAt = string | number | undefined

export class CountOrderStore {
  private readonly versions = new Map<number, Entry>()
  private readonly index = new VisibleIndex(this.versions)

  constructor(
    private readonly clock: SimClock,
    private readonly delayMs: () => number,
  ) {}

  /** Load orders as already visible (the initial dataset). */
  load(orders: readonly JstCountOrder[]): void {
    this.versions.clear()
    this.index.reset()
    for (const o of orders) {
      const order = structuredClone(o)
      this.versions.set(o.io_id, {
        pos: this.versions.get(o.io_id)?.pos ?? this.versions.size,
        versions: [version(order, Number.NEGATIVE_INFINITY)],
      })
    }
  }

  /** Orders as a query sees them now (visible versions only, deleted ones gone). */
  visible(): JstCountOrder[] {
    return this.index.visible(this.clock.now())
  }

  /** What a count query matches now, in the selection's order (shared: do not mutate). */
  select(sel: CountSelection): readonly JstCountOrder[] {
    return this.index.select(sel, this.clock.now())
  }

  /** The latest state of every order, visible or not (what the oracle compares against). */
  latest(): JstCountOrder[] {
    const out: JstCountOrder[] = []
    for (const { versions: list } of this.versions.values()) {
      const last = list[list.length - 1]
      if (last?.order !== undefined) out.push(structuredClone(last.order))
    }
    return out.sort((a, b) => a.io_id - b.io_id)
  }

  get(ioId: number): JstCountOrder | undefined {
    const list = this.versions.get(ioId)?.versions
    const o = list?.[list.length - 1]?.order
    return o === undefined ? undefined : structuredClone(o)
  }

  /** Set `modified` (default: now), as an edit in JST would. */
  touch(ioId: number, modified?: ModifiedAt): JstCountOrder {
    return this.update(ioId, (o) => {
      o.modified = this.stamp(modified)
    })
  }

  /** Change the status; bumps `modified` (§11.3). */
  setStatus(ioId: number, status: JstStatus, modified?: ModifiedAt): JstCountOrder {
    if (!JST_STATUSES.includes(status)) throw new RangeError(`unknown status ${String(status)}`)
    return this.update(ioId, (o) => {
      o.status = status
      o.modified = this.stamp(modified)
    })
  }

  /** Apply any edit; `modified` is left as the edit sets it. */
  update(ioId: number, edit: (o: JstCountOrder) => void): JstCountOrder {
    const cur = this.get(ioId)
    if (cur === undefined) throw new RangeError(`count order ${ioId} does not exist`)
    edit(cur)
    this.push(ioId, cur)
    return structuredClone(cur)
  }

  /** Add an order (its `modified` defaults to now when empty). Replaces an existing io_id. */
  insert(order: JstCountOrder): JstCountOrder {
    const o = structuredClone(order)
    if (o.modified === '' || o.modified === undefined) o.modified = this.stamp(undefined)
    this.push(o.io_id, o)
    return structuredClone(o)
  }

  /** Remove an order entirely (not a status change): it silently disappears from queries. */
  hardDelete(ioId: number): boolean {
    if (this.get(ioId) === undefined) return false
    this.push(ioId, undefined)
    return true
  }

  private push(ioId: number, order: JstCountOrder | undefined): void {
    const visibleFrom = this.clock.now() + this.delayMs()
    const entry = this.versions.get(ioId) ?? { pos: this.versions.size, versions: [] }
    const list = entry.versions
    list.push(version(order === undefined ? undefined : structuredClone(order), visibleFrom))
    // Keep only what a query could still see: the newest visible version and everything after it.
    const now = this.clock.now()
    let firstNeeded = 0
    list.forEach((v, i) => {
      if (v.visibleFrom <= now) firstNeeded = i
    })
    entry.versions = list.slice(firstNeeded)
    this.versions.set(ioId, entry)
    this.index.touched(ioId)
  }

  private stamp(at: ModifiedAt): string {
    if (at === undefined) return formatShanghai(this.clock.now())
    if (typeof at === 'number') return formatShanghai(at)
    if (parseShanghai(at) === undefined) throw new RangeError(`modified "${at}" must be yyyy-MM-dd HH:mm:ss`)
    return at
  }
}

function version(order: JstCountOrder | undefined, visibleFrom: number): Version {
  return { order, visibleFrom, ms: order === undefined ? 0 : (parseShanghai(order.modified) ?? 0) }
}
