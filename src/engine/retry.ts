/**
 * The retry ladder: when a transient or throttled record is tried again. The platform's ladder
 * is fixed at 20 s, 300 s, 3600 s, 14400 s, 72000 s; Ferry keeps it as the default, makes it
 * configurable, and spreads retries with jitter so a burst of failures does not return as a burst.
 *
 * One policy: a scheme's `retry` (ladder, jitter) wins over the configuration's `engine.retryLadder`
 * and `engine.jitter`, which win over the platform defaults (core/defaults.ts).
 */
import { DEFAULT_JITTER, DEFAULT_RETRY_LADDER_S } from '../core/defaults.js'

export interface RetryPolicy {
  /** Seconds to wait before attempt n+1 after n failed attempts. */
  readonly ladder: readonly number[]
  /** Fraction of the step added or removed at random (0.2 = ±20 %). */
  readonly jitter: number
  readonly random?: () => number
}

export const defaultRetryPolicy: RetryPolicy = { ladder: DEFAULT_RETRY_LADDER_S, jitter: DEFAULT_JITTER }

/** What a scheme's `retry` wrote; what it leaves out comes from `base`. */
export interface SchemeRetry {
  readonly ladder?: readonly number[]
  readonly jitter?: number
}

export function retryPolicyFor(base: RetryPolicy, scheme: SchemeRetry | undefined): RetryPolicy {
  return {
    ...base,
    ...(scheme?.ladder === undefined ? {} : { ladder: scheme.ladder }),
    ...(scheme?.jitter === undefined ? {} : { jitter: scheme.jitter }),
  }
}

/**
 * When to try again after `attempts` failed attempts, or undefined when the ladder is exhausted.
 * A rate-limit hint is honoured when it is longer than the ladder step.
 */
export function nextAttemptAt(policy: RetryPolicy, attempts: number, now: Date, hintMs?: number): Date | undefined {
  const step = policy.ladder[attempts - 1]
  if (step === undefined) return undefined
  const rnd = policy.random ?? Math.random
  const spread = step * policy.jitter * (rnd() * 2 - 1)
  const ms = Math.max(Math.round((step + spread) * 1000), hintMs ?? 0)
  return new Date(now.getTime() + ms)
}
