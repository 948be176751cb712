/**
 * `tsx bench/jdy-call-path.ts [rounds] [variants…]`: the JDY save path alone, as the raw loop of the
 * overhead scenario drives it (`raw`) and with what Ferry's host and target stage add per call, one
 * at a time: `inflight` (the connection's in-flight limit given to the connector, hence one socket
 * per call), `rates` (the bench's open per-second/minute budget), `signal` (the run's long-lived
 * abort signal on every call), `before` (the target stage's beforeSend check), `ferry` (all of
 * them). Each variant posts the oracle's bills (renumbered) 16 at a time against one simulator, in
 * rounds that alternate the variants; reported: CPU ms of this process per bill, bills/s.
 */
import { setMaxListeners } from 'node:events'
import { LocalRateBudget } from '../src/connectors/budget.js'
import type { TargetRuntime } from '../src/connectors/contract.js'
import { kingdeeJdy } from '../src/connectors/kingdee-jdy/index.js'
import { MemoryCredentialStore } from '../src/connectors/memory-credentials.js'
import { resolveConnectionConfig } from '../src/connectors/registry.js'
import { silentLogger } from '../src/engine/ports.js'
import { oracleFor, startSims } from './harness.js'
import { jdyConnectionSettings } from './types.js'

const CONCURRENCY = 16
const rounds = Number(process.argv[2] ?? 3)
const all = ['raw', 'inflight', 'rates', 'signal', 'before', 'ferry']
const variants = process.argv.length > 3 ? process.argv.slice(3) : all

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const sims = await startSims({ orders: 4000, latencyMs: 0, logLimit: 400_000 })
try {
  const oracle = oracleFor(4000, sims.startMs)
  const settings = jdyConnectionSettings(sims.info.jdy)
  const has = (v: string, f: string) => v === f || v === 'ferry'
  const ctrl = new AbortController()
  setMaxListeners(1000, ctrl.signal)
  const runtimes = new Map<string, TargetRuntime>()
  // Two token calls a minute per client: every runtime reads the first one's token from one store.
  const credentials = new MemoryCredentialStore()
  const runtimeFor = async (v: string): Promise<TargetRuntime> => {
    const key = `${String(has(v, 'inflight'))}/${String(has(v, 'rates'))}`
    let t = runtimes.get(key)
    if (t === undefined) {
      const rt = await kingdeeJdy.open({
        connectionId: 'jdy',
        config: resolveConnectionConfig(kingdeeJdy, settings),
        credentials,
        budget: new LocalRateBudget({
          inFlight: CONCURRENCY,
          ...(has(v, 'rates') ? { perSecond: 1_000_000, perMinute: 60_000_000 } : {}),
        }),
        ...(has(v, 'inflight') ? { inFlight: CONCURRENCY } : {}),
        log: silentLogger,
        now: () => new Date(),
      })
      t = rt.target!
      runtimes.set(key, t)
    }
    return t
  }
  const results = new Map<string, { cpu: number[]; rate: number[] }>()
  let batch = 0
  for (let r = 0; r <= rounds; r++) {
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
      const target = await runtimeFor(v)
      const prefix = `P${String(batch++)}-`
      const bills = oracle.payloads.map((p) => ({ ...p, bill_no: `${prefix}${String(p.bill_no)}` }))
      let next = 0
      let failed = 0
      const t0 = performance.now()
      const c0 = cpuMs()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < bills.length) {
            const payload = bills[next++]!
            let deadline = performance.now() + 60_000
            const out = await target.write({
              api: '/jdy/v2/scm/inv_check_loss_bill',
              payload,
              key: String(payload.bill_no),
              ...(has(v, 'signal') ? { signal: ctrl.signal } : {}),
              ...(has(v, 'before')
                ? {
                    beforeSend: () => {
                      if (performance.now() > deadline) deadline = 0
                    },
                  }
                : {}),
            })
            if (out.kind !== 'ok') failed++
          }
        }),
      )
      const cpu = cpuMs() - c0
      const wall = performance.now() - t0
      if (failed > 0) throw new Error(`${v}: ${String(failed)} bills failed`)
      if (r === 0) continue // warm-up round
      const e = results.get(v) ?? { cpu: [], rate: [] }
      e.cpu.push(cpu / bills.length)
      e.rate.push(bills.length / (wall / 1000))
      results.set(v, e)
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  for (const [v, e] of results)
    console.log(
      `${v.padEnd(9)} cpu ms/bill median ${med(e.cpu).toFixed(3)} [${e.cpu.map((x) => x.toFixed(3)).join(' ')}]  bills/s median ${med(e.rate).toFixed(0)}`,
    )
} finally {
  await sims.stop()
}
process.exit(0)
