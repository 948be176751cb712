/**
 * The one database setting: `FERRY_DATABASE_URL`.
 *
 * - `sqlite:./data/ferry.db` (default), `sqlite:/abs/path.db`, `sqlite::memory:`, with an optional
 *   `?synchronous=full|intents|normal` (default full; see docs/storage.md for what the others give up)
 * - `postgres://user:pass@host:5432/db` or `postgresql://…`, with an optional `?schema=name` that
 *   puts every Ferry table in that PostgreSQL schema (created on first start).
 */
import { isSecretKey } from '../core/redact.js'
import { StoreUrlInvalid } from './errors.js'

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ferry.db'

export type DatabaseSetting =
  | { readonly dialect: 'sqlite'; readonly path: string; readonly synchronous?: SqliteSynchronous }
  | { readonly dialect: 'postgres'; readonly connectionString: string; readonly schema?: string }

/**
 * When SQLite syncs the WAL to disk (docs/storage.md, Durability). `full` (default): at every
 * commit. `intents`: at every commit except those the engine recovers from by probing (write
 * outcomes, claims, fetched pages), which the next synced commit makes durable; a write intent
 * is always on disk before its request leaves. `normal`: only at checkpoints, so the last
 * commits, write intents included, can be lost on power failure (never on a process crash).
 */
export type SqliteSynchronous = 'full' | 'intents' | 'normal'

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Parse the setting; throws ERR_STORE_URL_INVALID with the reason, never echoing a password. */
export function parseDatabaseUrl(raw: string | undefined): DatabaseSetting {
  const text = (raw ?? '').trim() === '' ? DEFAULT_DATABASE_URL : (raw ?? '').trim()
  if (text.startsWith('sqlite:')) {
    const rest = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    const q = rest.indexOf('?')
    const path = q < 0 ? rest : rest.slice(0, q)
    if (path === '')
      throw StoreUrlInvalid(['sqlite: needs a file path or :memory:'], { location: 'FERRY_DATABASE_URL' })
    const synchronous = q < 0 ? undefined : sqliteOptions(rest.slice(q + 1))
    return { dialect: 'sqlite', path, ...(synchronous === undefined ? {} : { synchronous }) }
  }
  if (/^postgres(ql)?:\/\//.test(text)) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw StoreUrlInvalid(['the postgres URL cannot be parsed'], { location: 'FERRY_DATABASE_URL' })
    }
    const schema = url.searchParams.get('schema') ?? undefined
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw StoreUrlInvalid([`schema "${schema}" must be letters, digits and _ (max 63)`], {
        location: 'FERRY_DATABASE_URL',
      })
    }
    url.searchParams.delete('schema')
    return { dialect: 'postgres', connectionString: url.toString(), ...(schema === undefined ? {} : { schema }) }
  }
  const scheme = text.includes(':') ? text.slice(0, text.indexOf(':') + 1) : text.slice(0, 12)
  throw StoreUrlInvalid([`unknown scheme "${scheme}"; expected sqlite: or postgres://`], {
    location: 'FERRY_DATABASE_URL',
  })
}

function sqliteOptions(query: string): SqliteSynchronous | undefined {
  const params = new URLSearchParams(query)
  let synchronous: SqliteSynchronous | undefined
  for (const [k, v] of params) {
    if (k !== 'synchronous')
      throw StoreUrlInvalid([`unknown SQLite option "${k}"; the only one is synchronous`], {
        location: 'FERRY_DATABASE_URL',
      })
    const mode = v.toLowerCase()
    if (mode !== 'full' && mode !== 'intents' && mode !== 'normal') {
      throw StoreUrlInvalid([`synchronous must be full, intents or normal, got "${v}"`], {
        location: 'FERRY_DATABASE_URL',
      })
    }
    synchronous = mode
  }
  return synchronous
}

/**
 * Query parameters of a PostgreSQL URL that carry a credential (libpq and pg both read
 * `password`; `sslpassword` unlocks the client key). Compared case-insensitively; any other key
 * that looks like a secret (token, secret, …) is redacted too.
 */
const URL_SECRET_PARAMS = /pass|pwd|secret|token|key$|auth/i

/**
 * A database URL fit to print: the password in the user info and every credential-bearing query
 * parameter (`?password=`, `?sslpassword=`, …) replaced by `[redacted]`. Text that is not a URL
 * is reduced to its scheme, since it cannot be taken apart safely.
 */
export function redactDatabaseUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    const colon = text.indexOf(':')
    return colon < 0 ? '[redacted]' : `${text.slice(0, colon + 1)}[redacted]`
  }
  if (url.password !== '') url.password = 'redacted'
  for (const key of [...url.searchParams.keys()]) {
    if (URL_SECRET_PARAMS.test(key) || isSecretKey(key)) url.searchParams.set(key, 'redacted')
  }
  return url.toString()
}

/** True when a PostgreSQL schema name is safe to quote into DDL. */
export function isValidSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name)
}
