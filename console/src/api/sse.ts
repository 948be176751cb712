/**
 * Server-Sent Events from the API as a React hook. The browser's EventSource sends the session
 * cookie (same origin) and reconnects on its own after a dropped connection; a stream that ends
 * for good (a run's `end`) is closed here on its terminal event, or the browser would reconnect
 * and replay it. Used for live run counters (scheme page) and live edge counts (designer).
 */
import { useEffect, useRef, useState } from 'react'

export type StreamState = 'idle' | 'connecting' | 'open' | 'closed' | 'error'

export interface StreamOptions {
  /** Event names to listen to (named SSE events; `message` for unnamed ones). */
  readonly events: readonly string[]
  /** The event after which the stream is closed (it is still delivered). */
  readonly until?: string
}

/**
 * Follow `path` (under /api/v1) while it is defined; `onEvent` gets each event's name and parsed
 * JSON data. Changing `path` closes the old stream and opens the new one. The latest `onEvent` is
 * always called, so it may close over fresh state without reopening the stream.
 */
export function useEventStream(
  path: string | undefined,
  onEvent: (event: string, data: unknown) => void,
  opts: StreamOptions,
): StreamState {
  const [state, setState] = useState<StreamState>('idle')
  const handler = useRef(onEvent)
  handler.current = onEvent
  const events = opts.events.join(',')
  const until = opts.until
  useEffect(() => {
    if (path === undefined) {
      setState('idle')
      return
    }
    setState('connecting')
    const source = new EventSource(`/api/v1${path}`, { withCredentials: true })
    let done = false
    source.onopen = () => setState('open')
    source.onerror = () => {
      // CLOSED: the server refused (401, 404); otherwise the browser is reconnecting by itself.
      if (!done) setState(source.readyState === EventSource.CLOSED ? 'error' : 'connecting')
    }
    const listeners = events.split(',').map((name) => {
      const fn = (e: MessageEvent<string>) => {
        let data: unknown = e.data
        try {
          data = JSON.parse(e.data)
        } catch {
          /* not JSON: handed over as text */
        }
        handler.current(name, data)
        if (name === until) {
          done = true
          source.close()
          setState('closed')
        }
      }
      source.addEventListener(name, fn)
      return [name, fn] as const
    })
    return () => {
      done = true
      for (const [name, fn] of listeners) source.removeEventListener(name, fn)
      source.close()
    }
  }, [path, events, until])
  return state
}
