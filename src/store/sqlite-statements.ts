/**
 * Prepared-statement reuse for better-sqlite3 under Kysely. Kysely's SQLite driver calls
 * `prepare(sql)` for every query it runs, and preparing (parsing and planning the SQL) cost as much
 * as running the statement on the ledger's hot path (claim, intent, outcome: 7 % of the engine's
 * time in the overhead bench). Kysely compiles the same builder to the same SQL text with the
 * values as parameters, so a cache keyed by the text hands back the statement prepared before.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Statements kept; SQL whose text varies with the input (IN lists, multi-row inserts) churns through the tail. */
export const STATEMENT_CACHE_MAX = 256
/** Longer texts are almost always one-off shapes (long IN lists, batch inserts): not worth a slot. */
const MAX_CACHED_SQL_LENGTH = 4096

interface CachedStatement extends SqliteStatement {
  /** better-sqlite3: true while an iterator over this statement is open; it cannot run again until closed. */
  readonly busy: boolean
}

interface PreparingDatabase extends SqliteDatabase {
  prepare(sql: string): CachedStatement
}

/**
 * Wrap a better-sqlite3 handle so `prepare` reuses statements. Safe because better-sqlite3 runs a
 * statement to completion synchronously in `all`/`run` and Kysely's driver serialises queries on
 * its one connection; the only way a statement stays in use is an open `iterate` (Kysely's
 * `stream()`), in which case a fresh statement is prepared instead. SQLite re-prepares a cached
 * statement by itself when the schema changes (migrations).
 *
 * Every SQLite statement of the store is prepared here (Kysely's, the ledger's hot ones, the group
 * commit's savepoints), so this is also where a driver error is translated, once: `translate`
 * (driver-errors.ts `storeError`) is applied to whatever preparing or running one throws.
 */
export function reusingStatements<T extends SqliteDatabase>(
  db: T,
  onClose?: () => void,
  max = STATEMENT_CACHE_MAX,
  translate: (e: unknown) => unknown = (e) => e,
): SqliteDatabase {
  const inner = db as unknown as PreparingDatabase
  const cache = new Map<string, Translated>()
  return {
    close: () => {
      cache.clear()
      inner.close()
      onClose?.()
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql)
      if (hit !== undefined && !hit.raw.busy) {
        // Map order is insertion order: re-inserting makes this the most recently used.
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      let raw: CachedStatement
      try {
        raw = inner.prepare(sql)
      } catch (e) {
        throw translate(e)
      }
      const stmt = translated(raw, translate)
      if (hit === undefined && sql.length <= MAX_CACHED_SQL_LENGTH) {
        cache.set(sql, stmt)
        if (cache.size > max) {
          const oldest = cache.keys().next()
          if (oldest.done !== true) cache.delete(oldest.value)
        }
      }
      return stmt
    },
  }
}

interface Translated extends SqliteStatement {
  readonly raw: CachedStatement
}

/** The statement with its failures translated; made once per prepared statement, not per run. */
function translated(raw: CachedStatement, translate: (e: unknown) => unknown): Translated {
  return {
    raw,
    reader: raw.reader,
    all(params) {
      try {
        return raw.all(params)
      } catch (e) {
        throw translate(e)
      }
    },
    run(params) {
      try {
        return raw.run(params)
      } catch (e) {
        throw translate(e)
      }
    },
    *iterate(params) {
      try {
        yield* raw.iterate(params)
      } catch (e) {
        throw translate(e)
      }
    },
  }
}
