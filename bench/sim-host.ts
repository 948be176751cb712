/**
 * Child process hosting both simulators for one scenario (see ipc.ts for why a separate process).
 * The parent sets the vendors' quotas and latency here; the request logs and counters read back
 * are the ground truth for request counts and throttled answers.
 */
import { createClock } from '../simulators/common/clock.js'
import type { FaultRule } from '../simulators/common/faults.js'
import type { EndpointCounters } from '../simulators/common/request-log.js'
import { generateDataset } from '../simulators/data/index.js'
import { startJdySimulator, type JdySimulator } from '../simulators/kingdee-jdy/index.js'
import { startJstSimulator, type JstSimulator } from '../simulators/jushuitan/index.js'
import { serve } from './ipc.js'
import type { ActualBill, SimInfo, SimStart, SimStats } from './types.js'

let jst: JstSimulator | undefined
let jdy: JdySimulator | undefined

/** An effectively unlimited JST quota (the simulator has no "off" switch for it). */
const UNLIMITED = 1_000_000_000

async function start(o: SimStart): Promise<SimInfo> {
  const clock = createClock()
  const dataset = generateDataset({ seed: o.seed, orders: o.orders, days: o.days, start: o.startMs })
  const faults: FaultRule[] =
    o.latencyMs > 0
      ? [
          {
            endpoint: '*',
            when: { always: true },
            fault: { kind: 'latency', ms: o.latencyMs, jitterMs: 0 },
            label: 'bench-latency',
          },
        ]
      : []
  jst = await startJstSimulator({
    seed: o.seed,
    dataset,
    clock,
    faults,
    rateLimit: {
      perSecond: o.jst?.perSecond ?? UNLIMITED,
      perMinute: o.jst?.perMinute ?? UNLIMITED,
      window: 'sliding',
    },
  })
  jdy = await startJdySimulator({
    seed: o.seed,
    masterData: dataset.jdy,
    clock,
    faults,
    logLimit: o.logLimit,
    rateLimit: { perMinute: o.jdy?.perMinute ?? 0, window: 'sliding' },
  })
  return {
    jst: { url: jst.url, ...jst.credentials },
    jdy: { url: jdy.url, ...jdy.credentials },
    orders: dataset.jst.countOrders.length,
    materials: dataset.jdy.materials.length,
    stores: dataset.jdy.stores.length,
  }
}

function total(c: EndpointCounters): number {
  return (
    c.accepted +
    c.throttled +
    Object.values(c.rejected).reduce((a, b) => a + b, 0) +
    Object.values(c.faults).reduce((a, b) => a + b, 0)
  )
}

function stats(): SimStats {
  if (jst === undefined || jdy === undefined) throw new Error('simulators not started')
  const side = (counters: Record<string, EndpointCounters>) =>
    Object.fromEntries(
      Object.entries(counters).map(([k, c]) => [k, { total: total(c), throttled: c.throttled, accepted: c.accepted }]),
    )
  // Save and list share one path; the log's method tells them apart (as long as the log was not trimmed).
  const byMethod: Record<string, number> = {}
  for (const e of jdy.log.entries())
    byMethod[`${e.method} ${e.endpoint}`] = (byMethod[`${e.method} ${e.endpoint}`] ?? 0) + 1
  return {
    jst: side(jst.log.counters()),
    jdy: side(jdy.log.counters()),
    jdyByMethod: byMethod,
    jdyLogComplete: jdy.log.entries().length < 0.99 * logCap,
  }
}

let logCap = 10_000

function bills(): ActualBill[] {
  if (jdy === undefined) throw new Error('simulators not started')
  return jdy.bills.list().map((b) => ({
    bill_no: b.bill_no,
    bill_date: b.bill_date,
    bill_status: b.bill_status,
    remark: b.remark,
    material_entity: b.material_entity.map((l) => ({
      material_id: l.material_id,
      unit_id: l.unit_id,
      stock_id: l.stock_id,
      qty: l.qty,
    })),
  }))
}

serve(
  {
    start: (arg) => {
      const o = arg as SimStart
      logCap = o.logLimit
      return start(o)
    },
    stats: () => Promise.resolve(stats()),
    bills: () => Promise.resolve(bills()),
  },
  async () => {
    await Promise.all([jst?.close(), jdy?.close()])
  },
)
