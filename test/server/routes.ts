/** Every route the app serves, read from Fastify's own route tree (independent of the OpenAPI document). */
import type { FastifyInstance } from 'fastify'

export function servedRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = []
  const stack: { depth: number; path: string }[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[└├]── (\S+) \(([A-Z, ]+)\)$/.exec(line)
    if (m === null) continue
    const depth = [...(m[1] ?? '')].length / 4
    while (stack.length > 0 && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop()
    const parent = stack.at(-1)?.path ?? ''
    const seg = m[2] ?? ''
    const path =
      parent === ''
        ? seg
        : parent === '/'
          ? `/${seg.replace(/^\//, '')}`
          : `${parent}${seg.startsWith('/') ? '' : '/'}${seg}`
    stack.push({ depth, path })
    for (const method of (m[3] ?? '').split(', ')) if (method !== 'HEAD') out.push({ method, url: path })
  }
  return out
}

/** A concrete URL for a route pattern. */
export function fill(url: string): string {
  return url
    .replace(':id', 'jst-count-to-jdy-check-loss')
    .replace(':recordId', 'nope')
    .replace(':version', '1')
    .replace(':name', 'jdy-materials')
    .replace(':runId', 'no-such-run')
}
