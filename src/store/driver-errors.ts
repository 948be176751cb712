/**
 * Errors leaving the store are FerryErrors: a driver error that means the database could not be
 * reached (connection refused or dropped, server shutting down, SQLite locked for too long)
 * becomes ERR_STORE_UNREACHABLE (transient, so the engine retries); anything else unexpected
 * becomes ERR_INTERNAL with the driver error as cause.
 *
 * The translation happens once, where a driver error arises (the database driver under Kysely,
 * the SQLite statements run directly): nothing wraps the repositories.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely'
import { Internal, isFerryError } from '../core/errors.js'
import type { FerryError } from '../core/errors.js'
import { StoreCorrupt, StoreDiskFull, StoreRejected, StoreUnreachable } from './errors.js'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
])

/**
 * Driver errors an operator must act on, each with its own code: a full disk (SQLite's
 * SQLITE_FULL, an ENOSPC from a WAL sync, PostgreSQL's 53100), a damaged file (SQLITE_CORRUPT*,
 * SQLITE_NOTADB, PostgreSQL XX001/XX002), and PostgreSQL refusing the login or the schema
 * (SQLSTATE class 28, 3D000, 3F000, 42501), which is a configuration problem, not an outage.
 */
export function operatorError(e: unknown, target: string): FerryError | undefined {
  const code = (e as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  const message = e instanceof Error ? e.message : String(e)
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === '53100')
    return StoreDiskFull([target, message], { cause: e })
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'XX001' || code === 'XX002') {
    return StoreCorrupt([target, message], { cause: e })
  }
  if (code.startsWith('28') || code === '3D000' || code === '3F000' || code === '42501')
    return StoreRejected([target, message], { cause: e })
  return undefined
}

export function storeError(e: unknown, target: string): unknown {
  if (isFerryError(e)) return e
  const known = operatorError(e, target)
  if (known !== undefined) return known
  const code = (e as { code?: unknown } | null)?.code
  const message = e instanceof Error ? e.message : String(e)
  // PostgreSQL SQLSTATE class 08 = connection exception, 57P0x = server shutting down or crashed.
  const unreachable =
    typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code))
  if (
    unreachable ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
  ) {
    return StoreUnreachable([target, message], { cause: e })
  }
  return Internal([`store: ${message}`], { cause: e })
}

/**
 * The driver's own code of an error (`SQLITE_BUSY`, `ECONNREFUSED`, a SQLSTATE), also once it has
 * been translated: the translation keeps the driver error as its cause.
 */
export function driverCode(e: unknown): unknown {
  const own = (e as { code?: unknown } | null)?.code
  return isFerryError(e) ? (e.cause as { code?: unknown } | null | undefined)?.code : own
}

/**
 * PostgreSQL's driver with every failure translated by {@link storeError} where it arises: taking
 * a connection, each query (streamed ones too) and the transaction statements. Repositories above
 * see FerryErrors and nothing wraps them. (SQLite's statements are translated where they are
 * prepared and run: sqlite-statements.ts.)
 */
export function translatingDialect(inner: Dialect, target: string): Dialect {
  return {
    createDriver: () => new TranslatingDriver(inner.createDriver(), target),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  }
}

class TranslatingConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly target: string,
  ) {}

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return this.inner.executeQuery<R>(q).catch((e: unknown) => {
      throw storeError(e, this.target)
    })
  }

  async *streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(q, chunkSize)
    } catch (e) {
      throw storeError(e, this.target)
    }
  }
}

class TranslatingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly target: string,
  ) {}

  private async t<T>(p: Promise<T>): Promise<T> {
    try {
      return await p
    } catch (e) {
      throw storeError(e, this.target)
    }
  }

  init(): Promise<void> {
    return this.t(this.inner.init())
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new TranslatingConnection(await this.t(this.inner.acquireConnection()), this.target)
  }
  beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.t(this.inner.beginTransaction(unwrap(c), settings))
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.t(this.inner.commitTransaction(unwrap(c)))
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.t(this.inner.rollbackTransaction(unwrap(c)))
  }
  async savepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (this.inner.savepoint === undefined) throw Internal(['store: the driver has no savepoints'])
    return this.t(this.inner.savepoint(unwrap(c), name, compile))
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (this.inner.rollbackToSavepoint === undefined) throw Internal(['store: the driver has no savepoints'])
    return this.t(this.inner.rollbackToSavepoint(unwrap(c), name, compile))
  }
  async releaseSavepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    if (this.inner.releaseSavepoint === undefined) throw Internal(['store: the driver has no savepoints'])
    return this.t(this.inner.releaseSavepoint(unwrap(c), name, compile))
  }
  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(c))
  }
  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

function unwrap(c: DatabaseConnection): DatabaseConnection {
  return c instanceof TranslatingConnection ? c.inner : c
}
