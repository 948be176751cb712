import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteFactory } from './harness.js'
import type { TestDatabase } from './harness.js'

const run = promisify(execFile)
const child = fileURLToPath(new URL('./fixtures/lease-child.ts', import.meta.url))
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))

async function otherProcess(
  db: TestDatabase,
  name: string,
  holder: string,
): Promise<{ acquired: boolean; holder: string | null }> {
  const { stdout } = await run(tsx, [child, db.url, db.key.toString('base64'), name, holder], { timeout: 60_000 })
  return JSON.parse(stdout.trim()) as { acquired: boolean; holder: string | null }
}

describe('scheduler lease across real processes (SQLite file)', () => {
  let db: TestDatabase | undefined
  afterEach(async () => {
    await db?.cleanup()
  })

  it('refuses a lease held by this process to another process, and grants it once released', async () => {
    db = sqliteFactory.create()
    const store = await db.open()
    const lease = await store.leases.acquire('scheme:count-to-loss', 'parent', 60_000)
    expect(lease).toBeDefined()
    expect(await otherProcess(db, 'scheme:count-to-loss', 'child')).toEqual({ acquired: false, holder: 'parent' })
    await store.leases.release(lease!)
    expect(await otherProcess(db, 'scheme:count-to-loss', 'child')).toEqual({ acquired: true, holder: 'child' })
  }, 120_000)
})
