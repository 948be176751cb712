/**
 * A small hash router: `#/schemes/<id>/records?status=error&record=<id>`. Hash URLs need no
 * server fallback (the server answers only `/` and `/assets/*`), survive reloads and can be
 * shared. Pages still to come (designer, mapping, runs, reconcile) add one line to ROUTES.
 */
import { useSyncExternalStore } from 'react'

export const ROUTES = {
  dashboard: '/',
  records: '/schemes/:scheme/records',
  // Flow designer and mapping editor (issue 15, designer part).
  designer: '/schemes/:scheme/designer',
  // --- dashboard slice: scheme page, reconcile, connections ---
  scheme: '/schemes/:scheme',
  reconcile: '/schemes/:scheme/reconcile',
  connections: '/connections',
  // --- end of dashboard slice ---
} as const

export type RouteName = keyof typeof ROUTES

export interface Route {
  readonly name: RouteName | 'notFound'
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
}

export function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/'
  const [path = '/', search = ''] = raw.split('?', 2)
  const parts = path.split('/').filter((p) => p !== '')
  for (const [name, pattern] of Object.entries(ROUTES) as [RouteName, string][]) {
    const want = pattern.split('/').filter((p) => p !== '')
    if (want.length !== parts.length) continue
    const params: Record<string, string> = {}
    if (
      want.every((w, i) => {
        const got = parts[i] ?? ''
        if (w.startsWith(':')) {
          params[w.slice(1)] = decodeURIComponent(got)
          return true
        }
        return w === got
      })
    )
      return { name, params, query: new URLSearchParams(search) }
  }
  return { name: 'notFound', params: {}, query: new URLSearchParams(search) }
}

export function href(
  name: RouteName,
  params: Record<string, string> = {},
  query: Record<string, string | undefined> = {},
): string {
  const path = ROUTES[name].replace(/:(\w+)/g, (_m, k: string) => encodeURIComponent(params[k] ?? ''))
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v)
  const s = q.toString()
  return `#${path}${s === '' ? '' : `?${s}`}`
}

export function navigate(to: string): void {
  if (window.location.hash !== to) window.location.hash = to
}

const subscribe = (fn: () => void) => {
  window.addEventListener('hashchange', fn)
  return () => window.removeEventListener('hashchange', fn)
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash)
  // Parsing is cheap; keyed on the hash string so components re-render only when it changes.
  return parse(hash)
}
