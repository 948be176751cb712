/**
 * The engine's side of fencing. The store refuses a fenced write once another worker holds a
 * newer token (store.fenced); this guard stops the worker before an external write leaves, which
 * the store cannot see. A lease counts as held only until a third of its time-to-live before it
 * would expire, measured from the last renewal on this process's monotonic clock (which keeps
 * running while the process is stopped): a worker resumed after a pause finds its time up and
 * stops, and a write sent while the lease counts as held leaves the target at least a third of
 * the TTL to process it before anyone else can take the lease over and probe.
 *
 * The target stage asks {@link LeaseGuard.check} itself (`leaseCheck`) before each write intent
 * and right before each request leaves; nothing wraps the connector.
 */
import { performance } from 'node:perf_hooks'
import { LeaseLost } from './errors.js'

interface Held {
  validUntil: number
  lost?: string
}

export class LeaseGuard {
  private readonly held = new Map<string, Held>()
  private readonly ctrl = new AbortController()

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Aborted when a lease is lost: every stage and call in flight stops. */
  get signal(): AbortSignal {
    return this.ctrl.signal
  }

  /** The first lease lost, as the run's error. */
  get error() {
    for (const [name, h] of this.held) if (h.lost !== undefined) return LeaseLost([name, h.lost])
    return undefined
  }

  /** A time taken just before the acquire or renew request was sent (the lease runs from no earlier). */
  stamp(): number {
    return this.clock()
  }

  acquired(name: string, sentAt: number): void {
    this.held.set(name, { validUntil: sentAt + this.ttlMs })
  }

  renewed(name: string, sentAt: number): void {
    const h = this.held.get(name)
    if (h !== undefined && h.lost === undefined) h.validUntil = sentAt + this.ttlMs
  }

  lost(name: string, reason: string): void {
    const h = this.held.get(name)
    if (h === undefined || h.lost !== undefined) return
    h.lost = reason
    this.ctrl.abort(LeaseLost([name, reason]))
  }

  /** Throws ERR_LEASE_LOST unless the lease still counts as held (see the file comment). */
  check(name: string): void {
    const h = this.held.get(name)
    if (h === undefined) return
    if (h.lost === undefined && this.clock() > h.validUntil - Math.floor(this.ttlMs / 3)) {
      this.lost(
        name,
        `not renewed for ${Math.round((this.clock() - h.validUntil + this.ttlMs) / 1000)} s (lease time-to-live ${Math.round(this.ttlMs / 1000)} s)`,
      )
    }
    if (h.lost !== undefined) throw LeaseLost([name, h.lost])
  }
}
