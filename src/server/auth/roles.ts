/** Roles, ordered: each may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** What a route demands: `public` (health probes only) or the least role allowed. */
export type Access = 'public' | Role

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x)
}

export function allows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}

/** Who is calling: a signed-in user (session) or a program (API token). */
export interface Principal {
  readonly kind: 'user' | 'token'
  readonly id: string
  readonly name: string
  readonly role: Role
  /** Set for sessions: the state-changing calls must carry this CSRF token's hash. */
  readonly csrfHash?: string
  readonly sessionHash?: string
}
