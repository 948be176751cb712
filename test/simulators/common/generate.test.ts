import { describe, expect, it } from 'vitest'
import { generateDataset, JST_STATUSES, parseShanghai } from '../../../simulators/data/index.js'

describe('seeded dataset generator', () => {
  it('returns the same dataset for the same options and a different one for another seed', () => {
    const a = generateDataset({ seed: 9, orders: 50, days: 3 })
    expect(generateDataset({ seed: 9, orders: 50, days: 3 })).toEqual(a)
    expect(generateDataset({ seed: 10, orders: 50, days: 3 }).jst.countOrders).not.toEqual(a.jst.countOrders)
  })

  it('spreads N orders over D days with io_date ≤ modified inside the range and unique ids', () => {
    const d = generateDataset({ seed: 1, orders: 300, days: 5, start: '2026-03-01 00:00:00' })
    expect(d.jst.countOrders).toHaveLength(300)
    const from = parseShanghai('2026-03-01 00:00:00')!
    const to = from + 5 * 86_400_000
    expect(d.meta).toMatchObject({ startMs: from, endMs: to })
    for (const o of d.jst.countOrders) {
      const io = parseShanghai(o.io_date)!
      const mod = parseShanghai(o.modified)!
      expect(io).toBeGreaterThanOrEqual(from)
      expect(mod).toBeGreaterThanOrEqual(io)
      expect(mod).toBeLessThan(to)
      expect(o.items.every((it) => it.io_id === o.io_id)).toBe(true)
    }
    expect(new Set(d.jst.countOrders.map((o) => o.io_id)).size).toBe(300)
    const lines = d.jst.countOrders.flatMap((o) => o.items.map((i) => i.ioi_id))
    expect(new Set(lines).size).toBe(lines.length)
  })

  it('represents every status, honours itemsPerOrder and keeps r_qty = book + qty non-negative', () => {
    const d = generateDataset({ seed: 2, orders: 40, days: 2, itemsPerOrder: [2, 3] })
    expect(new Set(d.jst.countOrders.map((o) => o.status))).toEqual(new Set(JST_STATUSES))
    for (const o of d.jst.countOrders) {
      expect(o.items.length).toBeGreaterThanOrEqual(2)
      expect(o.items.length).toBeLessThanOrEqual(3)
      expect(new Set(o.items.map((i) => i.sku_id)).size).toBe(o.items.length)
      for (const i of o.items) {
        expect(Number.isInteger(i.qty) && i.qty !== 0).toBe(true)
        expect(i.r_qty).toBeGreaterThanOrEqual(0)
      }
    }
  })

  it('makes about negativeShare of lines negative and about packagingShare of remarks mention 包材', () => {
    const d = generateDataset({ seed: 3, orders: 1000, days: 7, negativeShare: 0.3, packagingShare: 0.2 })
    const lines = d.jst.countOrders.flatMap((o) => o.items)
    const neg = lines.filter((i) => i.qty < 0).length / lines.length
    expect(neg).toBeGreaterThan(0.25)
    expect(neg).toBeLessThan(0.35)
    const pack = d.jst.countOrders.filter((o) => o.remark.includes('包材'))
    expect(pack.length / 1000).toBeGreaterThan(0.15)
    expect(pack.length / 1000).toBeLessThan(0.25)
    const packSkus = new Set(d.meta.packagingSkuIds)
    expect(pack.every((o) => o.items.every((i) => packSkus.has(i.sku_id)))).toBe(true)
  })

  it('keeps JST and JDY consistent: materials by sku_id, units, stores by wms_co_id, and the missing share', () => {
    const d = generateDataset({ seed: 4, orders: 100, days: 3, skus: 200, warehouses: 3, missingMaterialShare: 0.05 })
    const materials = new Map(d.jdy.materials.map((m) => [m.number, m]))
    expect(d.meta.missingMaterialSkuIds).toHaveLength(10)
    for (const sku of d.jst.skus)
      expect(materials.has(sku.sku_id)).toBe(!d.meta.missingMaterialSkuIds.includes(sku.sku_id))
    const unitIds = new Set(d.jdy.measureUnits.map((u) => u.id))
    for (const m of d.jdy.materials) {
      expect(unitIds.has(m.base_unit_id)).toBe(true)
      const rows = d.jdy.materialUnits.filter((u) => u.material_id === m.id)
      expect(rows.some((u) => u.unit_id === m.base_unit_id && u.is_default)).toBe(true)
      expect(m.id).toMatch(/^\d{19}$/)
    }
    const stores = new Set(d.jdy.stores.map((s) => s.number))
    expect(d.jst.partners).toHaveLength(3)
    for (const p of d.jst.partners) expect(stores.has(String(p.wms_co_id))).toBe(true)
    for (const o of d.jst.countOrders) expect(stores.has(String(o.wms_co_id))).toBe(true)
    const allIds = [...d.jdy.materials, ...d.jdy.measureUnits, ...d.jdy.materialUnits, ...d.jdy.stores].map((x) => x.id)
    expect(new Set(allIds).size).toBe(allIds.length)
  })

  it('uses only the listed statuses when statuses is given', () => {
    const d = generateDataset({ seed: 5, orders: 30, days: 1, statuses: ['Confirmed', 'Delete'] })
    expect(new Set(d.jst.countOrders.map((o) => o.status))).toEqual(new Set(['Confirmed', 'Delete']))
  })

  it('rejects impossible options with a message naming the option', () => {
    expect(() => generateDataset({ seed: 1, orders: -1, days: 1 })).toThrow(/orders/)
    expect(() => generateDataset({ seed: 1, orders: 1, days: 0 })).toThrow(/days/)
    expect(() => generateDataset({ seed: 1, orders: 1, days: 1, negativeShare: 2 })).toThrow(/negativeShare/)
    expect(() => generateDataset({ seed: 1, orders: 1, days: 1, itemsPerOrder: [3, 2] })).toThrow(/itemsPerOrder/)
    expect(() => generateDataset({ seed: 1, orders: 1, days: 1, statuses: ['Nope' as never] })).toThrow(/status/)
    expect(() => generateDataset({ seed: 1, orders: 1, days: 1, start: 'yesterday' })).toThrow(/start/)
  })
})
