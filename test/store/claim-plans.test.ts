/**
 * What the target stage does per claim or per run must cost in proportion to the records it
 * works on, not to the ledger's size: done records stay in the ledger for good, so a query that
 * walks them slows every run a little more. Checked on the query plans SQLite chooses for the
 * statements run (timings would be flaky).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

type Run = (this: { source: string }, ...args: unknown[]) => unknown

interface Ran {
  readonly sql: string
  readonly args: unknown[]
}

/** Every statement better-sqlite3 runs while `fn` runs, with its parameters (all pass through its prototype). */
async function statementsDuring(fn: () => Promise<unknown>): Promise<Ran[]> {
  const probe = new Database(':memory:')
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Run>
  probe.close()
  const seen: Ran[] = []
  const saved = new Map<string, Run>()
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const inner = proto[m]!
    saved.set(m, inner)
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      seen.push({ sql: this.source, args })
      return inner.apply(this, args)
    }
  }
  try {
    await fn()
  } finally {
    for (const [m, inner] of saved) proto[m] = inner
  }
  return seen
}

describe('finding the records to claim or regroup on SQLite', () => {
  it.each([
    ['due grouped records and their groups (claimGroups)', 'groups'],
    ['due ungrouped records (claimReady)', 'ready'],
    ['the unsettled records whose group key is stale (refreshGroupKeys, once per target run)', 'keys'],
  ] as const)('looks up %s by index, never walking the scheme’s whole ledger', async (_name, what) => {
    const grouped = what !== 'ready'
    const dir = mkdtempSync(join(tmpdir(), 'ferry-claim-plans-'))
    dirs.push(dir)
    const file = join(dir, 'ferry.db')
    const store = await openStore({ url: `sqlite:${file}`, masterKey: Buffer.alloc(32, 7) })
    let ran: Ran[]
    try {
      const records = Array.from({ length: 60 }, (_, i) => ({
        id: `R${i}`,
        content: { no: `R${i}`, qty: -1 },
        ...(grouped ? { groupKey: `G${i % 20}` } : {}),
      }))
      await store.ledger.upsertSourceRecords('S', records)
      ran = await statementsDuring(() =>
        what === 'groups'
          ? store.ledger.claimGroups('S', 10)
          : what === 'ready'
            ? store.ledger.claimReady('S', 10)
            : store.ledger.refreshGroupKeys('S', 'v2:', (c) => `v2:${String(c.no)}`),
      )
    } finally {
      await store.close()
    }
    const reads = ran.filter((r) => /^\s*(select|update)\b/i.test(r.sql) && /\brecords\b/.test(r.sql))
    expect(reads.length).toBeGreaterThanOrEqual(1)
    const db = new Database(file, { readonly: true })
    try {
      for (const { sql: text, args } of reads) {
        const plan = (db.prepare(`explain query plan ${text}`).all(...args) as { detail: string }[]).map(
          (r) => r.detail,
        )
        const onRecords = plan.filter((d) => /\brecords\b/.test(d))
        expect(onRecords, text).not.toEqual([])
        for (const step of onRecords) {
          expect(step, `${text}\n${plan.join('\n')}`).toMatch(/^SEARCH /)
          expect(step, `${text}\n${plan.join('\n')}`).not.toMatch(/records_list/)
        }
      }
    } finally {
      db.close()
    }
  })
})
