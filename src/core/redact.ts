/**
 * Secrets never leave Ferry in logs, errors, API responses or snapshots. Every place that prints
 * or serialises external data goes through these helpers.
 */

/** Keys whose values are secrets, compared case-insensitively with `-` and `_` ignored. */
const SECRET_KEYS = new Set(
  ['app_secret', 'appsecret', 'access_token', 'refresh_token', 'client_secret', 'app-token', 'apptoken',
    'app_signature', 'x-api-signature', 'sign', 'password', 'master_key', 'secret', 'token', 'authorization']
    .map(normaliseKey),
)

function normaliseKey(k: string): string {
  return k.toLowerCase().replace(/[-_]/g, '')
}

export const REDACTED = '[redacted]'

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normaliseKey(key))
}

/** Deep copy with secret-keyed values replaced. Cycles are cut. */
export function redact<T>(value: T, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) return '[cycle]' as T
  seen.add(value)
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v, seen)) as T
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, seen)
  }
  return out as T
}

/** Replace every occurrence of the given secret strings inside free text (URLs, bodies, messages). */
export function scrubText(text: string, secrets: Iterable<string | undefined>): string {
  let out = text
  for (const s of secrets) {
    if (s !== undefined && s.length >= 4) out = out.split(s).join(REDACTED)
  }
  return out
}
