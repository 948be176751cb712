/**
 * Bench-only: counts the SQLite statements this process runs. better-sqlite3 runs every statement
 * through one of four methods of its `Statement` class, whichever way it was prepared (Kysely's
 * driver, the store's own prepared statements), so wrapping them on the prototype counts them all,
 * BEGIN, COMMIT and savepoints included. Off unless asked for (`--count-sql`): the wrappers cost a
 * function call and two clock reads per statement.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

type Run = (this: { source: string }, ...args: unknown[]) => unknown

export interface SqlCounter {
  /** Statements run since the last reset, in all. */
  total(): number
  /** `fdatasync` calls since the last reset (the store's WAL syncs, src/store/sqlite-wal-sync.ts). */
  syncs(): number
  /** Statements by SQL text (whitespace collapsed), the most time-consuming first, with their counts. */
  byText(): { sql: string; n: number; ms: number; slow: number; slow_ms: number }[]
  reset(): void
}

let installed: SqlCounter | undefined

/**
 * Pass every statement better-sqlite3 runs in this process through `wrap` (its SQL text, its
 * parameters, and the run itself to call): the four methods of its `Statement` class, whichever
 * way it was prepared. Returns the function that puts the methods back.
 */
export function wrapStatements(wrap: (source: string, args: unknown[], call: () => unknown) => unknown): () => void {
  const probe = new Database(':memory:')
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Run>
  probe.close()
  const saved: [string, Run][] = []
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const inner = proto[m]
    if (typeof inner !== 'function') continue
    saved.push([m, inner])
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      return wrap(this.source, args, () => inner.apply(this, args))
    }
  }
  return () => {
    for (const [m, inner] of saved) proto[m] = inner
  }
}

export function countSqlStatements(): SqlCounter {
  if (installed !== undefined) return installed
  const counts = new Map<string, { n: number; ms: number; slow: number; slow_ms: number }>()
  let total = 0
  let syncs = 0
  // The store imports `fdatasync` by name: patching the module object and syncing the ESM
  // exports makes that binding the counting one too.
  const fdatasync = fs.fdatasync
  fs.fdatasync = ((...args: Parameters<typeof fs.fdatasync>) => {
    syncs++
    fdatasync(...args)
  }) as typeof fs.fdatasync
  syncBuiltinESMExports()
  wrapStatements((source, _args, call) => {
    total++
    let c = counts.get(source)
    if (c === undefined) counts.set(source, (c = { n: 0, ms: 0, slow: 0, slow_ms: 0 }))
    c.n++
    const t0 = performance.now()
    try {
      return call()
    } finally {
      const ms = performance.now() - t0
      c.ms += ms
      // Runs over a millisecond: a COMMIT that checkpointed the WAL (and synced the file) shows here.
      if (ms > 1) {
        c.slow++
        c.slow_ms += ms
      }
    }
  })
  installed = {
    total: () => total,
    syncs: () => syncs,
    byText: () =>
      [...counts].map(([sql, c]) => ({ sql: sql.replace(/\s+/g, ' ').trim(), ...c })).sort((a, b) => b.ms - a.ms),
    reset: () => {
      counts.clear()
      total = 0
      syncs = 0
    },
  }
  return installed
}
