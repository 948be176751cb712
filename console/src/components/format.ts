/** Small formatters shared by the dashboard pages. */
import type { MessageKey } from '../i18n/dictionaries.js'

type T = (key: MessageKey, vars?: Record<string, string | number>) => string

/** A duration as its two largest units ("2 d 3 h", "5 min 10 s"). */
export function duration(seconds: number, t: T): string {
  const units: [MessageKey, number][] = [
    ['unit.day', 86_400],
    ['unit.hour', 3_600],
    ['unit.minute', 60],
    ['unit.second', 1],
  ]
  let rest = Math.max(0, Math.round(seconds))
  const parts: string[] = []
  for (const [key, size] of units) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0 || (parts.length === 0 && size === 1)) parts.push(t(key, { n }))
    if (parts.length === 2) break
  }
  return parts.join(' ')
}

/** `YYYY-MM-DD` → `MM-DD` for chart axes. */
export const shortDay = (day: string) => day.slice(5)

/** `t(key)`, or `fallback` when the dictionary has no such key (a kind or counter of a newer engine). */
export function labelOr(t: T, key: string, fallback: string): string {
  const text = t(key as MessageKey) as string | undefined
  return text === undefined ? fallback : text
}
