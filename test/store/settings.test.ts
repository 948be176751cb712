import { describe, expect, it } from 'vitest'
import { parseDatabaseUrl } from '../../src/store/settings.js'

describe('FERRY_DATABASE_URL', () => {
  it.each([
    ['defaults to the SQLite file under ./data', undefined, { dialect: 'sqlite', path: './data/ferry.db' }],
    ['reads an in-memory SQLite', 'sqlite::memory:', { dialect: 'sqlite', path: ':memory:' }],
    [
      'reads an absolute SQLite path',
      'sqlite:/var/lib/ferry/ferry.db',
      { dialect: 'sqlite', path: '/var/lib/ferry/ferry.db' },
    ],
    [
      'reads a PostgreSQL URL with a schema',
      'postgres://u:p@db:5432/ferry?schema=prod',
      { dialect: 'postgres', connectionString: 'postgres://u:p@db:5432/ferry', schema: 'prod' },
    ],
  ])('%s', (_name, raw, expected) => {
    expect(parseDatabaseUrl(raw)).toEqual(expected)
  })

  it('rejects an unknown scheme with ERR_STORE_URL_INVALID and the setting as location', () => {
    expect(() => parseDatabaseUrl('mysql://root@localhost/test')).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_URL_INVALID', location: 'FERRY_DATABASE_URL' }) as Error,
    )
  })

  it('rejects a schema name that could break out of DDL, without echoing the password', () => {
    let err: unknown
    try {
      parseDatabaseUrl('postgres://u:hunter2@db/x?schema=a";drop')
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'ERR_STORE_URL_INVALID' })
    expect(String((err as Error).message)).not.toContain('hunter2')
  })
})
