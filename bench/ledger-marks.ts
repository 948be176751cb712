/**
 * `npx tsx bench/ledger-marks.ts [records] [--count-sql]`: the ledger's share of a bill, alone and
 * repeatable. A SQLite store on disk (default `synchronous=full`), records with a count order's
 * size of content, then what the target stage does per bill through a fenced handle, 16 bills at a
 * time as the overhead scenario's pool does: a durable write intent with the mapped payload, then
 * the `done` outcome. Prints CPU time per bill (the process, all threads) and, with `--count-sql`,
 * statements per bill. No network, no simulator: on the shared machine these figures move far
 * less than the overhead ratio does, so they compare changes to the ledger's hot path.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { countSqlStatements } from './sql-count.js'
import type * as StoreModule from '../src/store/index.js'

const args = process.argv.slice(2)
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 3000)
const counter = args.includes('--count-sql') ? countSqlStatements() : undefined
// Imported after the counter is installed, from dist/ unless BENCH_ENGINE=src (as the bench does).
const from = process.env.BENCH_ENGINE === 'src' ? '../src' : '../dist/src'
const { openStore } = (await import(`${from}/store/index.js`)) as typeof StoreModule

const dir = mkdtempSync(join(tmpdir(), 'ferry-ledger-bench-'))
const store = await openStore({ url: `sqlite:${join(dir, 'ledger.db')}`, masterKey: Buffer.alloc(32, 7) })
try {
  const scheme = 'bench-loss'
  const line = (i: number) => ({ sku_id: `SKU-${i % 400}`, qty: -((i % 7) + 1), name: '物料'.repeat(8) })
  const records = Array.from({ length: n }, (_, i) => ({
    id: `IO-${i}`,
    number: `IO-${i}`,
    content: {
      io_id: `IO-${i}`,
      status: 'Confirmed',
      wms_co_id: 7,
      remark: 'x'.repeat(200),
      items: [0, 1, 2, 3].map((k) => line(i + k)),
    },
  }))
  for (let i = 0; i < n; i += 500) await store.ledger.upsertSourceRecords(scheme, records.slice(i, i + 500))
  const lease = await store.leases.acquire(`target:${scheme}`, 'bench', 600_000)
  if (lease === undefined) throw new Error('lease not acquired')
  const fenced = store.fenced({ lease: lease.name, token: lease.token })
  const claimed: Awaited<ReturnType<typeof fenced.ledger.claimReady>>['records'] = []
  for (;;) {
    const c = await fenced.ledger.claimReady(scheme, 1000)
    if (c.records.length === 0) break
    claimed.push(...c.records)
  }
  counter?.reset()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < claimed.length) {
        const r = claimed[next++]!
        const ref = { schemeId: scheme, recordId: r.id }
        const key = `CL-${r.id}`
        const payload = { bill_no: key, remark: `[ext:${r.id}]`, material_entity: r.content.items }
        await fenced.ledger.markUnknown(
          ref,
          { code: 'ERR_OUTCOME_UNKNOWN', message: `${key}: write sent, outcome not recorded yet`, probeAt: new Date() },
          { payload, businessKey: key },
        )
        await fenced.ledger.markWritten(ref, {
          targetId: `id-${r.id}`,
          response: { ids: [`id-${r.id}`], id_number_map: { [`id-${r.id}`]: key } },
          businessKey: key,
          payload,
        })
      }
    }),
  )
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const out = {
    bills: claimed.length,
    cpu_ms_per_bill: Math.round(((cpu.user + cpu.system) / 1000 / claimed.length) * 1000) / 1000,
    wall_ms_per_bill: Math.round((wall / claimed.length) * 1000) / 1000,
    ...(counter === undefined
      ? {}
      : {
          sql_per_bill: Math.round((counter.total() / claimed.length) * 100) / 100,
          sql: counter
            .byText()
            .map((t) => ({ per_bill: Math.round((t.n / claimed.length) * 100) / 100, sql: t.sql.slice(0, 100) })),
        }),
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`)
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
