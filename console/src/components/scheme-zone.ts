/**
 * A scheme's time zone for pages that show one scheme's times without loading the scheme (the
 * record explorer and its drawer). The scheme list is asked once per page load and shared.
 */
import { useEffect, useState } from 'react'
import { schemes } from '../api/endpoints.js'

let zones: Promise<Map<string, string | null>> | undefined

function load(): Promise<Map<string, string | null>> {
  zones ??= schemes.list().then(
    (list) => new Map(list.map((s) => [s.id, s.schedule.timezone])),
    (e: unknown) => {
      // Asked again next time instead of remembering a failure.
      zones = undefined
      throw e
    },
  )
  return zones
}

/** The scheme's `schedule.timezone`; undefined until known or when it has none (Asia/Shanghai then applies). */
export function useSchemeZone(id: string): string | undefined {
  const [zone, setZone] = useState<string | undefined>(undefined)
  useEffect(() => {
    let live = true
    load().then(
      (m) => {
        if (live) setZone(m.get(id) ?? undefined)
      },
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [id])
  return zone
}
