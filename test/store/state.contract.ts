import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import type { StoreFactory } from './harness.js'
import { freshStore } from './setup.js'

const day = (d: number) => new Date(Date.UTC(2026, 0, d))

export function describeState(factory: StoreFactory): void {
  describe('migrations', () => {
    it('applies every migration once when two stores open a new database together', async () => {
      const db = factory.create()
      try {
        const [a] = await Promise.all([db.open(), db.open()])
        const rows = await a.db.selectFrom('ferry_migrations').select(['version']).orderBy('version').execute()
        expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version))
      } finally {
        await db.cleanup()
      }
    })
  })

  describe('schemes', () => {
    const c = freshStore(factory)

    it('keeps the raw JSON and adds a version only when the definition changes', async () => {
      const v1 = '{"id": "io_id",\n  "api": "inventory.count.query"}'
      expect(await c.store.schemes.save(c.scheme, v1, { name: 'count→loss' })).toEqual({ version: 1, changed: true })
      expect(await c.store.schemes.save(c.scheme, '{"api":"inventory.count.query","id":"io_id"}')).toEqual({
        version: 1,
        changed: false,
      })
      expect(await c.store.schemes.save(c.scheme, '{"id":"io_id","api":"other"}')).toEqual({
        version: 2,
        changed: true,
      })
      expect((await c.store.schemes.getVersion(c.scheme, 1)).rawJson).toBe(v1)
      expect(await c.store.schemes.get(c.scheme)).toMatchObject({
        currentVersion: 2,
        name: 'count→loss',
        paused: false,
      })
      expect((await c.store.schemes.listVersions(c.scheme)).map((v) => v.version)).toEqual([1, 2])
    })

    it('rejects a definition that is not JSON with ERR_STORE_SCHEME_JSON at line:column', async () => {
      const err = await c.store.schemes.save(c.scheme, '{\n  "id": "x",\n  oops\n}').catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_STORE_SCHEME_JSON', kind: 'user' })
      expect((err as { location?: string }).location).toMatch(/^3:\d+$/)
      await expect(c.store.schemes.save(c.scheme, '[1]')).rejects.toMatchObject({ code: 'ERR_STORE_SCHEME_JSON' })
      expect(await c.store.schemes.get(c.scheme)).toBeUndefined()
    })

    it('pauses a scheme with a reason and resumes it', async () => {
      await c.store.schemes.save(c.scheme, '{}')
      await c.store.schemes.pause(c.scheme, 'ERR_JDY_AUTH: app secret rejected')
      expect(await c.store.schemes.get(c.scheme)).toMatchObject({
        paused: true,
        pauseReason: 'ERR_JDY_AUTH: app secret rejected',
      })
      await c.store.schemes.resume(c.scheme)
      expect((await c.store.schemes.get(c.scheme))?.paused).toBe(false)
      await expect(c.store.schemes.pause('missing', 'x')).rejects.toMatchObject({ code: 'ERR_STORE_NOT_FOUND' })
    })
  })

  describe('connections and credentials', () => {
    const c = freshStore(factory)
    const secret = 'S3cr3t-app-secret-value'

    it('stores credentials encrypted: the raw tables hold no plaintext', async () => {
      await c.store.connections.save('jst-main', 'jushuitan', {
        base_url: 'http://127.0.0.1:1',
        app_key: 'AK-visible',
        app_secret: secret,
      })
      await c.store.credentials.set('jst-main', 'access_token', 'tok-0123456789abcdef')
      const raw = JSON.stringify([
        await c.store.db.selectFrom('connections').selectAll().execute(),
        await c.store.db.selectFrom('credentials').selectAll().execute(),
      ])
      expect(raw).not.toContain(secret)
      expect(raw).not.toContain('tok-0123456789abcdef')
      expect(raw).not.toContain('AK-visible')
      expect((await c.store.connections.get('jst-main')).config).toEqual({
        base_url: 'http://127.0.0.1:1',
        app_key: 'AK-visible',
        app_secret: secret,
      })
      expect(await c.store.credentials.get('jst-main', 'access_token')).toBe('tok-0123456789abcdef')
      expect(await c.store.connections.list()).toEqual([
        expect.objectContaining({ id: 'jst-main', connector: 'jushuitan' }),
      ])
    })

    it('rejects a wrong master key with ERR_MASTER_KEY_MISMATCH and no secret in the message', async () => {
      await c.store.connections.save('jdy', 'kingdee-jdy', { client_secret: secret })
      const err = await c.db.open({ masterKey: randomBytes(32) }).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_MASTER_KEY_MISMATCH', kind: 'config' })
      expect(String((err as Error).message)).not.toContain(secret)
    })

    it('does not decrypt a sealed value copied into another row', async () => {
      await c.store.connections.save('a', 'jushuitan', { app_secret: secret })
      await c.store.connections.save('b', 'jushuitan', { app_secret: 'other' })
      const a = await c.store.db
        .selectFrom('connections')
        .select('config_enc')
        .where('id', '=', 'a')
        .executeTakeFirstOrThrow()
      await c.store.db.updateTable('connections').set({ config_enc: a.config_enc }).where('id', '=', 'b').execute()
      await expect(c.store.connections.get('b')).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISMATCH' })
    })

    it('reads an expired token as absent and forgets a deleted one', async () => {
      await c.store.credentials.set('jdy', 'app-token', 'tok-abcdef', new Date(c.clock.now() + 1000))
      expect(await c.store.credentials.get('jdy', 'app-token')).toBe('tok-abcdef')
      c.clock.advance(1000)
      expect(await c.store.credentials.get('jdy', 'app-token')).toBeUndefined()
      await c.store.credentials.set('jdy', 'app-token', 'tok-2')
      await c.store.credentials.delete('jdy', 'app-token')
      expect(await c.store.credentials.get('jdy', 'app-token')).toBeUndefined()
    })

    it('reports a missing connection with ERR_STORE_NOT_FOUND', async () => {
      await expect(c.store.connections.get('nope')).rejects.toMatchObject({ code: 'ERR_STORE_NOT_FOUND' })
    })
  })

  describe('runs and the run log', () => {
    const c = freshStore(factory)

    it('adds per-stage counters from several writers without losing any', async () => {
      const run = await c.store.runs.start(c.scheme, 'both', { from: '2026-01-01' })
      const other = await c.db.open({ now: c.clock.now })
      await Promise.all([
        c.store.runs.add(run, 'source', { fetched: 50, kept: 40, filtered: 10 }),
        other.runs.add(run, 'source', { fetched: 5, kept: 5 }),
        c.store.runs.add(run, 'target', { written: 30, duplicate: 1, failed: 2 }),
      ])
      await c.store.runs.finish(run, 'succeeded')
      const info = await c.store.runs.get(run)
      expect(info).toMatchObject({
        status: 'succeeded',
        kind: 'both',
        schemeId: c.scheme,
        params: { from: '2026-01-01' },
      })
      expect(info.counters).toEqual({
        source: { fetched: 55, kept: 45, filtered: 10 },
        target: { written: 30, duplicate: 1, failed: 2 },
      })
      expect((await c.store.runs.list(c.scheme)).map((r) => r.id)).toEqual([run])
    })

    it('keeps structured log lines in order, redacts secrets and pages them', async () => {
      const run = await c.store.runs.start(c.scheme, 'source', { app_secret: 'zzz-secret' })
      await c.store.runs.log(
        run,
        Array.from({ length: 5 }, (_, i) => ({
          level: 'info' as const,
          msg: `page ${i}`,
          data: { i, access_token: 'tok-secret' },
        })),
      )
      const first = await c.store.runs.readLog(run, { limit: 3 })
      expect(first.lines.map((l) => l.msg)).toEqual(['page 0', 'page 1', 'page 2'])
      const rest = await c.store.runs.readLog(run, {
        limit: 3,
        ...(first.nextCursor === undefined ? {} : { cursor: first.nextCursor }),
      })
      expect(rest.lines.map((l) => l.msg)).toEqual(['page 3', 'page 4'])
      expect(rest.nextCursor).toBeUndefined()
      const raw =
        JSON.stringify(await c.store.db.selectFrom('run_log').selectAll().execute()) +
        JSON.stringify(await c.store.runs.get(run))
      expect(raw).not.toContain('tok-secret')
      expect(raw).not.toContain('zzz-secret')
    })
  })

  describe('closed windows', () => {
    const c = freshStore(factory)
    const api = 'inventory.count.query'

    it('merges touching and overlapping windows into one interval', async () => {
      await c.store.windows.close(c.scheme, api, { start: day(1), end: day(2) })
      await c.store.windows.close(c.scheme, api, { start: day(3), end: day(5) })
      await c.store.windows.close(c.scheme, api, { start: day(2), end: day(4) })
      expect(await c.store.windows.list(c.scheme, api)).toEqual([{ start: day(1), end: day(5) }])
    })

    it('does not advance LAST_SYNC_TIME past a window that is not closed', async () => {
      await c.store.windows.close(c.scheme, api, { start: day(1), end: day(2) })
      await c.store.windows.close(c.scheme, api, { start: day(3), end: day(4) })
      expect(await c.store.windows.lastSyncTime(c.scheme, api, day(1))).toEqual(day(2))
      expect(await c.store.windows.lastSyncTime(c.scheme, api, new Date(day(1).getTime() + 3600_000))).toEqual(day(2))
      expect(await c.store.windows.lastSyncTime(c.scheme, api, day(2))).toEqual(day(2))
      await c.store.windows.close(c.scheme, api, { start: day(2), end: day(3) })
      expect(await c.store.windows.lastSyncTime(c.scheme, api, day(1))).toEqual(day(4))
    })

    it('lists the gaps left in a range', async () => {
      await c.store.windows.close(c.scheme, api, { start: day(2), end: day(3) })
      await c.store.windows.close(c.scheme, api, { start: day(5), end: day(6) })
      expect(await c.store.windows.gaps(c.scheme, api, day(1), day(7))).toEqual([
        { start: day(1), end: day(2) },
        { start: day(3), end: day(5) },
        { start: day(6), end: day(7) },
      ])
      expect(await c.store.windows.gaps(c.scheme, 'other.api', day(1), day(2))).toEqual([
        { start: day(1), end: day(2) },
      ])
    })

    it('rejects an empty or inverted window with ERR_STORE_BAD_INPUT', async () => {
      await expect(c.store.windows.close(c.scheme, api, { start: day(2), end: day(2) })).rejects.toMatchObject({
        code: 'ERR_STORE_BAD_INPUT',
      })
    })

    it('keeps windows closed by two store instances at once contiguous', async () => {
      const other = await c.db.open({ now: c.clock.now })
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? c.store : other).windows.close(c.scheme, api, { start: day(i + 1), end: day(i + 2) }),
        ),
      )
      expect(await c.store.windows.lastSyncTime(c.scheme, api, day(1))).toEqual(day(9))
    })
  })

  describe('scheduler leases', () => {
    const c = freshStore(factory)

    it('a second process cannot take a held lease', async () => {
      const other = await c.db.open({ now: c.clock.now })
      const mine = await c.store.leases.acquire(`scheme:${c.scheme}`, 'proc-a', 30_000)
      expect(mine).toMatchObject({ holder: 'proc-a', token: 1 })
      expect(await other.leases.acquire(`scheme:${c.scheme}`, 'proc-b', 30_000)).toBeUndefined()
      expect((await other.leases.holder(`scheme:${c.scheme}`))?.holder).toBe('proc-a')
    })

    it('lets exactly one of two racing processes take a free lease', async () => {
      const other = await c.db.open({ now: c.clock.now })
      const got = await Promise.all([
        c.store.leases.acquire('race', 'proc-a', 30_000),
        other.leases.acquire('race', 'proc-b', 30_000),
        c.store.leases.acquire('race', 'proc-c', 30_000),
        other.leases.acquire('race', 'proc-d', 30_000),
      ])
      expect(got.filter((l) => l !== undefined)).toHaveLength(1)
    })

    it('takes over an expired lease with a higher fencing token; the old holder cannot renew', async () => {
      const other = await c.db.open({ now: c.clock.now })
      const old = await c.store.leases.acquire('L', 'proc-a', 10_000)
      c.clock.advance(10_000)
      const taken = await other.leases.acquire('L', 'proc-b', 10_000)
      expect(taken?.token).toBe(2)
      expect(await c.store.leases.renew(old!, 10_000)).toBeUndefined()
      await c.store.leases.release(old!)
      expect((await c.store.leases.holder('L'))?.holder).toBe('proc-b')
    })

    it('renews a held lease and frees it on release', async () => {
      const l = await c.store.leases.acquire('L', 'proc-a', 10_000)
      c.clock.advance(9_000)
      const renewed = await c.store.leases.renew(l!, 10_000)
      expect(renewed?.expiresAt).toEqual(new Date(c.clock.now() + 10_000))
      c.clock.advance(9_000)
      expect(await c.store.leases.acquire('L', 'proc-b', 10_000)).toBeUndefined()
      await c.store.leases.release(renewed!)
      expect(await c.store.leases.acquire('L', 'proc-b', 10_000)).toMatchObject({ holder: 'proc-b' })
    })
  })

  describe('opening', () => {
    it('rejects an unknown database URL with ERR_STORE_URL_INVALID', async () => {
      await expect(openStore({ url: 'mysql://x', masterKey: randomBytes(32) })).rejects.toMatchObject({
        code: 'ERR_STORE_URL_INVALID',
      })
    })
  })
}
