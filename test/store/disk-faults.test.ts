/**
 * The faults an operator meets on the database's disk: it fills up, a page is damaged, the file is
 * not a database at all; and who may read the files Ferry creates. Each fault has its own code and
 * fix instead of ERR_INTERNAL. The full disk is a real 1 MiB tmpfs when this process may mount
 * one (the test says when it is skipped), and a real SQLITE_FULL from `max_page_count` always.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import type { Store } from '../../src/store/index.js'

const dirs: string[] = []
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ferry-disk-'))
  dirs.push(d)
  return d
}

function bulky(from: number, n: number, size = 4000) {
  return Array.from({ length: n }, (_, i) => ({
    id: from + i,
    content: { blob: randomBytes(size / 2).toString('hex') },
  }))
}

async function fillUntilError(store: Store, rounds = 400): Promise<unknown> {
  for (let i = 0; i < rounds; i++) {
    const err = await store.ledger.upsertSourceRecords('s', bulky(i * 20, 20)).then(
      () => undefined,
      (e: unknown) => e,
    )
    if (err !== undefined) return err
  }
  return undefined
}

/** Mount a tmpfs of `size`; undefined (and the reason) when this process may not mount. */
function tryMount(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' })
    cleanups.push(() => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
    })
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e)
  }
}

const mountDir = mkdtempSync(join(tmpdir(), 'ferry-tmpfs-probe-'))
const mountProblem = tryMount(mountDir, '64k')
for (const c of cleanups.splice(0)) c()
rmSync(mountDir, { recursive: true, force: true })
if (mountProblem !== undefined) process.stderr.write(`disk-full on tmpfs skipped: cannot mount (${mountProblem})\n`)

describe('a full disk', () => {
  it.skipIf(mountProblem !== undefined)(
    `reports ERR_STORE_DISK_FULL on a full 1 MiB tmpfs and writes again once space is freed${mountProblem === undefined ? '' : ` (skipped: ${mountProblem})`}`,
    async () => {
      const dir = tempDir()
      mkdirSync(join(dir, 'mnt'))
      const mnt = join(dir, 'mnt')
      expect(tryMount(mnt, '1m')).toBeUndefined()
      writeFileSync(join(mnt, 'ballast'), Buffer.alloc(300 * 1024))
      const store = await openStore({ url: `sqlite:${join(mnt, 'ferry.db')}`, masterKey: randomBytes(32) })
      try {
        const err = await fillUntilError(store)
        expect(err).toMatchObject({ code: 'ERR_STORE_DISK_FULL', kind: 'transient' })
        expect(String((err as Error).message)).toMatch(/disk|full/i)
        const before = (await store.ledger.counts('s')).waiting
        rmSync(join(mnt, 'ballast'))
        await store.ledger.upsertSourceRecords('s', bulky(1_000_000, 5))
        expect((await store.ledger.counts('s')).waiting).toBe(before + 5)
      } finally {
        await store.close()
      }
    },
  )

  it('reports SQLITE_FULL (the database reached its page limit) as ERR_STORE_DISK_FULL, not ERR_INTERNAL', async () => {
    const store = await openStore({ url: `sqlite:${join(tempDir(), 'ferry.db')}`, masterKey: randomBytes(32) })
    try {
      const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db)
      await sql.raw(`pragma max_page_count = ${Number(pages.rows[0]?.page_count) + 8}`).execute(store.db)
      const err = await fillUntilError(store)
      expect(err).toMatchObject({ code: 'ERR_STORE_DISK_FULL', kind: 'transient' })
    } finally {
      await store.close()
    }
  })
})

describe('a damaged database', () => {
  it('reports a corrupt page as ERR_STORE_CORRUPT with a fix', async () => {
    const file = join(tempDir(), 'ferry.db')
    const key = randomBytes(32)
    const first = await openStore({ url: `sqlite:${file}`, masterKey: key })
    for (let i = 0; i < 10; i++) await first.ledger.upsertSourceRecords('s', bulky(i * 20, 20, 2000))
    await first.close()
    const size = statSync(file).size
    expect(size).toBeGreaterThan(64 * 4096)
    // Garbage over the second half of the file: b-tree pages of the ledger, not the header.
    const fd = openSync(file, 'r+')
    try {
      writeSync(fd, randomBytes(Math.floor(size / 2) - 4096), 0, undefined, Math.floor(size / 2))
    } finally {
      closeSync(fd)
    }
    const err = await (async () => {
      const store = await openStore({ url: `sqlite:${file}`, masterKey: key })
      try {
        const all = []
        for await (const r of store.ledger.iterateRecords('s')) all.push(r)
        return undefined
      } finally {
        await store.close()
      }
    })().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_STORE_CORRUPT', kind: 'system' })
  })

  it('reports a file that is not a database as ERR_STORE_CORRUPT at start-up', async () => {
    const file = join(tempDir(), 'ferry.db')
    writeFileSync(file, randomBytes(8192))
    const err = await openStore({ url: `sqlite:${file}`, masterKey: randomBytes(32) }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_STORE_CORRUPT', kind: 'system' })
  })
})

describe('database file permissions', () => {
  it('creates the SQLite file and its -wal and -shm readable by the owner only (0600)', async () => {
    const dir = tempDir()
    const file = join(dir, 'ferry.db')
    const old = process.umask(0o022)
    try {
      const store = await openStore({ url: `sqlite:${file}`, masterKey: randomBytes(32) })
      try {
        await store.ledger.upsertSourceRecords('s', bulky(0, 3, 100))
        for (const f of [file, `${file}-wal`, `${file}-shm`]) {
          expect({ f, mode: (statSync(f).mode & 0o777).toString(8) }).toEqual({ f, mode: '600' })
        }
      } finally {
        await store.close()
      }
    } finally {
      process.umask(old)
    }
  })
})
