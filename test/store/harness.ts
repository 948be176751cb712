/**
 * Store factories for the contract suite: a fresh SQLite file in a temp dir, or a fresh
 * PostgreSQL schema with a random name (dropped afterwards). `STORE_DIALECTS=sqlite,postgres`
 * narrows which dialects run.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openStore } from '../../src/store/index.js'
import type { Store } from '../../src/store/index.js'

export interface TestClock {
  now: () => number
  set(ms: number): void
  advance(ms: number): void
}

export function testClock(start = Date.UTC(2026, 0, 1, 0, 0, 0)): TestClock {
  let t = start
  return {
    now: () => t,
    set: (ms) => {
      t = ms
    },
    advance: (ms) => {
      t += ms
    },
  }
}

export interface TestDatabase {
  /** The URL both "processes" use. */
  readonly url: string
  readonly key: Buffer
  /** Open another store on the same database (a second process), optionally with another key. */
  open(opts?: { now?: () => number; masterKey?: Buffer }): Promise<Store>
  cleanup(): Promise<void>
}

export interface StoreFactory {
  readonly dialect: 'sqlite' | 'postgres'
  create(): TestDatabase
}

export function dialectEnabled(name: string): boolean {
  const only = process.env.STORE_DIALECTS
  return (
    only === undefined ||
    only.trim() === '' ||
    only
      .split(',')
      .map((s) => s.trim())
      .includes(name)
  )
}

function database(url: string, drop: () => Promise<void>): TestDatabase {
  const key = randomBytes(32)
  const opened: Store[] = []
  return {
    url,
    key,
    async open(opts = {}) {
      const store = await openStore({
        url,
        masterKey: opts.masterKey ?? key,
        ...(opts.now === undefined ? {} : { now: opts.now }),
      })
      opened.push(store)
      return store
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close()
      await drop()
    },
  }
}

export const sqliteFactory: StoreFactory = {
  dialect: 'sqlite',
  create() {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-store-'))
    return database(`sqlite:${join(dir, 'ferry.db')}`, () => {
      rmSync(dir, { recursive: true, force: true })
      return Promise.resolve()
    })
  },
}

export const PG_URL = process.env.FERRY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export function postgresFactory(baseUrl = PG_URL): StoreFactory {
  return {
    dialect: 'postgres',
    create() {
      const schema = `ferry_test_${randomBytes(6).toString('hex')}`
      const url = new URL(baseUrl)
      url.searchParams.set('schema', schema)
      return database(url.toString(), async () => {
        const client = new pg.Client({ connectionString: baseUrl })
        await client.connect()
        try {
          await client.query(`drop schema if exists "${schema}" cascade`)
        } finally {
          await client.end()
        }
      })
    },
  }
}

/** Can we reach PostgreSQL? Resolves with the reason when not. */
export async function probePostgres(baseUrl = PG_URL): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return { ok: true }
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) }
  } finally {
    await client.end().catch(() => undefined)
  }
}

export type SuitePlan = { run: true } | { run: false; fail: boolean; reason: string }

/**
 * Whether the PostgreSQL suite runs: it runs when the server answers; otherwise it is skipped
 * locally with the reason, and fails under CI=true so CI never passes without it.
 */
export function postgresPlan(probe: { ok: true } | { ok: false; reason: string }, env: NodeJS.ProcessEnv): SuitePlan {
  if (probe.ok) return { run: true }
  return { run: false, fail: env.CI === 'true', reason: probe.reason }
}
