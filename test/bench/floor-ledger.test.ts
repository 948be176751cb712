import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { FloorLedger } from '../../bench/floor-ledger.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function fileIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-floor-test-'))
  dirs.push(dir)
  return join(dir, 'floor.db')
}

function indexesOf(file: string): string[] {
  const db = new Database(file, { readonly: true })
  try {
    const rows = db
      .prepare(`select name from sqlite_master where type = 'index' and sql is not null order by name`)
      .all()
    return (rows as { name: string }[]).map((r) => r.name)
  } finally {
    db.close()
  }
}

describe('the floor ledger of the overhead bench', () => {
  it('keeps each bill done with three audit rows once stored, sent and answered', async () => {
    const file = fileIn()
    const ledger = new FloorLedger(file)
    try {
      await ledger.stored([
        { no: 'A1', content: { no: 'A1', items: [{ qty: -1 }] } },
        { no: 'A2', content: { no: 'A2', items: [{ qty: -2 }] } },
      ])
      // Both intents and both answers in one turn: they share a transaction and its sync.
      await Promise.all([ledger.sending('A1', { bill_no: 'A1' }), ledger.sending('A2', { bill_no: 'A2' })])
      await Promise.all([
        ledger.answered('A1', { errcode: 0, data: { ids: ['9001'] } }),
        ledger.answered('A2', { errcode: 1, description: 'refused' }),
      ])
      expect(ledger.counts()).toEqual({ byStatus: { done: 1, error: 1 }, events: 6 })
      expect(ledger.commits).toBe(3)
    } finally {
      ledger.close()
    }
  })

  it('refuses an intent for an order it never stored', async () => {
    const ledger = new FloorLedger(fileIn())
    try {
      await expect(ledger.sending('NOPE', { bill_no: 'NOPE' })).rejects.toThrow(/not waiting/)
    } finally {
      ledger.close()
    }
  })

  it("carries Ferry's secondary indexes only when asked", () => {
    const plain = fileIn()
    const indexed = fileIn()
    new FloorLedger(plain).close()
    new FloorLedger(indexed, true).close()
    expect(indexesOf(plain)).toEqual([])
    expect(indexesOf(indexed)).toEqual([
      'events_by_record',
      'records_created',
      'records_done',
      'records_ready',
      'records_target',
    ])
  })
})
