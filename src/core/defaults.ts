/**
 * The defaults that more than one part reads: the configuration fills `engine.*` with them, a
 * scheme's `retry` falls back to them, and the engine uses them when nothing was configured.
 * Kept here, below every part, so configuration and schemes never import the engine for a number.
 */

/** The platform's fixed retry ladder (S-SCHED), in seconds: 20 s, 5 min, 1 h, 4 h, 20 h. */
export const DEFAULT_RETRY_LADDER_S: readonly number[] = [20, 300, 3600, 14400, 72000]
/** Fraction of each retry step added or removed at random (0.2 = ±20 %). */
export const DEFAULT_JITTER = 0.2
/** `engine.leaseTtlSeconds`. */
export const DEFAULT_LEASE_TTL_S = 60
/** `engine.batchSize`: records claimed per target batch. */
export const DEFAULT_BATCH_SIZE = 100

/** The `engine` section of a configuration that sets nothing. */
export function defaultEngineSettings(): {
  retryLadder: number[]
  jitter: number
  leaseTtlSeconds: number
  batchSize: number
} {
  return {
    retryLadder: [...DEFAULT_RETRY_LADDER_S],
    jitter: DEFAULT_JITTER,
    leaseTtlSeconds: DEFAULT_LEASE_TTL_S,
    batchSize: DEFAULT_BATCH_SIZE,
  }
}
