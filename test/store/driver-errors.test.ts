import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { CompiledQuery, PostgresDialect, type DatabaseConnection } from 'kysely'
import { driverCode, storeError, translatingDialect } from '../../src/store/driver-errors.js'
import { reusingStatements } from '../../src/store/sqlite-statements.js'
import { RecordNotFound } from '../../src/store/errors.js'

describe('errors leaving the store', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a server shutting down',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ])('turns %s into a transient ERR_STORE_UNREACHABLE', (_name, e) => {
    expect(storeError(e, 'postgres://db/x')).toMatchObject({ code: 'ERR_STORE_UNREACHABLE', kind: 'transient' })
  })

  it.each([
    [
      'PostgreSQL out of disk space (53100)',
      { code: '53100', message: 'could not extend file: No space left on device' },
      'ERR_STORE_DISK_FULL',
      'transient',
    ],
    [
      'a WAL sync hitting ENOSPC',
      { code: 'ENOSPC', message: 'ENOSPC: no space left on device, fsync' },
      'ERR_STORE_DISK_FULL',
      'transient',
    ],
    [
      'a damaged PostgreSQL page (XX001)',
      { code: 'XX001', message: 'invalid page in block 3' },
      'ERR_STORE_CORRUPT',
      'system',
    ],
    [
      'a wrong PostgreSQL password (28P01)',
      { code: '28P01', message: 'password authentication failed' },
      'ERR_STORE_REJECTED',
      'config',
    ],
    [
      'a missing PostgreSQL schema (3F000)',
      { code: '3F000', message: 'no schema has been selected to create in' },
      'ERR_STORE_REJECTED',
      'config',
    ],
  ])('gives %s its own code', (_name, fields, code, kind) => {
    expect(
      storeError(Object.assign(new Error(fields.message), { code: fields.code }), 'postgres://db/x'),
    ).toMatchObject({ code, kind })
  })

  it('keeps FerryErrors and turns anything else into ERR_INTERNAL', () => {
    const own = RecordNotFound(['s', 'r'])
    expect(storeError(own, 't')).toBe(own)
    expect(storeError(new Error('syntax error at or near'), 't')).toMatchObject({
      code: 'ERR_INTERNAL',
      kind: 'system',
    })
  })

  it('translates a SQLite statement failure where it is prepared and where it runs, once', () => {
    const db = reusingStatements(new Database(':memory:'), undefined, undefined, (e) => storeError(e, 'sqlite:x'))
    db.prepare('create table t (v text not null)').run([])
    expect(() => db.prepare('select nope from t')).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }))
    const insert = db.prepare('insert into t values (?)')
    let err: unknown
    try {
      insert.run([null])
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'ERR_INTERNAL', kind: 'system' })
    expect(driverCode(err)).toBe('SQLITE_CONSTRAINT_NOTNULL')
    db.close()
  })

  it("translates what PostgreSQL's driver fails with: taking a connection, a query, a streamed query", async () => {
    const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    let connects = 0
    const conn: DatabaseConnection = {
      executeQuery: () => Promise.reject(reset()),
      async *streamQuery() {
        yield await Promise.resolve({ rows: [] })
        throw reset()
      },
    }
    const inner = new PostgresDialect({ pool: {} as never })
    const driver = translatingDialect(
      {
        createAdapter: () => inner.createAdapter(),
        createQueryCompiler: () => inner.createQueryCompiler(),
        createIntrospector: (db) => inner.createIntrospector(db),
        createDriver: () => ({
          init: () => Promise.resolve(),
          acquireConnection: () => (++connects === 1 ? Promise.reject(reset()) : Promise.resolve(conn)),
          beginTransaction: () => Promise.resolve(),
          commitTransaction: () => Promise.resolve(),
          rollbackTransaction: () => Promise.resolve(),
          releaseConnection: () => Promise.resolve(),
          destroy: () => Promise.resolve(),
        }),
      },
      'postgres://db/x',
    ).createDriver()
    await expect(driver.acquireConnection()).rejects.toMatchObject({ code: 'ERR_STORE_UNREACHABLE' })
    const c = await driver.acquireConnection()
    await expect(c.executeQuery(CompiledQuery.raw('select 1'))).rejects.toMatchObject({
      code: 'ERR_STORE_UNREACHABLE',
    })
    const seen: unknown[] = []
    await expect(
      (async () => {
        for await (const r of c.streamQuery(CompiledQuery.raw('select 1'))) seen.push(r)
      })(),
    ).rejects.toMatchObject({ code: 'ERR_STORE_UNREACHABLE' })
    expect(seen).toHaveLength(1)
  })
})
