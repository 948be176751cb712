import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../api/client.js'

export type Load<T> = { phase: 'loading' } | { phase: 'ok'; data: T } | { phase: 'failed'; error: ApiError }

/**
 * Loads on mount and whenever `key` changes; a late answer for an old key is dropped. A reload of
 * the same key keeps showing the current data until the new answer arrives (no flicker).
 */
export function useLoad<T>(fn: () => Promise<T>, key: string): [Load<T>, () => void, number] {
  const [state, setState] = useState<Load<T>>({ phase: 'loading' })
  // How many answers have arrived: lets a caller tell the answer to its reload from an older one.
  const [answers, setAnswers] = useState(0)
  const [tick, setTick] = useState(0)
  const shownKey = useRef<string | undefined>(undefined)
  // fn is recreated each render; `key` (and a reload's tick) say when the request really changes.
  const run = useCallback(fn, [key, tick])
  useEffect(() => {
    let live = true
    if (shownKey.current !== key) setState({ phase: 'loading' })
    run()
      .then(
        (data) => {
          if (live) {
            shownKey.current = key
            setState({ phase: 'ok', data })
          }
        },
        (e: unknown) => {
          if (live)
            setState({ phase: 'failed', error: e instanceof ApiError ? e : new ApiError(0, 'ERR_CONSOLE', String(e)) })
        },
      )
      .finally(() => {
        if (live) setAnswers((n) => n + 1)
      })
    return () => {
      live = false
    }
  }, [run, key])
  return [state, useCallback(() => setTick((n) => n + 1), []), answers]
}
