/**
 * The service's access tables (migration 6) on both dialects: users, sessions, API tokens and the
 * audit log, holding hashes only.
 */
import { describe, expect, it } from 'vitest'
import {
  dialectEnabled,
  postgresFactory,
  postgresPlan,
  probePostgres,
  sqliteFactory,
  testClock,
  type StoreFactory,
} from './harness.js'

const pgPlan = dialectEnabled('postgres')
  ? postgresPlan(await probePostgres(), process.env)
  : { run: false as const, fail: false, reason: 'excluded' }
const factories: StoreFactory[] = [
  ...(dialectEnabled('sqlite') ? [sqliteFactory] : []),
  ...(pgPlan.run ? [postgresFactory()] : []),
]

for (const f of factories) {
  describe(`access repository on ${f.dialect}`, () => {
    it('keeps users unique by name and ends their sessions when the role changes', async () => {
      const db = f.create()
      try {
        const clock = testClock()
        const s = await db.open({ now: clock.now })
        const u = await s.access.addUser({ name: 'ana', role: 'viewer', passwordHash: 'scrypt$x' })
        await expect(s.access.addUser({ name: 'ana', role: 'admin', passwordHash: 'scrypt$y' })).rejects.toMatchObject({
          code: 'ERR_STORE_BAD_INPUT',
        })
        expect(await s.access.countUsers()).toBe(1)
        await s.access.createSession({ idHash: 'h1', userId: u.id, csrfHash: 'c1', ttlMs: 60_000 })
        expect((await s.access.session('h1'))?.user.name).toBe('ana')
        clock.advance(61_000)
        expect(await s.access.session('h1')).toBeUndefined()
        await s.access.createSession({ idHash: 'h2', userId: u.id, csrfHash: 'c2', ttlMs: 60_000 })
        await s.access.updateUser(u.id, { role: 'operator' })
        expect(await s.access.session('h2')).toBeUndefined()
        expect((await s.access.getUser(u.id)).role).toBe('operator')
      } finally {
        await db.cleanup()
      }
    })

    it('finds a token by its hash until it is revoked, and pages the audit log newest first', async () => {
      const db = f.create()
      try {
        const s = await db.open()
        await s.access.addToken({ id: 't1', name: 'ci', role: 'viewer', tokenHash: 'hash-1', createdBy: 'cli' })
        expect((await s.access.tokenByHash('hash-1'))?.id).toBe('t1')
        await s.access.revokeToken('t1')
        expect(await s.access.tokenByHash('hash-1')).toBeUndefined()
        await expect(s.access.revokeToken('t1')).rejects.toMatchObject({ code: 'ERR_STORE_NOT_FOUND' })
        for (let i = 0; i < 3; i++) {
          await s.access.audit({
            actor: 'ana',
            actorKind: 'user',
            role: 'admin',
            action: `POST /x/${i}`,
            target: `/x/${i}`,
            status: 200,
            ip: '127.0.0.1',
            requestId: `r${i}`,
            detail: { i },
          })
        }
        const p1 = await s.access.readAudit({ limit: 2 })
        expect(p1.entries.map((e) => e.action)).toEqual(['POST /x/2', 'POST /x/1'])
        const p2 = await s.access.readAudit({
          limit: 2,
          ...(p1.nextCursor === undefined ? {} : { cursor: p1.nextCursor }),
        })
        expect(p2.entries.map((e) => e.detail)).toEqual([{ i: 0 }])
      } finally {
        await db.cleanup()
      }
    })
  })
}
