/**
 * 聚水潭 date-times are `yyyy-MM-dd HH:mm:ss` wall-clock Asia/Shanghai (UTC+8, no DST) without an
 * offset (spec §5.3). Ferry keeps absolute instants and converts only at the API edge.
 */
const OFFSET_MS = 8 * 3_600_000
const LENIENT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?$/

/** Instant → `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai (sub-second part dropped). */
export function toJstTime(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime()
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

/** `yyyy-MM-dd HH:mm:ss` (also `T` and fractional seconds) in Asia/Shanghai → epoch ms, or undefined. */
export function parseJstTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined
  const m = LENIENT.exec(text.trim())
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined
  return ms - OFFSET_MS
}
