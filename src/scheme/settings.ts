/**
 * Schedule and retry settings with their defaults resolved. The scheme file keeps only what the
 * author wrote (so it round-trips); the engine reads these resolved views.
 */
import type { SchemeFile } from './types.js'

import { DEFAULT_JITTER, DEFAULT_RETRY_LADDER_S } from '../core/defaults.js'

export { DEFAULT_JITTER, DEFAULT_RETRY_LADDER_S }
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
