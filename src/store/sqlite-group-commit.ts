/**
 * How SQLite write transactions are committed. Write transactions requested during the same
 * event-loop turn run one after another inside ONE `BEGIN IMMEDIATE … COMMIT`, each in its own
 * savepoint, so a failing transaction rolls back only its own changes. A transaction's promise
 * settles after that COMMIT and, when it has to be durable, after a WAL sync ({@link WalSync})
 * that started after the COMMIT: its changes are on disk when it resolves (a write intent before
 * its request leaves), as with `synchronous = FULL`, but the sync runs off the event loop and is
 * shared by every transaction committed before it.
 */
import { sql } from 'kysely'
import type { Kysely, SqliteDatabase } from 'kysely'
import type { StoreDatabase } from './schema.js'
import type { SqliteSynchronous } from './settings.js'
import type { WalSync } from './sqlite-wal-sync.js'

/** False after SQLite rolled a transaction back by itself (I/O error, disk full). */
interface TransactionState {
  readonly inTransaction: boolean
}

/**
 * - `durable`: on disk before the caller's promise resolves (write intents, credentials, and
 *   everything not marked otherwise);
 * - `lazy`: under `synchronous=intents`, resolves at COMMIT and reaches the disk with the next
 *   sync. Only for writes the engine recovers from when a power failure loses them: the WAL keeps
 *   commits in order, so a power cut loses a suffix of commits, never a durable one or anything
 *   before it (docs/storage.md, Durability).
 */
export type CommitDurability = 'durable' | 'lazy'

interface Pending {
  readonly durable: boolean
  readonly fn: (trx: Kysely<StoreDatabase>) => Promise<unknown>
  readonly resolve: (v: unknown) => void
  readonly reject: (e: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/** Most transactions in one group; bounds how long one group keeps this process's readers waiting. */
export const GROUP_MAX = 64

export class GroupCommitter {
  private queue: Pending[] = []
  private running = false

  /**
   * `wal`: the WAL syncer, or undefined when SQLite syncs by itself (not in WAL mode, or in
   * memory); `policy`: which transactions wait for a sync.
   */
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly handle: TransactionState,
    private readonly begin: (conn: Kysely<StoreDatabase>) => Promise<void>,
    private readonly wal: WalSync | undefined,
    private readonly policy: SqliteSynchronous,
    /** The connection's handle, for the savepoint statements (prepared once, run directly). */
    private readonly raw?: SqliteDatabase,
  ) {}

  /**
   * A transaction-control statement (savepoints, COMMIT, ROLLBACK) on the group's connection,
   * which this committer holds while it runs: on the raw handle when there is one, prepared once.
   */
  private async savepoint(conn: Kysely<StoreDatabase>, text: string): Promise<void> {
    if (this.raw === undefined) await sql.raw(text).execute(conn)
    else this.raw.prepare(text).run([])
  }

  /** `BEGIN IMMEDIATE` straight on the handle; when another process holds the lock, the caller's waiting begin. */
  private async beginGroup(conn: Kysely<StoreDatabase>): Promise<void> {
    if (this.raw !== undefined) {
      try {
        this.raw.prepare('begin immediate').run([])
        return
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'SQLITE_BUSY') throw e
      }
    }
    await this.begin(conn)
  }

  run<T>(fn: (trx: Kysely<StoreDatabase>) => Promise<T>, durability: CommitDurability = 'durable'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const durable = this.policy === 'full' || (this.policy === 'intents' && durability === 'durable')
      this.queue.push({ durable, fn, resolve: resolve as (v: unknown) => void, reject })
      // setImmediate, not a microtask: I/O callbacks already due (other workers' answers) run
      // first and can join the group.
      if (!this.running) {
        this.running = true
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, GROUP_MAX)
      await this.commitGroup(group)
      // Let answers that arrived during the group queue before the next one is taken.
      await new Promise((r) => setImmediate(r))
    }
    this.running = false
  }

  private async commitGroup(group: readonly Pending[]): Promise<void> {
    let outcomes: Outcome[]
    try {
      outcomes = await this.db.connection().execute(async (conn) => {
        await this.beginGroup(conn)
        let out: Outcome[]
        try {
          out = group.length === 1 ? [{ ok: true, value: await group[0]!.fn(conn) }] : await this.each(conn, group)
        } catch (e) {
          if (this.handle.inTransaction) await this.savepoint(conn, 'rollback')
          throw e
        }
        await this.savepoint(conn, 'commit')
        return out
      })
    } catch (e) {
      // BEGIN or COMMIT failed, or SQLite abandoned the transaction: nothing of the group is stored.
      for (const p of group) p.reject(e)
      return
    }
    // Not awaited: the next group may commit while this one's sync runs.
    const synced =
      this.wal !== undefined && group.some((p, i) => p.durable && outcomes[i]!.ok) ? this.wal.sync() : undefined
    outcomes.forEach((o, i) => {
      const p = group[i]!
      if (!o.ok) p.reject(o.error)
      else if (synced === undefined || !p.durable) p.resolve(o.value)
      // A failed sync leaves the commit's durability unknown: the caller must not act on it.
      else
        synced.then(
          () => p.resolve(o.value),
          (e: unknown) => p.reject(e),
        )
    })
  }

  private async each(conn: Kysely<StoreDatabase>, group: readonly Pending[]): Promise<Outcome[]> {
    const out: Outcome[] = []
    for (const p of group) {
      await this.savepoint(conn, 'savepoint ferry_tx')
      try {
        out.push({ ok: true, value: await p.fn(conn) })
        await this.savepoint(conn, 'release ferry_tx')
      } catch (error) {
        // Some errors make SQLite roll back the whole transaction: then the earlier members'
        // changes are gone too, and all of them must fail.
        if (!this.handle.inTransaction) throw error
        await this.savepoint(conn, 'rollback to ferry_tx')
        await this.savepoint(conn, 'release ferry_tx')
        out.push({ ok: false, error })
      }
    }
    return out
  }
}
