/**
 * Crontab checks. The platform's schedules are standard five-field cron with one-minute
 * granularity (S-SCHED), so Ferry accepts exactly five fields and lets croner judge each field.
 */
import { Cron } from 'croner'

/** Undefined when valid; otherwise the reason, for the error message. */
export function isValidCrontab(crontab: string): string | undefined {
  const fields = crontab.trim().split(/\s+/)
  if (fields.length !== 5) return `expected 5 fields (minute hour day month weekday), found ${fields.length}`
  try {
    const job = new Cron(crontab, { paused: true })
    job.stop()
    return undefined
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/^CronPattern:\s*/, '')
  }
}
