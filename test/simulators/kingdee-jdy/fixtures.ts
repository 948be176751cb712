/** Small, hand-made master data and helpers shared by the JDY simulator tests. */
import {
  startJdySimulator,
  type JdySimulator,
  type JdySimulatorOptions,
} from '../../../simulators/kingdee-jdy/index.js'
import { JdyTestClient } from './jdy-client.js'

export const UNITS = [
  { id: 'U1', number: 'GE', name: '个', precision: 0 },
  { id: 'U2', number: 'XIANG', name: '箱', precision: 0 },
  { id: 'U3', number: 'KG', name: '千克', precision: 3 },
]

export const MATERIALS = [
  { id: 'M1', number: 'SKU-1', name: '黑色T恤 M', base_unit_id: 'U1' },
  { id: 'M2', number: 'SKU-2', name: '白色T恤 L', base_unit_id: 'U1' },
  { id: 'M3', number: 'SKU-BATCH', name: '批次商品', base_unit_id: 'U1', is_batch: true },
  { id: 'M4', number: 'SKU-OFF', name: '停用商品', base_unit_id: 'U1', enable: '0' },
]

export const MATERIAL_UNITS = [
  { id: 'MU1', material_id: 'M1', unit_id: 'U1', index: 0, is_default: true, coefficient: 1 },
  { id: 'MU2', material_id: 'M1', unit_id: 'U2', index: 1, is_default: false, coefficient: 12 },
  { id: 'MU3', material_id: 'M2', unit_id: 'U1', index: 0, is_default: true, coefficient: 1 },
  { id: 'MU4', material_id: 'M3', unit_id: 'U1', index: 0, is_default: true, coefficient: 1 },
]

export const STORES = [
  { id: 'S1', number: '10001', name: '华东总仓' },
  { id: 'S2', number: '10002', name: '华南分仓', allow_negative: 'false' },
  { id: 'S3', number: '10003', name: '仓位仓', is_allow_freight: true },
]

export const MASTER = { materials: MATERIALS, measureUnits: UNITS, materialUnits: MATERIAL_UNITS, stores: STORES }

export function line(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 3, ...over }
}

export function bill(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bill_date: '2026-11-20',
    bill_no: 'PK-T-0001',
    remark: 'test [ext:jst:1]',
    material_entity: [line()],
    ...over,
  }
}

/** A simulator with the small master data and a logged-in client; `close` in afterEach. */
export async function setup(options: JdySimulatorOptions = {}): Promise<{ sim: JdySimulator; client: JdyTestClient }> {
  const sim = await startJdySimulator({ masterData: MASTER, ...options })
  const client = new JdyTestClient(sim.url, { ...sim.credentials }, () => sim.clock.now())
  await client.login()
  return { sim, client }
}
