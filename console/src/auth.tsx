/**
 * Who is signed in. The session lives in HttpOnly cookies; the page only asks `GET /auth/me`.
 * Roles gate what is drawn: a viewer gets no writing buttons (the API refuses them anyway).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { ApiError, onUnauthorized } from './api/client.js'
import { auth } from './api/endpoints.js'
import { atLeast, type Me, type Role } from './api/types.js'

type State =
  { phase: 'loading' } | { phase: 'signedOut' } | { phase: 'signedIn'; me: Me } | { phase: 'failed'; error: ApiError }

interface Auth {
  readonly state: State
  readonly login: (name: string, password: string) => Promise<void>
  readonly logout: () => Promise<void>
  readonly reload: () => void
}

const Ctx = createContext<Auth | undefined>(undefined)

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ phase: 'loading' })
  const reload = useCallback(() => {
    setState({ phase: 'loading' })
    auth.me().then(
      (me) => setState({ phase: 'signedIn', me }),
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setState({ phase: 'signedOut' })
        else setState({ phase: 'failed', error: e instanceof ApiError ? e : new ApiError(0, 'ERR_NETWORK', String(e)) })
      },
    )
  }, [])
  useEffect(() => {
    reload()
  }, [reload])
  useEffect(() => onUnauthorized(() => setState({ phase: 'signedOut' })), [])
  const value = useMemo<Auth>(
    () => ({
      state,
      reload,
      async login(name, password) {
        setState({ phase: 'signedIn', me: await auth.login(name, password) })
      },
      async logout() {
        try {
          await auth.logout()
        } finally {
          setState({ phase: 'signedOut' })
        }
      },
    }),
    [state, reload],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useAuth(): Auth {
  const v = useContext(Ctx)
  if (v === undefined) throw new Error('useAuth outside AuthProvider')
  return v
}

/** True when the signed-in user's role is at least `need`. */
export function useCan(need: Role): boolean {
  const { state } = useAuth()
  return state.phase === 'signedIn' && atLeast(state.me.role, need)
}

/** Draws its children only for `need` or above: the one place write controls are gated. */
export function Can({ role, children }: { role: Role; children: ReactNode }) {
  return useCan(role) ? <>{children}</> : null
}
