/**
 * The least durable ledger an exactly-once engine must keep, beside the reference contender (issue
 * 13's floor): every qualifying order stored (its content and a hash) before its bill may leave, a
 * write intent with the bill on disk before the request leaves, the outcome after it, and an audit
 * row for each of the three. Written straight on better-sqlite3 with no code from Ferry, in the
 * cheapest safe way we know: WAL with SQLite's own syncs off, every change of one event-loop turn
 * in one transaction, and one `fdatasync` of the WAL off the main thread after each COMMIT, which
 * every caller of that transaction waits for (what Ferry's store does, without its generality).
 */
import { createHash } from 'node:crypto'
import { closeSync, fdatasync, openSync } from 'node:fs'
import Database from 'better-sqlite3'
import type { ReferenceHooks } from './reference.js'

interface Waiting {
  readonly work: () => void
  readonly resolve: () => void
  readonly reject: (e: unknown) => void
}

export class FloorLedger implements ReferenceHooks {
  private readonly db: Database.Database
  private readonly walFd: number
  private queue: Waiting[] = []
  private scheduled = false
  private readonly insertRecord: Database.Statement
  private readonly intent: Database.Statement
  private readonly outcome: Database.Statement
  private readonly event: Database.Statement
  private readonly begin: Database.Statement
  private readonly end: Database.Statement
  private readonly rollback: Database.Statement
  /** Transactions committed, each followed by one WAL sync. */
  commits = 0

  /**
   * `indexed`: the records and events tables carry the secondary indexes Ferry's ledger keeps for
   * its queues, the record explorer and the dashboards (ready records by status and time, target
   * id, creation and completion time, events by record), to show what they cost the floor.
   */
  constructor(file: string, indexed = false) {
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = OFF')
    this.db.exec(`create table records (id text primary key, content text not null, hash text not null,
        status text not null, payload text, target_id text, response text, updated_at integer not null,
        created_at integer not null default 0, done_at integer);
      create table events (seq integer primary key, record_id text not null, at integer not null,
        event text not null, detail text)`)
    if (indexed)
      this.db.exec(`create index records_ready on records (status, updated_at);
        create index records_target on records (target_id);
        create index records_created on records (created_at);
        create index records_done on records (done_at);
        create index events_by_record on events (record_id, seq)`)
    this.walFd = openSync(`${file}-wal`, 'r+')
    this.insertRecord = this.db.prepare(
      `insert into records (id, content, hash, status, updated_at, created_at) values (?, ?, ?, 'waiting', ?, ?) on conflict (id) do nothing`,
    )
    this.intent = this.db.prepare(
      `update records set status = 'unknown', payload = ?, updated_at = ? where id = ? and status = 'waiting'`,
    )
    this.outcome = this.db.prepare(
      `update records set status = ?, target_id = ?, response = ?, updated_at = ?, done_at = ? where id = ? and status = 'unknown'`,
    )
    this.event = this.db.prepare(`insert into events (record_id, at, event, detail) values (?, ?, ?, ?)`)
    this.begin = this.db.prepare('begin immediate')
    this.end = this.db.prepare('commit')
    this.rollback = this.db.prepare('rollback')
  }

  stored(orders: readonly { readonly no: string; readonly content: unknown }[]): Promise<void> {
    return this.durably(() => {
      const now = Date.now()
      for (const o of orders) {
        const text = JSON.stringify(o.content)
        const hash = createHash('sha256').update(text).digest('hex')
        if (this.insertRecord.run(o.no, text, hash, now, now).changes === 1) this.event.run(o.no, now, 'stored', null)
      }
    })
  }

  sending(no: string, bill: unknown): Promise<void> {
    return this.durably(() => {
      const now = Date.now()
      if (this.intent.run(JSON.stringify(bill), now, no).changes !== 1) throw new Error(`${no}: not waiting`)
      this.event.run(no, now, 'intent', null)
    })
  }

  answered(no: string, answer: Record<string, unknown>): Promise<void> {
    return this.durably(() => {
      const now = Date.now()
      const ok = answer.errcode === 0
      const ids = (answer.data as { ids?: unknown } | undefined)?.ids
      const first: unknown = Array.isArray(ids) ? ids[0] : undefined
      const id = ok && (typeof first === 'string' || typeof first === 'number') ? String(first) : null
      this.outcome.run(ok ? 'done' : 'error', id, JSON.stringify(answer), now, now, no)
      this.event.run(no, now, ok ? 'done' : 'error', null)
    })
  }

  /** Records by status, and audit rows: what the bench checks the ledger kept. */
  counts(): { byStatus: Record<string, number>; events: number } {
    const rows = this.db.prepare('select status, count(*) as n from records group by status').all() as {
      status: string
      n: number
    }[]
    const events = (this.db.prepare('select count(*) as n from events').get() as { n: number }).n
    return { byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])), events }
  }

  close(): void {
    this.db.close()
    closeSync(this.walFd)
  }

  /** Run `work` in this turn's transaction; resolves once that transaction is on disk. */
  private durably(work: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.commit())
      }
    })
  }

  private commit(): void {
    const group = this.queue
    this.queue = []
    this.scheduled = false
    // No savepoint per change (the floor pays for none): a change that throws fails its whole group.
    try {
      this.begin.run()
      for (const w of group) w.work()
      this.end.run()
    } catch (e) {
      if (this.db.inTransaction) this.rollback.run()
      for (const w of group) w.reject(e)
      return
    }
    this.commits++
    fdatasync(this.walFd, (err) => {
      for (const w of group) (err === null ? w.resolve : w.reject)(err)
    })
  }
}
