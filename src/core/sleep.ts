/**
 * Wait `ms`, or less when `signal` aborts: the caller checks its signal afterwards, so an abort
 * ends the wait without an exception of its own (the budget's clock, which rejects, is for waits
 * whose caller must not go on).
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
