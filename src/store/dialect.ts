/**
 * Opens Kysely on SQLite or PostgreSQL and describes what the database can do as a
 * {@link StoreCapabilities} object. Everything above this file branches on capabilities, never on
 * the dialect name, so a third database is one more `open*` function here.
 */
import { closeSync, constants, fchmodSync, mkdirSync, openSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import type { SqliteDatabase } from 'kysely'
import pg from 'pg'
import { StoreUnreachable } from './errors.js'
import { driverCode, operatorError, storeError, translatingDialect } from './driver-errors.js'
import { redactDatabaseUrl } from './settings.js'
import type { StoreDatabase } from './schema.js'
import type { DatabaseSetting, SqliteSynchronous } from './settings.js'
import { GroupCommitter, type CommitDurability } from './sqlite-group-commit.js'
import { reusingStatements } from './sqlite-statements.js'
import { WalSync } from './sqlite-wal-sync.js'

/** What the database offers; each flag's default is the conservative (SQLite) answer. */
export interface StoreCapabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED` (default false): concurrent claimers skip each other's rows. */
  readonly skipLocked: boolean
  /** Session advisory locks (default false): migrations serialise on a documented key. */
  readonly advisoryLocks: boolean
  /** Writers must open `BEGIN IMMEDIATE` to take the write lock up front (default true, SQLite). */
  readonly immediateWriteTransactions: boolean
  /** Named schemas isolate one Ferry from another in one database (default false). */
  readonly schemas: boolean
  /** Column type for 64-bit integers (times in ms, counters). */
  readonly bigintType: 'integer' | 'bigint'
  /** How an auto-numbered primary key is declared. */
  readonly autoId: 'integer-autoincrement' | 'bigserial'
}

/** The subset of better-sqlite3 Ferry uses, declared here so upgrades stay a local change. */
interface SqliteHandle extends SqliteDatabase {
  pragma(source: string, options?: { simple: boolean }): unknown
  readonly inTransaction: boolean
}

/** WAL pages after which a commit checkpoints (SQLite's default is 1 000); see openSqlite. */
export const WAL_CHECKPOINT_PAGES = 8000

/** SQLite stores opened here commit their write transactions in groups (see sqlite-group-commit.ts). */
const groupCommitters = new WeakMap<Kysely<StoreDatabase>, GroupCommitter>()

/** The statement-reusing better-sqlite3 handle under each SQLite store's Kysely (see {@link sqliteHandle}). */
const sqliteHandles = new WeakMap<Kysely<StoreDatabase>, SqliteDatabase>()

/**
 * The better-sqlite3 handle of a SQLite store opened here (undefined on PostgreSQL), for the
 * ledger's per-record statements (ledger-hot-sql.ts): they run prepared statements on it directly,
 * without Kysely's per-query building and promise hops. Only inside a write transaction of
 * {@link writeTransaction}, which holds the store's one connection, so nothing else interleaves.
 */
export function sqliteHandle(db: Kysely<StoreDatabase>): SqliteDatabase | undefined {
  return sqliteHandles.get(db)
}

export interface OpenedDatabase {
  readonly db: Kysely<StoreDatabase>
  readonly caps: StoreCapabilities
  /** Schema holding the tables (PostgreSQL only). */
  readonly schema?: string
  /** Printable target without credentials. */
  readonly target: string
}

const SQLITE_CAPS: StoreCapabilities = {
  skipLocked: false,
  advisoryLocks: false,
  immediateWriteTransactions: true,
  schemas: false,
  bigintType: 'integer',
  autoId: 'integer-autoincrement',
}

const POSTGRES_CAPS: StoreCapabilities = {
  skipLocked: true,
  advisoryLocks: true,
  immediateWriteTransactions: false,
  schemas: true,
  bigintType: 'bigint',
  autoId: 'bigserial',
}

export function openDatabase(setting: DatabaseSetting): OpenedDatabase {
  return setting.dialect === 'sqlite'
    ? openSqlite(setting.path, setting.synchronous ?? 'full')
    : openPostgres(setting.connectionString, setting.schema)
}

function openSqlite(path: string, synchronous: SqliteSynchronous): OpenedDatabase {
  const memory = path === ':memory:'
  const file = memory ? path : resolve(path)
  let handle: SqliteHandle
  let wal = false
  try {
    if (!memory) {
      mkdirSync(dirname(file), { recursive: true })
      createPrivate(file)
    }
    handle = new Database(file)
    // WAL lets readers run while a writer commits. Writers wait for the lock in beginImmediate;
    // the short busy timeout only covers brief WAL-index contention of readers.
    if (!memory) wal = handle.pragma('journal_mode = WAL', { simple: true }) === 'wal'
    // Always set explicitly: better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so
    // a WAL connection silently ran NORMAL after its first statement. In WAL mode the commits
    // are made durable by WalSync off the event loop (NORMAL keeps the file consistent); outside
    // WAL mode SQLite syncs by itself.
    handle.pragma(`synchronous = ${wal || synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
    // A checkpoint runs inside the COMMIT that crosses the threshold, on the event loop, and syncs
    // the WAL and the database file there (two fsyncs, 5–20 ms on a shared disk): at SQLite's
    // default of 1 000 pages that was ≈ 90 % of the ledger's COMMIT time in the overhead bench.
    // 8 000 pages (≈ 32 MB of WAL) checkpoint an eighth as often and copy a page rewritten many
    // times once. Durability is unchanged: it comes from WalSync, never from checkpoints.
    if (wal) handle.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`)
    handle.pragma('busy_timeout = 20')
    handle.pragma('foreign_keys = ON')
  } catch (e) {
    throw (
      operatorError(e, `sqlite:${path}`) ??
      StoreUnreachable([`sqlite:${path}`, e instanceof Error ? e.message : String(e)], { cause: e })
    )
  }
  const target = `sqlite:${path}`
  const translate = (e: unknown) => storeError(e, target)
  const syncer = wal && synchronous !== 'normal' ? new WalSync(`${file}-wal`, translate) : undefined
  const reusing = reusingStatements(handle, () => syncer?.close(), undefined, translate)
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: reusing }) })
  sqliteHandles.set(db, reusing)
  groupCommitters.set(db, new GroupCommitter(db, handle, beginImmediate, syncer, synchronous, reusing))
  return { db, caps: SQLITE_CAPS, target }
}

/**
 * Create the database file readable by its owner only (0600, like the key file) before SQLite
 * opens it: the ledger holds business data in clear. SQLite gives the -wal and -shm files it
 * creates the mode of the database file, so they follow. An existing file keeps its mode
 * (docs/storage.md says how to tighten one made by an older Ferry).
 */
function createPrivate(file: string): void {
  let fd: number
  try {
    fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') return
    throw e
  }
  try {
    // The umask may only remove bits, but a umask of 0 must not leave more than 0600 either.
    fchmodSync(fd, 0o600)
  } finally {
    closeSync(fd)
  }
}

/** BIGINT (oid 20) arrives as a string from pg; Ferry's bigints are ms times and counters, safe as numbers. */
const INT8_OID = 20

function openPostgres(connectionString: string, schema: string | undefined): OpenedDatabase {
  const types: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
      oid === INT8_OID
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
  }
  const pool = new pg.Pool({
    connectionString,
    types,
    max: 5,
    // Quoted like the `create schema` DDL quotes it: unquoted, PostgreSQL would fold `MySchema`
    // to `myschema` and search a schema that was never created.
    ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
  })
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  const target = `${redactDatabaseUrl(connectionString)}${schema === undefined ? '' : ` (schema ${schema})`}`
  return {
    db: new Kysely<StoreDatabase>({ dialect: translatingDialect(new PostgresDialect({ pool }), target) }),
    caps: POSTGRES_CAPS,
    ...(schema === undefined ? {} : { schema }),
    target,
  }
}

/**
 * Run `fn` in a write transaction. On SQLite it opens `BEGIN IMMEDIATE`, so two processes on one
 * file queue for the write lock instead of deadlocking on a read-then-write upgrade; transactions
 * requested together share one commit (each in its own savepoint), and each call resolves only
 * once its changes are committed. `lazy`: see {@link CommitDurability}; PostgreSQL ignores it.
 */
export async function writeTransaction<T>(
  db: Kysely<StoreDatabase>,
  caps: StoreCapabilities,
  fn: (trx: Kysely<StoreDatabase>) => Promise<T>,
  durability: CommitDurability = 'durable',
): Promise<T> {
  if (!caps.immediateWriteTransactions) return db.transaction().execute(fn)
  const group = groupCommitters.get(db)
  if (group !== undefined) return group.run(fn, durability)
  return db.connection().execute(async (conn) => {
    await beginImmediate(conn)
    try {
      const result = await fn(conn)
      await sql`commit`.execute(conn)
      return result
    } catch (e) {
      await sql`rollback`.execute(conn)
      throw e
    }
  })
}

const BUSY_WAIT_MS = 30_000

/**
 * `BEGIN IMMEDIATE`, waiting for the write lock without blocking the event loop: SQLite's own
 * busy handler sleeps synchronously, which would also stall any other store in this process that
 * holds the lock and needs the loop to finish. So the busy timeout stays short and the wait is
 * an asynchronous retry with growing pauses.
 */
export async function beginImmediate(conn: Kysely<StoreDatabase>): Promise<void> {
  const deadline = Date.now() + BUSY_WAIT_MS
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      await sql`begin immediate`.execute(conn)
      return
    } catch (e) {
      if (driverCode(e) !== 'SQLITE_BUSY') throw e
      if (Date.now() > deadline)
        throw StoreUnreachable(['sqlite', 'another process has held the write lock for 30 s'], { cause: e })
      await new Promise((r) => setTimeout(r, pause + Math.random() * pause))
    }
  }
}
