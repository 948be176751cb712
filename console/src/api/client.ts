/**
 * One way to call the API: same origin, session cookie, and the CSRF token echoed on every write
 * (double submit: the server set `ferry_csrf` readable for exactly this). Errors come back as
 * ApiError with the API's stable `code`, so pages can say what happened and what to do.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

type Listener = () => void
const unauthorized = new Set<Listener>()

/** Called when the session is gone (401): the app shows the sign-in page again. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorized.add(fn)
  return () => {
    unauthorized.delete(fn)
  }
}

let csrfFromLogin: string | undefined

export function setCsrfToken(token: string | undefined): void {
  csrfFromLogin = token
}

function csrfToken(): string | undefined {
  const m = /(?:^|;\s*)ferry_csrf=([^;]+)/.exec(document.cookie)
  return m?.[1] !== undefined ? decodeURIComponent(m[1]) : csrfFromLogin
}

export type Query = Record<string, string | number | boolean | undefined>

export function withQuery(path: string, q: Query = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s === '' ? path : `${path}?${s}`
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') {
    const token = csrfToken()
    if (token !== undefined) headers['x-csrf-token'] = token
  }
  let res: Response
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (e) {
    throw new ApiError(0, 'ERR_NETWORK', e instanceof Error ? e.message : String(e))
  }
  const text = await res.text()
  let json: unknown = undefined
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    /* a non-JSON answer is reported below */
  }
  if (!res.ok) {
    const b = (json ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> }
    if (res.status === 401 && path !== '/auth/login') for (const fn of unauthorized) fn()
    throw new ApiError(
      res.status,
      b.code ?? `HTTP_${res.status}`,
      b.message ?? (text.slice(0, 200) || res.statusText),
      b.details ?? {},
    )
  }
  return json as T
}
