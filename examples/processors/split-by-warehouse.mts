/**
 * Split a bill by warehouse: a count order whose detail rows come from several warehouses becomes
 * one record per warehouse, each with only its rows, so each target bill has one store.
 * Hook: beforeStore (runs once per source record, before it is stored).
 */
import { defineProcessor, type Json } from 'ferry/processor'

/** The detail array and the row field that names the warehouse. */
const ROWS = 'items'
const WAREHOUSE = 'wms_co_id'

export default defineProcessor({
  name: 'split-by-warehouse',
  timeoutMs: 1000,
  beforeStore(record, ctx) {
    const rows = record[ROWS]
    if (!Array.isArray(rows)) return record
    // Keyed by text, keeping the warehouse value as the source wrote it (JST sends a number).
    const byWarehouse = new Map<string, { wh: unknown; rows: Json[] }>()
    for (const row of rows as Json[]) {
      const wh = row[WAREHOUSE] ?? record[WAREHOUSE] ?? ''
      const key = typeof wh === 'string' || typeof wh === 'number' ? String(wh) : JSON.stringify(wh)
      const part = byWarehouse.get(key) ?? { wh, rows: [] }
      part.rows.push(row)
      byWarehouse.set(key, part)
    }
    if (byWarehouse.size <= 1) return record
    ctx.log.info('split by warehouse', { parts: byWarehouse.size })
    // Each part gets its own id (the scheme's `id` field, here io_id), so each is its own bill.
    return [...byWarehouse].map(([key, part]) => ({
      ...record,
      io_id: `${String(record.io_id)}-${key}`,
      [WAREHOUSE]: part.wh,
      [ROWS]: part.rows,
    }))
  },
})
