/**
 * Live counters of one run for the designer's edges, on the shared SSE hook (sse.ts). The run
 * hub sends a run's counters (fetched, kept, written, …) flat, or per stage when the run is
 * followed from the store; this hook answers them flat, summed over stages.
 */
import { useState } from 'react'
import { useEventStream } from './sse.js'

export type Counters = Readonly<Record<string, number>>
export interface RunLive {
  readonly counters: Counters
  readonly ended: boolean
  readonly status?: string
}

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

const EVENTS = { events: ['progress', 'end'], until: 'end' } as const

export function useRunEvents(runId: string | undefined): RunLive {
  const [live, setLive] = useState<{ runId?: string; state: RunLive }>({ state: { counters: {}, ended: false } })
  useEventStream(
    runId === undefined ? undefined : `/runs/${encodeURIComponent(runId)}/events`,
    (event, data) => {
      const d = (data ?? {}) as { counters?: unknown; status?: string }
      setLive((l) => {
        const prev = l.runId === runId ? l.state : { counters: {}, ended: false }
        const counters = d.counters === undefined ? prev.counters : flatCounters(d.counters)
        return {
          ...(runId === undefined ? {} : { runId }),
          state:
            event === 'end'
              ? { counters, ended: true, ...(d.status === undefined ? {} : { status: d.status }) }
              : { ...prev, counters },
        }
      })
    },
    EVENTS,
  )
  // A new run starts from nothing, not from the counts of the run before.
  return live.runId === runId ? live.state : { counters: {}, ended: false }
}
