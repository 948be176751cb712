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
import { wrapStatements } from '../../bench/sql-count.js'
import { openStore } from '../../src/store/index.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

interface Ran {
  readonly sql: string
  readonly args: unknown[]
}

/** Every statement better-sqlite3 runs while `fn` runs, with its parameters. */
async function statementsDuring(fn: () => Promise<unknown>): Promise<Ran[]> {
  const seen: Ran[] = []
  const restore = wrapStatements((sql, args, call) => {
    seen.push({ sql, args })
    return call()
  })
  try {
    await fn()
  } finally {
    restore()
  }
  return seen
}

/**
 * A plan step that visits every record of the scheme: a scan, the walk in seq order, or a search
 * bound by the scheme alone that reads each row. Not: an index that holds all the query needs
 * (only the index is read), or a partial index, which holds only the few records it is about.
 */
function walksLedger(step: string): boolean {
  if (!/^SEARCH /.test(step) || /records_list/.test(step)) return true
  if (/COVERING INDEX|INDEX records_(changed|resolved) /.test(step)) return false
  return /\(scheme_id=\?\)$/.test(step)
}

describe('what the target stage asks the ledger, on SQLite', () => {
  it.each([
    ['due grouped records and their groups (claimGroups)', 'groups'],
    ['due ungrouped records (claimReady)', 'ready'],
    ['the unsettled records whose group key is stale (refreshGroupKeys, once per target run)', 'keys'],
    ['the counts by status, live claims and flags (each run, GET /schemes, each metrics scrape)', 'counts'],
    ['one status in arrival order (the run’s "scheduled later", the failed-record queue)', 'list'],
    ['the live claims an earlier lease holder left (releaseClaims, each target run)', 'release'],
  ] as const)('looks up %s by index, never walking the scheme’s whole ledger', async (_name, what) => {
    const grouped = what !== 'ready' && what !== 'list' && what !== 'release'
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
            : what === 'keys'
              ? store.ledger.refreshGroupKeys('S', 'v2:', (c) => `v2:${String(c.no)}`)
              : what === 'counts'
                ? store.ledger.counts('S')
                : what === 'list'
                  ? store.ledger.listRecords('S', { status: 'queued', limit: 10, cursor: '5' })
                  : store.ledger.releaseClaims('S'),
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
        for (const step of onRecords) expect(walksLedger(step), `${text}\n${plan.join('\n')}`).toBe(false)
      }
    } finally {
      db.close()
    }
  })
})
