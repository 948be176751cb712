/**
 * Fast retries inside one call (issue 11): a transient failure (5xx, reset, timeout of a read,
 * connection refused before anything was sent) is tried again a few times within about half a
 * minute, with jitter, before the engine sees it and the record falls onto the long retry ladder.
 * A write that may have been sent is never retried here: that stays unknown_outcome → probe.
 */
import { isFerryError, type FerryError } from '../../core/errors.js'

/** Base waits before retry 1, 2, 3, 4 (±25 % jitter): ≈ 25 s in all. */
export const FAST_RETRY_MS: readonly number[] = [500, 2_000, 6_000, 16_000]

/** Retries after throttle answers within one call before the engine is told (it then requeues without counting an attempt). */
export const THROTTLE_RETRIES = 20

/** The jittered wait before fast retry `n` (1-based), or undefined when they are spent. */
export function fastRetryDelay(n: number, random: () => number = Math.random): number | undefined {
  const base = FAST_RETRY_MS[n - 1]
  return base === undefined ? undefined : Math.round(base * (0.75 + random() * 0.5))
}

/** The request never left (the connection did not open): safe to repeat even for a write. */
export function notSent(e: unknown): boolean {
  return isFerryError(e) && e.code === 'ERR_HTTP_CONNECT'
}

/** A transient failure worth a fast retry for a call of this kind. */
export function fastRetryable(e: FerryError, outcome: string, idempotent: boolean): boolean {
  if (e.code === 'ERR_CALL_ABORTED') return false
  if (notSent(e)) return true
  return idempotent && outcome === 'transient'
}
