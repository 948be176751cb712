/**
 * Per-record cost of an isolated processor (`isolate: true`) against one run in the process:
 * `npx tsx scripts/measure-isolated-hooks.mts [calls]`. A measurement, not a test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../src/engine/ports.js'
import { loadProcessorFile } from '../src/processors/loader.js'
import { callHook } from '../src/processors/runner.js'

const n = Number(process.argv[2] ?? 5000)
const dir = mkdtempSync(join(tmpdir(), 'ferry-iso-bench-'))
const body = `beforeStore(r, ctx) { ctx.log.debug('seen'); return { ...r, remark: String(r.remark ?? '').trim() } }`
writeFileSync(join(dir, 'in.mjs'), `export default { name: 'in', ${body} }\n`)
writeFileSync(join(dir, 'iso.mjs'), `export default { name: 'iso', isolate: true, ${body} }\n`)
const record = {
  io_id: 'PD1',
  remark: ' count ',
  items: Array.from({ length: 20 }, (_, i) => ({ sku_id: `SKU-${i}`, qty: -i, wms_co_id: 1 })),
}
for (const name of ['in', 'iso']) {
  const p = await loadProcessorFile(join(dir, `${name}.mjs`))
  const t0 = performance.now()
  await callHook(p, 'beforeStore', record, { scheme: 's', recordId: 'warm' }, silentLogger, 5000)
  const boot = performance.now() - t0
  const t1 = performance.now()
  for (let i = 0; i < n; i++)
    await callHook(p, 'beforeStore', record, { scheme: 's', recordId: `r${i}` }, silentLogger, 5000)
  const per = (performance.now() - t1) / n
  console.log(
    `${name === 'in' ? 'in process' : 'isolated  '}: first call ${boot.toFixed(1)} ms, then ${(per * 1000).toFixed(1)} µs per call (${n} calls, 20-row record)`,
  )
}
rmSync(dir, { recursive: true, force: true })
process.exit(0)
