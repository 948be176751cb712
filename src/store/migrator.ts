/**
 * Applies {@link MIGRATIONS} in order, once, even when several Ferry processes start together.
 *
 * PostgreSQL: a session advisory lock on {@link MIGRATION_LOCK_KEY} serialises migrators; each
 * migration runs in its own transaction with its `ferry_migrations` row. SQLite: the whole run is
 * one `BEGIN IMMEDIATE` transaction, which already excludes other writers on the file.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { isFerryError } from '../core/errors.js'
import { beginImmediate } from './dialect.js'
import type { StoreCapabilities } from './dialect.js'
import { StoreMigrationFailed, StoreSchemaTooNew, StoreUnreachable } from './errors.js'
import { operatorError } from './driver-errors.js'
import { MIGRATIONS } from './migrations.js'
import type { Migration } from './migrations.js'
import type { StoreDatabase } from './schema.js'

/** Advisory-lock key for migrations: 0x46455252 spells `FERR`. */
export const MIGRATION_LOCK_KEY = 0x46455252

export interface MigrateOptions {
  readonly schema?: string
  readonly migrations?: readonly Migration[]
  readonly now?: () => number
  /** Printable database name for error messages. */
  readonly target?: string
}

/** Bring the database up to the newest migration; returns the versions applied by this call. */
export async function migrate(
  db: Kysely<StoreDatabase>,
  caps: StoreCapabilities,
  opts: MigrateOptions = {},
): Promise<number[]> {
  const migrations = [...(opts.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version)
  const now = opts.now ?? Date.now
  try {
    return await db.connection().execute(async (conn) => {
      if (caps.advisoryLocks) await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn)
      else await beginImmediate(conn)
      let committed = false
      try {
        // Under the lock: two processes racing on `create schema if not exists` can both try to create it.
        if (caps.schemas && opts.schema !== undefined) {
          await sql`create schema if not exists ${sql.id(opts.schema)}`.execute(conn)
        }
        const applied = await applyPending(conn, caps, migrations, now)
        if (!caps.advisoryLocks) await sql`commit`.execute(conn)
        committed = true
        return applied
      } finally {
        if (caps.advisoryLocks) await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn)
        else if (!committed) await sql`rollback`.execute(conn)
      }
    })
  } catch (thrown) {
    // Driver errors arrive translated (dialect.ts); one not recognised there still means the
    // database could not be prepared, as before translation.
    const e =
      isFerryError(thrown) && thrown.code === 'ERR_INTERNAL' && thrown.cause !== undefined ? thrown.cause : thrown
    if (isFerryError(e)) throw operatorError(e.cause, opts.target ?? 'database') ?? e
    throw (
      operatorError(e, opts.target ?? 'database') ??
      StoreUnreachable([opts.target ?? 'database', e instanceof Error ? e.message : String(e)], { cause: e })
    )
  }
}

async function applyPending(
  conn: Kysely<StoreDatabase>,
  caps: StoreCapabilities,
  migrations: readonly Migration[],
  now: () => number,
): Promise<number[]> {
  await conn.schema
    .createTable('ferry_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', caps.bigintType, (c) => c.notNull())
    .execute()
  const rows = await conn.selectFrom('ferry_migrations').select('version').execute()
  const done = new Set(rows.map((r) => Number(r.version)))
  const newest = Math.max(0, ...done)
  const known = migrations.at(-1)?.version ?? 0
  if (newest > known) throw StoreSchemaTooNew([newest, known])
  const applied: number[] = []
  for (const m of migrations) {
    if (done.has(m.version)) continue
    // PostgreSQL: one transaction per migration; SQLite is already inside the outer one.
    if (caps.advisoryLocks) await sql`begin`.execute(conn)
    try {
      await m.up(conn, caps)
      await conn
        .insertInto('ferry_migrations')
        .values({ version: m.version, name: m.name, applied_at: now() })
        .execute()
      if (caps.advisoryLocks) await sql`commit`.execute(conn)
    } catch (e) {
      if (caps.advisoryLocks) await sql`rollback`.execute(conn)
      throw StoreMigrationFailed([m.version, m.name, e instanceof Error ? e.message : String(e)], { cause: e })
    }
    applied.push(m.version)
  }
  return applied
}
