import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { beginImmediate, openDatabase, writeTransaction } from '../../src/store/dialect.js'
import type { StoreDatabase } from '../../src/store/schema.js'
import { parseDatabaseUrl } from '../../src/store/settings.js'
import { GroupCommitter } from '../../src/store/sqlite-group-commit.js'
import { reusingStatements } from '../../src/store/sqlite-statements.js'
import { WalSync } from '../../src/store/sqlite-wal-sync.js'

const dirs: string[] = []
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-commit-'))
  dirs.push(dir)
  return join(dir, 'ferry.db')
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const values = async (db: Kysely<StoreDatabase>) =>
  (await sql<{ v: string }>`select v from t order by v`.execute(db)).rows.map((r) => r.v)
const insert = (v: string) => async (trx: Kysely<StoreDatabase>) => {
  await sql`insert into t (v) values (${v})`.execute(trx)
}

/** A WAL syncer whose syncs finish when the test says so. */
function manualSync(): { syncer: WalSync; calls: () => number; finish: (error?: Error) => void } {
  let calls = 0
  let settle: ((e?: Error) => void) | undefined
  const syncer = {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        calls++
        settle = (e) => (e === undefined ? resolve() : reject(e))
      }),
    close: () => undefined,
  } as unknown as WalSync
  return { syncer, calls: () => calls, finish: (e) => settle?.(e) }
}

const tick = () => new Promise((r) => setImmediate(r))

/** A WAL database with one table `t (v text)`, opened raw and through Kysely. */
async function walTable(): Promise<{ handle: InstanceType<typeof Database>; db: Kysely<StoreDatabase> }> {
  const handle = new Database(tempDb())
  handle.pragma('journal_mode = WAL')
  handle.exec('create table t (v text)')
  const { Kysely: K, SqliteDialect } = await import('kysely')
  return { handle, db: new K<StoreDatabase>({ dialect: new SqliteDialect({ database: handle }) }) }
}

describe('SQLite prepared statements', () => {
  it('hands back the statement prepared before for the same SQL, and a fresh one while it is being iterated', () => {
    const db = reusingStatements(new Database(':memory:'))
    db.prepare('create table t (v text)').run([])
    const a = db.prepare('select v from t')
    expect(db.prepare('select v from t')).toBe(a)
    db.prepare('insert into t values (1), (2)').run([])
    const it = a.iterate([])
    it.next()
    const b = db.prepare('select v from t')
    expect(b).not.toBe(a)
    expect(b.all([])).toHaveLength(2)
    it.return?.()
    db.close()
  })
})

describe('SQLite write transactions', () => {
  it('commits transactions requested together, rolling back only the one that failed', async () => {
    const opened = openDatabase({ dialect: 'sqlite', path: tempDb() })
    const { db, caps } = opened
    try {
      await sql`create table t (v text unique)`.execute(db)
      const results = await Promise.allSettled([
        writeTransaction(db, caps, insert('a')),
        writeTransaction(db, caps, async (trx) => {
          await insert('b')(trx)
          throw new Error('refused')
        }),
        writeTransaction(db, caps, insert('c')),
        writeTransaction(db, caps, insert('a')),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected'])
      expect(await values(db)).toEqual(['a', 'c'])
    } finally {
      await db.destroy()
    }
  })

  it('syncs the WAL file of a reopened WAL database, one sync for the commits made before it starts', async () => {
    const path = tempDb()
    for (const round of [1, 2]) {
      const { db, caps } = openDatabase({ dialect: 'sqlite', path })
      await sql`create table if not exists t (v text)`.execute(db)
      // better-sqlite3 defaults a WAL connection to NORMAL; the commit's durability comes from WalSync.
      expect(
        (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous,
        `open ${round}`,
      ).toBe(1)
      await writeTransaction(db, caps, insert(`r${round}`))
      await db.destroy()
    }
    const syncer = new WalSync(`${path}-wal`)
    const handle = new Database(path)
    handle.exec("insert into t values ('x')")
    const first = syncer.sync()
    expect(syncer.sync()).toBe(first)
    await first
    const second = syncer.sync()
    expect(second).not.toBe(first)
    await second
    syncer.close()
    handle.close()
  })

  it('resolves a durable transaction only after a WAL sync that started after its commit', async () => {
    const { handle, db } = await walTable()
    const wal = manualSync()
    const committer = new GroupCommitter(db, handle, beginImmediate, wal.syncer, 'full')
    let done = false
    const p = committer.run(insert('a')).then(() => {
      done = true
    })
    for (let i = 0; i < 5; i++) await tick()
    expect(wal.calls()).toBe(1)
    expect(handle.prepare('select count(*) as n from t').get()).toEqual({ n: 1 })
    expect(done).toBe(false)
    wal.finish()
    await p
    expect(done).toBe(true)
    await db.destroy()
  })

  it('under synchronous=intents resolves lazy transactions at commit and fails durable ones whose sync failed', async () => {
    const { handle, db } = await walTable()
    const wal = manualSync()
    const committer = new GroupCommitter(db, handle, beginImmediate, wal.syncer, 'intents')
    await committer.run(insert('lazy'), 'lazy')
    expect(wal.calls()).toBe(0)
    const durable = committer.run(insert('intent'))
    for (let i = 0; i < 5; i++) await tick()
    expect(wal.calls()).toBe(1)
    wal.finish(new Error('EIO'))
    await expect(durable).rejects.toThrow('EIO')
    await db.destroy()
  })
})

describe('FERRY_DATABASE_URL SQLite options', () => {
  it('reads synchronous and refuses anything else', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/ferry.db?synchronous=intents')).toEqual({
      dialect: 'sqlite',
      path: '/var/lib/ferry.db',
      synchronous: 'intents',
    })
    expect(parseDatabaseUrl('sqlite::memory:?synchronous=NORMAL')).toEqual({
      dialect: 'sqlite',
      path: ':memory:',
      synchronous: 'normal',
    })
    expect(() => parseDatabaseUrl('sqlite:/x.db?synchronous=off')).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_URL_INVALID' }) as Error,
    )
    expect(() => parseDatabaseUrl('sqlite:/x.db?cache=shared')).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_URL_INVALID' }) as Error,
    )
  })
})
