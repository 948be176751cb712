import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach } from 'vitest'
import type { Store } from '../../src/store/index.js'
import { testClock } from './harness.js'
import type { StoreFactory, TestClock, TestDatabase } from './harness.js'

export interface Ctx {
  db: TestDatabase
  store: Store
  clock: TestClock
  /** A fresh scheme id for this test. */
  scheme: string
}

/** A fresh database, store and clock for every test of the enclosing describe. */
export function freshStore(factory: StoreFactory): Ctx {
  const ctx = {} as Ctx
  beforeEach(async () => {
    ctx.clock = testClock()
    ctx.db = factory.create()
    ctx.store = await ctx.db.open({ now: ctx.clock.now })
    ctx.scheme = `scheme-${randomUUID()}`
  })
  afterEach(async () => {
    await ctx.db.cleanup()
  })
  return ctx
}

export function order(id: string | number, extra: Record<string, unknown> = {}) {
  return { id, number: `NO-${id}`, content: { io_id: String(id), wh: 'main', qty: -1, ...extra } }
}

/** Store record `id` and mark it written with target id `T-<id>`. */
export async function writeOne(c: { store: Store; scheme: string }, id: string): Promise<void> {
  await c.store.ledger.upsertSourceRecords(c.scheme, [order(id)])
  const ok = await c.store.ledger.markWritten(
    { schemeId: c.scheme, recordId: id },
    { targetId: `T-${id}`, response: { ok: true }, businessKey: `BK-${id}` },
  )
  if (!ok) throw new Error('write not applied')
}
