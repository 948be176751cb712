/**
 * JST date-times are `yyyy-MM-dd HH:mm:ss` wall-clock Asia/Shanghai (UTC+8, no DST) with no offset
 * (JST spec §5.3). The simulators' own formatter/parser; they share no code with the connectors.
 */
const OFFSET_MS = 8 * 3600_000

/** Epoch ms → `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai. */
export function formatShanghai(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

/** `yyyy-MM-dd` in Asia/Shanghai. */
export function formatShanghaiDate(ms: number): string {
  return formatShanghai(ms).slice(0, 10)
}

const STRICT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const LENIENT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/

/**
 * `yyyy-MM-dd HH:mm:ss` (Shanghai) → epoch ms, or undefined when malformed or not a real date.
 * `lenient` also accepts a `T` separator and fractional seconds.
 */
export function parseShanghai(text: string, lenient = false): number | undefined {
  const m = (lenient ? LENIENT : STRICT).exec(text)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return undefined
  return ms - OFFSET_MS
}
