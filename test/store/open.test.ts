import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore, storeOptionsFromEnv } from '../../src/store/index.js'

describe('opening the store', () => {
  it('reports an unreachable PostgreSQL with ERR_STORE_UNREACHABLE and no password', async () => {
    const err = await openStore({
      url: 'postgres://ferry:pw-hunter2@127.0.0.1:1/ferry',
      masterKey: randomBytes(32),
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_STORE_UNREACHABLE', kind: 'transient' })
    expect(String((err as Error).message)).not.toContain('pw-hunter2')
  })

  it('reports a SQLite path it cannot create with ERR_STORE_UNREACHABLE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-open-'))
    try {
      writeFileSync(join(dir, 'file'), 'not a directory')
      await expect(
        openStore({ url: `sqlite:${join(dir, 'file', 'ferry.db')}`, masterKey: randomBytes(32) }),
      ).rejects.toMatchObject({ code: 'ERR_STORE_UNREACHABLE' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads the database URL and master key source from the environment', () => {
    expect(
      storeOptionsFromEnv({
        FERRY_DATABASE_URL: 'sqlite::memory:',
        FERRY_MASTER_KEY: 'k',
        FERRY_MASTER_KEY_FILE: '/etc/ferry.key',
      }),
    ).toEqual({ url: 'sqlite::memory:', masterKeyEnv: 'k', masterKeyFile: '/etc/ferry.key' })
    expect(storeOptionsFromEnv({})).toEqual({})
  })

  it('runs in memory with sqlite::memory:', async () => {
    const store = await openStore({ url: 'sqlite::memory:', masterKey: randomBytes(32) })
    await store.ledger.upsertSourceRecords('s', [{ id: 1, content: { a: 1 } }])
    expect((await store.ledger.counts('s')).waiting).toBe(1)
    await store.close()
  })
})
