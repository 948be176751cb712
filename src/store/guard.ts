/**
 * Errors leaving the store are FerryErrors: a driver error that means the database could not be
 * reached (connection refused or dropped, server shutting down, SQLite locked for too long)
 * becomes ERR_STORE_UNREACHABLE (transient, so the engine retries); anything else unexpected
 * becomes ERR_INTERNAL with the driver error as cause.
 */
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

/** Wrap every promise-returning method of a repository so its failures go through {@link storeError}. */
export function guarded<T extends object>(repo: T, target: string): T {
  return new Proxy(repo, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args)
        if (out instanceof Promise)
          return out.catch((e: unknown) => {
            throw storeError(e, target)
          })
        if (isAsyncIterable(out)) return guardIterable(out, target)
        return out
      }
    },
  })
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v
}

export async function* guardIterable<T>(it: AsyncIterable<T>, target: string): AsyncGenerator<T> {
  try {
    yield* it
  } catch (e) {
    throw storeError(e, target)
  }
}
