import { useCallback, useEffect, useState } from 'react'
import { ApiError } from '../api/client.js'

export type Load<T> = { phase: 'loading' } | { phase: 'ok'; data: T } | { phase: 'failed'; error: ApiError }

/** Loads on mount and whenever `key` changes; a late answer for an old key is dropped. */
export function useLoad<T>(fn: () => Promise<T>, key: string): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ phase: 'loading' })
  const [tick, setTick] = useState(0)
  // fn is recreated each render; `key` (and a reload's tick) say when the request really changes.
  const run = useCallback(fn, [key, tick])
  useEffect(() => {
    let live = true
    setState({ phase: 'loading' })
    run().then((data) => { if (live) setState({ phase: 'ok', data }) },
      (e: unknown) => { if (live) setState({ phase: 'failed', error: e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e)) }) })
    return () => { live = false }
  }, [run])
  return [state, useCallback(() => setTick((n) => n + 1), [])]
}
