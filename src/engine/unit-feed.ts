/**
 * The target's in-flight pool, fed across batch boundaries: `limit` workers take write units from
 * a queue the target stage refills by claiming, so the next batch is claimed while the last one's
 * tail is still in flight instead of after it (a pool that drains at every batch boundary leaves
 * the target idle for the tail and the claim). The queue holds units whose records are claimed
 * already; the stage claims again once fewer than `limit` wait (see {@link UnitFeed.wantsMore}).
 */
import { toFerryError, type FerryError } from '../core/errors.js'
import { Broadcast } from './broadcast.js'

export class UnitFeed<T> {
  private readonly queue: T[] = []
  private head = 0
  private busy = 0
  private closed = false
  private readonly workers: Promise<void>[]
  /** Fired when a worker takes a unit, finishes one, or fails: the stage may claim again. */
  private readonly moved = new Broadcast()
  /** Fired when units are added or the feed closes: an idle worker may go on. */
  private readonly added = new Broadcast()
  /** The first error a unit threw (a bug): no unit is taken after it. */
  failure: FerryError | undefined

  /**
   * `halt`: true once no further unit may start (a configuration error stopped the stage, the run
   * was aborted); units already started finish, the queued rest is left to its claim.
   */
  constructor(
    private readonly limit: number,
    private readonly halt: () => boolean,
    fn: (t: T) => Promise<void>,
  ) {
    this.workers = Array.from({ length: Math.max(1, limit) }, async () => {
      for (;;) {
        if (this.failure !== undefined || this.halt()) return
        if (this.head === this.queue.length) {
          if (this.closed) return
          await this.added.wait()
          continue
        }
        const t = this.queue[this.head++] as T
        if (this.head === this.queue.length) {
          this.queue.length = 0
          this.head = 0
        }
        this.busy++
        this.moved.fire()
        try {
          await fn(t)
        } catch (e) {
          this.failure ??= toFerryError(e)
        } finally {
          this.busy--
          this.moved.fire()
        }
      }
    })
  }

  /** Units waiting for a free slot. */
  get waiting(): number {
    return this.queue.length - this.head
  }

  /** True when no unit is being written or waits: an empty claim now means nothing is left in play. */
  get idle(): boolean {
    return this.busy === 0 && this.waiting === 0
  }

  /** Fewer units wait than the pool could start at once: time to claim the next batch. */
  wantsMore(): boolean {
    return this.waiting < this.limit
  }

  add(units: readonly T[]): void {
    for (const u of units) this.queue.push(u)
    this.added.fire()
  }

  /** Resolves when a unit was taken or finished (or failed). */
  moves(): Promise<void> {
    return this.moved.wait()
  }

  /** Resolves when no unit is being written or waits (at once when idle already, or after a failure). */
  async settled(): Promise<void> {
    while (!this.idle && this.failure === undefined && !(this.busy === 0 && this.halt())) await this.moved.wait()
  }

  /** No more units: wait for the ones started to finish; returns the first error a unit threw. */
  async close(): Promise<FerryError | undefined> {
    this.closed = true
    this.added.fire()
    await Promise.all(this.workers)
    return this.failure
  }
}
