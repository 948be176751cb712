/**
 * Live counters of one run from the run hub's Server-Sent Events (`/api/v1/runs/{id}/events`).
 * The hub sends the run's counters (fetched, kept, written, …) either flat or per stage (a run
 * followed from the store); this hook always answers them flat, summed over stages. The session
 * cookie goes along (same origin), so no token is needed.
 */
import { useEffect, useState } from 'react'

export type Counters = Readonly<Record<string, number>>
export interface RunLive {
  readonly counters: Counters
  readonly ended: boolean
  readonly status?: string
}

const EMPTY: RunLive = { counters: {}, ended: false }

/** Flat counters, or per-stage counters summed. */
export function flatCounters(c: unknown): Record<string, number> {
  const out: Record<string, number> = {}
  if (c === null || typeof c !== 'object') return out
  for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
    if (typeof v === 'number') out[k] = (out[k] ?? 0) + v
    else if (v !== null && typeof v === 'object')
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>))
        if (typeof v2 === 'number') out[k2] = (out[k2] ?? 0) + v2
  }
  return out
}

export function useRunEvents(runId: string | undefined): RunLive {
  const [live, setLive] = useState<RunLive>(EMPTY)
  useEffect(() => {
    setLive(EMPTY)
    if (runId === undefined) return
    const es = new EventSource(`/api/v1/runs/${encodeURIComponent(runId)}/events`)
    es.addEventListener('progress', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { counters?: unknown }
      setLive((l) => ({ ...l, counters: flatCounters(d.counters) }))
    })
    es.addEventListener('end', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { counters?: unknown; status?: string }
      setLive((l) => ({
        counters: d.counters === undefined ? l.counters : flatCounters(d.counters),
        ended: true,
        ...(d.status === undefined ? {} : { status: d.status }),
      }))
      es.close()
    })
    // The stream closes after its end event; EventSource would otherwise reconnect for ever.
    es.onerror = () => es.close()
    return () => es.close()
  }, [runId])
  return live
}
