/**
 * The one database setting: `FERRY_DATABASE_URL`.
 *
 * - `sqlite:./data/ferry.db` (default), `sqlite:/abs/path.db`, `sqlite::memory:`
 * - `postgres://user:pass@host:5432/db` or `postgresql://…`, with an optional `?schema=name` that
 *   puts every Ferry table in that PostgreSQL schema (created on first start).
 */
import { StoreUrlInvalid } from './errors.js'

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ferry.db'

export type DatabaseSetting =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string; readonly schema?: string }

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Parse the setting; throws ERR_STORE_URL_INVALID with the reason, never echoing a password. */
export function parseDatabaseUrl(raw: string | undefined): DatabaseSetting {
  const text = (raw ?? '').trim() === '' ? DEFAULT_DATABASE_URL : (raw ?? '').trim()
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    if (path === '') throw StoreUrlInvalid(['sqlite: needs a file path or :memory:'], { location: 'FERRY_DATABASE_URL' })
    return { dialect: 'sqlite', path }
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
      throw StoreUrlInvalid([`schema "${schema}" must be letters, digits and _ (max 63)`], { location: 'FERRY_DATABASE_URL' })
    }
    url.searchParams.delete('schema')
    return { dialect: 'postgres', connectionString: url.toString(), ...(schema === undefined ? {} : { schema }) }
  }
  const scheme = text.includes(':') ? text.slice(0, text.indexOf(':') + 1) : text.slice(0, 12)
  throw StoreUrlInvalid([`unknown scheme "${scheme}"; expected sqlite: or postgres://`], { location: 'FERRY_DATABASE_URL' })
}

/** True when a PostgreSQL schema name is safe to quote into DDL. */
export function isValidSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name)
}
