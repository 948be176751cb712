/**
 * What a PostgreSQL URL may carry: a schema in any case, credentials in any of the forms libpq
 * reads. Runs on the real server (skipped with the reason when it is unreachable, failed under CI).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { redactDatabaseUrl } from '../../src/store/settings.js'
import { PG_URL, dialectEnabled, postgresPlan, probePostgres } from './harness.js'

const plan = dialectEnabled('postgres')
  ? postgresPlan(await probePostgres(), process.env)
  : { run: false as const, fail: false, reason: 'STORE_DIALECTS excludes postgres' }

describe('printing a database URL', () => {
  it.each([
    ['the password in the user info', 'postgres://ferry:pw-hunter2@db:5432/ferry'],
    ['?password=', 'postgres://ferry@db:5432/ferry?password=pw-hunter2'],
    ['?sslpassword=', 'postgres://ferry@db:5432/ferry?sslmode=require&sslpassword=pw-hunter2'],
    ['an upper-case ?PASSWORD=', 'postgresql://ferry@db/ferry?PASSWORD=pw-hunter2&schema=x'],
    ['a percent-encoded password', 'postgres://ferry:pw%2Dhunter2@db/ferry'],
  ])('hides %s', (_name, url) => {
    const shown = redactDatabaseUrl(url)
    expect(shown).not.toMatch(/hunter2/)
    expect(shown).toContain('db')
  })

  it('keeps the parts that help find the database', () => {
    expect(redactDatabaseUrl('postgres://ferry:secret@db:5433/ferry?sslmode=require')).toBe(
      'postgres://ferry:redacted@db:5433/ferry?sslmode=require',
    )
  })

  it('does not print a ?password= of an unreachable server in the error', async () => {
    const err = await openStore({
      url: 'postgres://ferry@127.0.0.1:1/ferry?password=pw-hunter2',
      masterKey: randomBytes(32),
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_STORE_UNREACHABLE' })
    expect(JSON.stringify({ message: (err as Error).message, ...(err as object) })).not.toContain('hunter2')
  })
})

describe.runIf(plan.run)('a PostgreSQL schema named with upper case', () => {
  it('is created and used under the exact name given', async () => {
    const schema = `Ferry_Upper_${randomBytes(4).toString('hex')}`
    const url = new URL(PG_URL)
    url.searchParams.set('schema', schema)
    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    try {
      const store = await openStore({ url: url.toString(), masterKey: randomBytes(32) })
      try {
        await store.ledger.upsertSourceRecords('s', [{ id: 1, content: { a: 1 } }])
        expect((await store.ledger.counts('s')).waiting).toBe(1)
      } finally {
        await store.close()
      }
      const found = await admin.query<{ n: string }>(
        'select count(*) as n from information_schema.tables where table_schema = $1',
        [schema],
      )
      expect(Number(found.rows[0]?.n)).toBeGreaterThan(0)
      const folded = await admin.query('select 1 from information_schema.schemata where schema_name = $1', [
        schema.toLowerCase(),
      ])
      expect(folded.rowCount).toBe(0)
    } finally {
      await admin.query(`drop schema if exists "${schema}" cascade`)
      await admin.end()
    }
  })
})

describe.runIf(plan.run)('a PostgreSQL setting the server refuses', () => {
  it('is a config error (ERR_STORE_REJECTED), not a transient outage, for a database that does not exist', async () => {
    const url = new URL(PG_URL)
    url.pathname = `/ferry_missing_${randomBytes(4).toString('hex')}`
    const err = await openStore({ url: url.toString(), masterKey: randomBytes(32) }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_STORE_REJECTED', kind: 'config' })
  })
})

describe.runIf(!plan.run && plan.fail)('PostgreSQL URL suite', () => {
  it('needs PostgreSQL in CI', () => {
    expect.fail(`PostgreSQL is required when CI=true: ${plan.run ? '' : plan.reason}`)
  })
})
