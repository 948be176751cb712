/**
 * The simulated clock. Token expiry, timestamp tolerance, rate-limit windows, visibility lag and
 * `modified` stamps all read it, so a test can jump a token past expiry without waiting.
 */

/** A clock the tests can move. All values are epoch milliseconds. */
export interface SimClock {
  /** The simulator's "true" time: what it stamps on data and measures token lifetime with. */
  now(): number
  /** Move time forward (or back, with a negative value). */
  advance(ms: number): void
  /** Jump to an absolute instant; time keeps running from there unless the clock is frozen. */
  set(epochMs: number): void
  /**
   * Skew applied only where the server compares a client-sent timestamp with its own time
   * (the JST `timestamp`, the JDY `X-Api-TimeStamp`): simulates a server clock that is off.
   */
  skewMs: number
  /** `now() + skewMs`: the time used for timestamp-tolerance checks. */
  checkNow(): number
  readonly frozen: boolean
}

export interface ClockOptions {
  /** Start instant (epoch ms); default the wall clock. */
  readonly start?: number
  /** Frozen clocks only move with `advance`/`set` (deterministic tests); default false. */
  readonly frozen?: boolean
  readonly skewMs?: number
}

/** A clock that follows the wall clock plus an offset, or stands still when frozen. */
export function createClock(options: ClockOptions = {}): SimClock {
  const frozen = options.frozen === true
  let offset = options.start === undefined ? 0 : options.start - Date.now()
  let fixed = options.start ?? Date.now()
  const clock: SimClock = {
    frozen,
    skewMs: options.skewMs ?? 0,
    now: () => (frozen ? fixed : Date.now() + offset),
    advance(ms) {
      if (frozen) fixed += ms
      else offset += ms
    },
    set(epochMs) {
      if (frozen) fixed = epochMs
      else offset = epochMs - Date.now()
    },
    checkNow: () => clock.now() + clock.skewMs,
  }
  return clock
}
