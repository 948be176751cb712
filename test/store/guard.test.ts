import { describe, expect, it } from 'vitest'
import { guarded, storeError } from '../../src/store/guard.js'
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

  it('wraps rejected promises of repository methods and leaves sync values alone', async () => {
    const repo = guarded({ fail: () => Promise.reject(new Error('boom')), value: () => 3 }, 't')
    await expect(repo.fail()).rejects.toMatchObject({ code: 'ERR_INTERNAL' })
    expect(repo.value()).toBe(3)
  })

  it('wraps failures of paged iterators too', async () => {
    async function* pages() {
      yield await Promise.resolve(1)
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    }
    const repo = guarded({ iterate: () => pages() }, 't')
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const n of repo.iterate()) seen.push(n)
      })(),
    ).rejects.toMatchObject({ code: 'ERR_STORE_UNREACHABLE' })
    expect(seen).toEqual([1])
  })
})
