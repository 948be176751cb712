/**
 * Time as the budgets and connectors see it. Production uses {@link systemClock}; tests inject a
 * {@link VirtualClock} so that waiting for a rate window costs no real time and no test depends on
 * how fast the machine is.
 */
import { CallAborted } from './errors.js'

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolve after `ms`; reject with ERR_CALL_ABORTED when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) return reject(CallAborted(['waiting for the rate budget']))
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        Math.max(0, ms),
      )
      const onAbort = () => {
        clearTimeout(timer)
        reject(CallAborted(['waiting for the rate budget']))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}

/**
 * A clock whose `sleep` jumps time forward instead of waiting. Sleeps never overlap in a budget
 * (acquisitions are serialised), so jumping is deterministic: time only moves when someone must
 * wait, and it moves exactly as far as they asked. `sleeps` records every wait for assertions.
 */
export class VirtualClock implements Clock {
  readonly sleeps: number[] = []
  private t: number

  constructor(start: Date | number = Date.UTC(2024, 4, 1, 0, 0, 0)) {
    this.t = typeof start === 'number' ? start : start.getTime()
  }

  now(): number {
    return this.t
  }

  /** Move time forward by hand (e.g. "a day passes between runs"). */
  advance(ms: number): void {
    this.t += Math.max(0, ms)
  }

  set(at: Date | number): void {
    this.t = typeof at === 'number' ? at : at.getTime()
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw CallAborted(['waiting for the rate budget'])
    this.sleeps.push(ms)
    this.t += Math.max(0, ms)
    // Yield so other work scheduled "during" the sleep gets a turn, as with a real timer.
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}
