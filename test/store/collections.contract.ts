import { describe, expect, it } from 'vitest'
import type { StoreFactory } from './harness.js'
import { freshStore } from './setup.js'

export function describeCollections(factory: StoreFactory): void {
  describe('collections for _findCollection', () => {
    const c = freshStore(factory)
    const materials = [
      { id: 'm1', content: { number: '3001-RED', id: 'JDY-M-1', unit: { id: 'U-1' }, book: 'A' } },
      { id: 'm2', content: { number: '3002-BLU', id: 'JDY-M-2', unit: { id: 'U-2' }, book: 'A' } },
      { id: 'm3', content: { number: '3001-RED', id: 'JDY-M-3', unit: { id: 'U-3' }, book: 'B' } },
    ]

    it("finds a field of another scheme's stored record by one key", async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, materials)
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3002-BLU' } })).toBe('JDY-M-2')
      expect(
        await c.store.find({ collection: c.scheme, field: 'unit.id', where: [{ key: 'number', value: '3002-BLU' }] }),
      ).toBe('U-2')
    })

    it('matches every key of a lookup with several keys', async () => {
      await c.store.collections.declareKeys(c.scheme, ['number', 'book'])
      await c.store.ledger.upsertSourceRecords(c.scheme, materials)
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3001-RED', book: 'B' } })).toBe(
        'JDY-M-3',
      )
      expect(
        await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3002-BLU', book: 'B' } }),
      ).toBeUndefined()
    })

    it('returns the first stored match, and undefined when nothing matches', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, materials)
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3001-RED' } })).toBe('JDY-M-1')
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '9999' } })).toBeUndefined()
      expect(
        await c.store.find({ collection: 'no-such-scheme', field: 'id', where: { number: '3001-RED' } }),
      ).toBeUndefined()
    })

    it('follows content updates: a changed key is found under its new value only', async () => {
      await c.store.collections.declareKeys(c.scheme, ['number'])
      await c.store.ledger.upsertSourceRecords(c.scheme, materials)
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        [{ id: 'm2', content: { ...materials[1]!.content, number: '3002-GRN' } }],
        { idCheck: false },
      )
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3002-BLU' } })).toBeUndefined()
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3002-GRN' } })).toBe('JDY-M-2')
    })

    it('matches numbers in content against the text a template produces', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [{ id: 'w1', content: { wms_co_id: 10086, store: 'S-1' } }])
      expect(await c.store.find({ collection: c.scheme, field: 'store', where: { wms_co_id: '10086' } })).toBe('S-1')
    })

    it('answers from the index, not by scanning content', async () => {
      await c.store.collections.declareKeys(c.scheme, ['number'])
      await c.store.ledger.upsertSourceRecords(c.scheme, materials)
      const rows = await c.store.db
        .selectFrom('collection_index')
        .selectAll()
        .where('collection_id', '=', c.scheme)
        .execute()
      expect(rows.map((r) => r.key_value).sort()).toEqual(['3001-RED', '3001-RED', '3002-BLU'])
      // With its index rows gone, a record is invisible to lookups although its content is intact.
      await c.store.db
        .deleteFrom('collection_index')
        .where('collection_id', '=', c.scheme)
        .where('key_value', '=', '3002-BLU')
        .execute()
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { number: '3002-BLU' } })).toBeUndefined()
    })

    it('back-fills the index in pages when a key is declared after records were stored', async () => {
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 1100 }, (_, i) => ({ id: `m${i}`, content: { sku: `SKU-${i}`, id: `J-${i}` } })),
      )
      await c.store.collections.declareKeys(c.scheme, ['sku'])
      const n = await c.store.db
        .selectFrom('collection_index')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('collection_id', '=', c.scheme)
        .executeTakeFirstOrThrow()
      expect(Number(n.n)).toBe(1100)
      expect(await c.store.find({ collection: c.scheme, field: 'id', where: { sku: 'SKU-1099' } })).toBe('J-1099')
    })

    it('indexes every record of a batch larger than one insert statement under its own row, with its stored event', async () => {
      await c.store.collections.declareKeys(c.scheme, ['sku'])
      // 120 rows: more than one multi-row insert (50 rows each on SQLite), and a last one shorter.
      const result = await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 120 }, (_, i) => ({ id: `m${i}`, content: { sku: `SKU-${i}`, id: `J-${i}` } })),
      )
      expect(result.counts.inserted).toBe(120)
      for (const i of [0, 49, 50, 99, 100, 119])
        expect(await c.store.find({ collection: c.scheme, field: 'id', where: { sku: `SKU-${i}` } })).toBe(`J-${i}`)
      for (const i of [0, 77, 119]) {
        const events = await c.store.ledger.events({ schemeId: c.scheme, recordId: `m${i}` })
        expect(events.map((e) => e.event)).toEqual(['stored'])
      }
    })

    it('answers concurrent first lookups from a complete index, never from a half-filled one', async () => {
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 1200 }, (_, i) => ({ id: `m${i}`, content: { sku: `SKU-${i}`, id: `J-${i}` } })),
      )
      const wanted = Array.from({ length: 12 }, (_, i) => 1199 - i * 50)
      // Lookups start one event-loop turn apart, so some land while the first one is still declaring.
      const pending: Promise<unknown>[] = []
      for (const i of wanted) {
        pending.push(c.store.find({ collection: c.scheme, field: 'id', where: { sku: `SKU-${i}` } }))
        await new Promise((r) => setImmediate(r))
      }
      const found = await Promise.all(pending)
      expect(found).toEqual(wanted.map((i) => `J-${i}`))
    })

    it('serves static value maps and replaces them as a whole', async () => {
      await c.store.collections.putStatic('wh-map', [
        { jst_wh: '1', jdy_store: 'CK001' },
        { jst_wh: '2', jdy_store: 'CK002', meta: { region: 'east' } },
      ])
      expect(await c.store.find({ collection: 'wh-map', field: 'jdy_store', where: { jst_wh: '2' } })).toBe('CK002')
      expect(await c.store.find({ collection: 'wh-map', field: 'jdy_store', where: { 'meta.region': 'east' } })).toBe(
        'CK002',
      )
      await c.store.collections.putStatic('wh-map', [{ jst_wh: '1', jdy_store: 'CK009' }])
      expect(await c.store.find({ collection: 'wh-map', field: 'jdy_store', where: { jst_wh: '1' } })).toBe('CK009')
      expect(await c.store.find({ collection: 'wh-map', field: 'jdy_store', where: { jst_wh: '2' } })).toBeUndefined()
      expect(await c.store.collections.exists('wh-map')).toBe(true)
    })

    it('rejects a lookup without conditions with ERR_STORE_BAD_INPUT', async () => {
      await expect(c.store.find({ collection: c.scheme, field: 'id', where: {} })).rejects.toMatchObject({
        code: 'ERR_STORE_BAD_INPUT',
      })
    })
  })
}
