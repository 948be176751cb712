/**
 * `npm run bench:explorer`: the record explorer's API with 100,000 records in one scheme. Opens
 * `ferry serve`'s app over the simulators (SQLite in a temp folder, or PostgreSQL with
 * FERRY_BENCH_PG=postgres://…), seeds the count scheme's ledger with N records (FERRY_BENCH_RECORDS,
 * default 100000: 2% failed under two error codes, the rest written, spread over 14 days), then
 * times each query the explorer sends over real HTTP (20 rounds, after 2 warm-up rounds) and
 * prints the median and p95 in milliseconds. Writes bench/results/explorer.json. A measurement,
 * not a test: nothing here fails on a number.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pgPkg from 'pg'
import { createServiceLogger } from '../src/server/logger.js'
import { openService } from '../src/server/service.js'
import { startSandbox } from '../simulators/sandbox.js'
import { configFor, LOSS } from '../test/e2e/support.js'

const { Client } = pgPkg
const N = Number(process.env.FERRY_BENCH_RECORDS ?? 100_000)
const ROUNDS = 20
const DAY = 86_400_000
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-explorer-'))
const pg = process.env.FERRY_BENCH_PG
const schema = `bench_explorer_${Math.random().toString(36).slice(2, 8)}`

const sandbox = await startSandbox({ orders: 5, days: 1, seed: 3 })
const base = configFor(sandbox, dir, new Date(Date.now() - DAY))
const config =
  pg === undefined ? base : { ...base, database: { url: `${pg}${pg.includes('?') ? '&' : '?'}schema=${schema}` } }
const svc = await openService(config, {
  logger: createServiceLogger({ level: 'error' }),
  defaultMetrics: false,
})
try {
  const store = svc.host.store
  const now = Date.now()
  const t0 = performance.now()
  for (let i = 0; i < N; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, N - i) }, (_v, k) => {
      const n = i + k
      return { id: `r${String(n).padStart(7, '0')}`, number: `PD${100000 + n}`, content: { n, sku: `SKU-${n % 997}` } }
    })
    await store.ledger.upsertSourceRecords(LOSS, batch)
  }
  // Statuses and times as a ledger of two weeks would have them.
  const db = store.db
  await db
    .updateTable('records')
    .set((eb) => ({
      created_at: eb(eb.val(now - 14 * DAY), '+', eb('seq', '*', Math.floor((14 * DAY) / N))),
      updated_at: eb(eb.val(now - 14 * DAY), '+', eb('seq', '*', Math.floor((14 * DAY) / N))),
    }))
    .where('scheme_id', '=', LOSS)
    .execute()
  await db
    .updateTable('records')
    .set((eb) => ({
      status: 'done',
      done_at: eb.ref('updated_at'),
      target_id: eb.fn('concat', [eb.val('t'), eb.ref('seq')]),
    }))
    .where('scheme_id', '=', LOSS)
    .execute()
    .catch(async () => {
      // SQLite has no concat() before 3.44: the target id is only needed to be unique.
      await db
        .updateTable('records')
        .set((eb) => ({ status: 'done', done_at: eb.ref('updated_at'), target_id: eb.ref('record_id') }))
        .where('scheme_id', '=', LOSS)
        .execute()
    })
  for (const [mod, code] of [
    [0, 'ERR_LOOKUP_MISSING'],
    [1, 'ERR_TARGET_REJECTED'],
  ] as const) {
    await db
      .updateTable('records')
      .set({
        status: 'error',
        error_code: code,
        error_kind: 'data',
        error_message: 'seeded',
        done_at: null,
        target_id: null,
      })
      .where('scheme_id', '=', LOSS)
      .where((eb) => eb(eb('seq', '%', 100), '=', mod))
      .execute()
  }
  const seeded = (performance.now() - t0) / 1000

  const url = await svc.app.listen({ port: 0, host: '127.0.0.1' })
  const { token } = await svc.auth.createToken('viewer', 'bench', 'bench')
  const get = async (path: string) => {
    const r = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`)
    return (await r.json()) as { records?: unknown[]; nextCursor?: string }
  }
  const recs = `/schemes/${LOSS}/records`
  const day = (d: number) => new Date(now - d * DAY).toISOString()
  const middle = await get(`${recs}?limit=1000&cursor=${Math.floor(N / 2)}`)
  const queries: Record<string, string> = {
    'first page (50)': `${recs}?limit=50`,
    'a page in the middle (cursor)': `${recs}?limit=50&cursor=${Math.floor(N / 2)}`,
    'the last page (cursor)': `${recs}?limit=50&cursor=${N - 50}`,
    'status=error, first page': `${recs}?status=error&limit=50`,
    'status=error, a page in the middle': `${recs}?status=error&limit=50&cursor=${Math.floor(N / 2)}`,
    'errorCode=ERR_LOOKUP_MISSING': `${recs}?errorCode=ERR_LOOKUP_MISSING&limit=50`,
    'number contains "12345"': `${recs}?number=12345&limit=50`,
    'number matching nothing (full scan)': `${recs}?number=nomatch&limit=50`,
    'changed within one day': `${recs}?from=${encodeURIComponent(day(7))}&to=${encodeURIComponent(day(6))}&limit=50`,
    'status=error and one day': `${recs}?status=error&from=${encodeURIComponent(day(7))}&to=${encodeURIComponent(day(6))}&limit=50`,
    'dashboard figures of the scheme (14 days)': `/dashboard?scheme=${LOSS}`,
  }
  const results: { query: string; median_ms: number; p95_ms: number; rows: number }[] = []
  for (const [name, path] of Object.entries(queries)) {
    let rows = 0
    for (let i = 0; i < 2; i++) rows = (await get(path)).records?.length ?? 0
    const times: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      const s = performance.now()
      await get(path)
      times.push(performance.now() - s)
    }
    times.sort((a, b) => a - b)
    const at = (q: number) =>
      Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10
    results.push({ query: name, median_ms: at(0.5), p95_ms: at(0.95), rows })
  }
  const result = {
    scenario: 'record-explorer',
    at: new Date().toISOString(),
    store: pg === undefined ? 'sqlite' : 'postgresql',
    records: N,
    failed: Math.ceil(N / 50),
    seed_seconds: Math.round(seeded * 10) / 10,
    middle_page_rows: middle.records?.length ?? 0,
    rounds: ROUNDS,
    results,
  }
  const text = JSON.stringify(result, null, 2)
  process.stdout.write(`${text}\n`)
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  writeFileSync(join(root, `bench/results/explorer-${result.store}.json`), `${text}\n`)
} finally {
  await svc.close()
  await sandbox.close()
  rmSync(dir, { recursive: true, force: true })
  if (pg !== undefined) {
    // The bench's own schema goes with it.
    const client = new Client({ connectionString: pg })
    await client.connect()
    await client.query(`drop schema if exists ${schema} cascade`)
    await client.end()
  }
}
