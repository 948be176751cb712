/**
 * What a run leaves scheduled for later, and why: records queued on the retry ladder or waiting
 * for a probe, grouped by the error that put them there, with the earliest next attempt. The run
 * summary carries it so `ferry run` never returns "ok" while silently leaving work behind.
 */
import { RECORD_STATUSES } from '../store/index.js'
import type { EnginePorts, LedgerPort, RecordStatus } from './ports.js'

export interface ScheduledGroup {
  /** The error code that scheduled them (ERR_TARGET_TRANSIENT, ERR_OUTCOME_UNKNOWN, …). */
  readonly code: string
  readonly kind: string
  readonly status: RecordStatus
  readonly records: number
  /** The earliest next attempt (or probe) among them. */
  readonly next?: Date
  /** One message, as an example. */
  readonly message: string
}

/** The scheme's records by status, statuses with none left out (run summaries, the service, metrics). */
export async function ledgerCounts(
  ledger: Pick<LedgerPort, 'counts'>,
  schemeId: string,
): Promise<Partial<Record<RecordStatus, number>>> {
  const c = await ledger.counts(schemeId)
  const out: Partial<Record<RecordStatus, number>> = {}
  for (const s of RECORD_STATUSES) if (c[s] > 0) out[s] = c[s]
  return out
}

const PAGE = 500
const MAX_PAGES = 4

/** Records of the scheme still scheduled (queued or unknown), grouped by reason; [] when none. */
export async function scheduledLater(ports: EnginePorts, schemeId: string): Promise<ScheduledGroup[]> {
  const groups = new Map<
    string,
    { code: string; kind: string; status: RecordStatus; records: number; next?: Date; message: string }
  >()
  for (const status of ['queued', 'unknown'] as const) {
    let cursor: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await ports.ledger.listRecords(schemeId, {
        status,
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      })
      for (const r of res.records) {
        const code = r.lastError?.code ?? 'NONE'
        const k = `${status} ${code}`
        const g = groups.get(k) ?? {
          code,
          kind: r.lastError?.kind ?? 'transient',
          status,
          records: 0,
          message: r.lastError?.message ?? '',
        }
        g.records++
        if (r.nextAttemptAt !== null && (g.next === undefined || r.nextAttemptAt < g.next)) g.next = r.nextAttemptAt
        groups.set(k, g)
      }
      cursor = res.nextCursor
      if (cursor === undefined) break
    }
  }
  return [...groups.values()].sort((a, b) => b.records - a.records)
}
