/**
 * Enrich from a value map: add the target organisation number for the record's shop. A shop that
 * is not in the map throws, which parks the record (ERR_PROCESSOR_HOOK) instead of writing a bill
 * with a hole in it. Hook: beforeStore.
 */
import { defineProcessor } from 'ferry/processor'

const ORG_BY_SHOP: Readonly<Record<string, string>> = {
  '10001': 'ORG-EAST',
  '10002': 'ORG-NORTH',
}

export default defineProcessor({
  name: 'enrich-from-value-map',
  beforeStore(record) {
    const shop = typeof record.shop_id === 'number' || typeof record.shop_id === 'string' ? String(record.shop_id) : ''
    const org = ORG_BY_SHOP[shop]
    if (org === undefined) throw new Error(`shop ${shop || '(none)'} has no organisation in the value map`)
    return { ...record, org_number: org }
  },
})
