/**
 * Schedule and retry settings with their defaults resolved. The scheme file keeps only what the
 * author wrote (so it round-trips); the engine reads these resolved views.
 */
import type { SchemeFile } from './types.js'

/** The platform's fixed retry ladder (S-SCHED): 20 s, 5 min, 1 h, 4 h, 20 h. */
export const DEFAULT_RETRY_LADDER_S: readonly number[] = [20, 300, 3600, 14400, 72000]
export const DEFAULT_JITTER = 0.2
export const DEFAULT_TIMEZONE = 'Asia/Shanghai'

export interface ResolvedSchedule {
  readonly sourceCrontab: string | undefined
  readonly targetCrontab: string | undefined
  /** The source's omissionRemedy crontab, when it has one. */
  readonly remedyCrontab: string | undefined
  readonly timezone: string
  readonly compat: boolean
}

export interface ResolvedRetry {
  readonly ladderSeconds: readonly number[]
  readonly jitter: number
}

export function resolveSchedule(s: SchemeFile): ResolvedSchedule {
  const sch = s.schedule ?? {}
  return {
    sourceCrontab: sch.source?.crontab,
    targetCrontab: sch.target?.crontab,
    remedyCrontab: s.source.metadata.omissionRemedy?.crontab,
    timezone: sch.timezone ?? DEFAULT_TIMEZONE,
    compat: sch.compat ?? false,
  }
}

export function resolveRetry(s: SchemeFile): ResolvedRetry {
  return {
    ladderSeconds: s.retry?.ladder ?? DEFAULT_RETRY_LADDER_S,
    jitter: s.retry?.jitter ?? DEFAULT_JITTER,
  }
}

/**
 * Delay before retry number `retry` (1-based), in milliseconds, or undefined when the ladder is
 * exhausted. `random` returns [0, 1); the delay is spread uniformly over ±jitter.
 */
export function retryDelayMs(r: ResolvedRetry, retry: number, random: () => number = Math.random): number | undefined {
  const base = r.ladderSeconds[retry - 1]
  if (base === undefined || retry < 1) return undefined
  const factor = 1 + r.jitter * (2 * random() - 1)
  return Math.round(base * 1000 * factor)
}
