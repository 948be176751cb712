/**
 * Times typed by people, on the command line and in the service's queries and bodies: read the
 * same way by both, so it lives below them (the CLI imports the service, never the reverse).
 */
import { InvalidTime } from './errors.js'

/** Times on the command line: ISO 8601, or `YYYY-MM-DD[ HH:mm[:ss]]` read in Asia/Shanghai. */
export function parseCliTime(text: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text.trim())
  const d =
    m !== null ? new Date(`${m[1]}T${m[2] ?? '00:00:00'}${m[2]?.length === 5 ? ':00' : ''}+08:00`) : new Date(text)
  if (Number.isNaN(d.getTime())) throw InvalidTime([text])
  return d
}
