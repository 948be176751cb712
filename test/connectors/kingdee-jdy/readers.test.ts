import { afterEach, describe, expect, it } from 'vitest'
import { billPayload, collect, manyMaterials, startHarness, type Harness } from './harness.js'

const MATERIAL = '/jdy/v2/bd/material'
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

function ids(rows: Record<string, unknown>[]): string[] {
  return rows.map((r) => String(r.id))
}

function pageSizes(x: Harness, endpoint: string): string[] {
  return x.sim.log.entries({ endpoint }).map((e) => String((e.params as Record<string, unknown>).page_size))
}

describe('JDY master-data readers (spec §5)', () => {
  it.each([['requested'], ['served']] as const)(
    'reads all 250 materials in pages of at most 100 when total_page is computed from the %s size',
    async (totalPageFrom) => {
      h = await startHarness({ masterData: manyMaterials(250), lists: { totalPageFrom } })
      const { rows, pages } = await collect(h.runtime.readers!.material!({ page_size: 500 }))
      expect(pages).toBe(3)
      expect(new Set(ids(rows)).size).toBe(250)
      expect(pageSizes(h, MATERIAL)).toEqual(['100', '100', '100'])
    },
  )

  it('detects a server that serves fewer rows than asked and walks again at the served size, losing nothing', async () => {
    h = await startHarness({ masterData: manyMaterials(250), lists: { maxPageSize: 40, totalPageFrom: 'requested' } })
    const { rows } = await collect(h.runtime.readers!.material!())
    expect(new Set(ids(rows)).size).toBe(250)
    expect(rows).toHaveLength(250)
    expect(pageSizes(h, MATERIAL).slice(-1)).toEqual(['40'])
  })

  it('de-duplicates rows that a list repeats across pages', async () => {
    h = await startHarness({ masterData: manyMaterials(250), lists: { duplicateRowEveryNthPage: 2 } })
    const { rows } = await collect(h.runtime.readers!.material!())
    expect(rows).toHaveLength(250)
    expect(new Set(ids(rows)).size).toBe(250)
  })

  it('asks for enable=-1 by default so disabled items are found, and honours an explicit enable', async () => {
    h = await startHarness()
    h.sim.masterData.patch('material', 'M2', { enable: '0' })
    expect(ids((await collect(h.runtime.readers!.material!())).rows).sort()).toEqual(['M1', 'M2', 'M3'])
    expect(ids((await collect(h.runtime.readers!.material!({ enable: 1 }))).rows).sort()).toEqual(['M1', 'M3'])
    expect((h.sim.log.entries({ endpoint: MATERIAL })[0]!.params as Record<string, unknown>).enable).toBe('-1')
  })

  it('reads measure units, material units and stores', async () => {
    h = await startHarness()
    expect(ids((await collect(h.runtime.readers!.measure_unit!())).rows).sort()).toEqual(['U1', 'U2'])
    const mu = (await collect(h.runtime.readers!.material_unit!())).rows
    expect(mu.map((r) => `${String(r.material_id)}:${String(r.unit_id)}`).sort()).toEqual(['M1:U1', 'M2:U1', 'M3:U2'])
    expect(ids((await collect(h.runtime.readers!.store!())).rows).sort()).toEqual(['S1', 'S2'])
  })

  it('fails with ERR_JDY_ROWS_MISSING when the distinct rows fall short of count', async () => {
    h = await startHarness({
      faults: [
        {
          endpoint: '/jdy/v2/bd/store',
          when: { always: true },
          fault: {
            kind: 'vendor',
            body: {
              errcode: 0,
              description: 'success',
              data: { count: '7', total_page: 1, page: 1, rows: [{ id: 'S1' }] },
            },
          },
        },
      ],
    })
    await expect(collect(h.runtime.readers!.store!())).rejects.toMatchObject({
      code: 'ERR_JDY_ROWS_MISSING',
      kind: 'transient',
    })
  })

  it("signs search values with space and !'()*~ exactly as the gateway checks them", async () => {
    h = await startHarness()
    const { rows } = await collect(h.runtime.readers!.material!({ search: "盘亏 A*B~C!(x)'y" }))
    expect(rows).toEqual([])
    expect(h.sim.log.entries({ endpoint: MATERIAL })[0]).toMatchObject({ outcome: 'accepted' })
  })

  it('serves the master-data lists as QUERY apis of the source runtime', async () => {
    h = await startHarness()
    const now = new Date()
    const windows = h.runtime.source!.planWindows(MATERIAL, new Date(now.getTime() - 86_400_000), now)
    expect(windows).toHaveLength(1)
    const { rows } = await collect(h.runtime.source!.read({ api: MATERIAL, window: windows[0], params: {} }))
    expect(ids(rows).sort()).toEqual(['M1', 'M2', 'M3'])
    expect(() => h!.runtime.source!.read({ api: '/jdy/v2/bd/customer', params: {} })).toThrow(/ERR_JDY|not support/)
  })

  it('reads the material list with the rendered request of the example master-data scheme', async () => {
    h = await startHarness({ masterData: manyMaterials(130) })
    const params = { page: '1', page_size: '100', enable: '-1', show_units: true }
    const { rows, pages } = await collect(h.runtime.source!.read({ api: MATERIAL, params }))
    expect(pages).toBe(2)
    expect(new Set(ids(rows)).size).toBe(130)
    expect(h.sim.log.entries({ endpoint: MATERIAL }).map((e) => (e.params as Record<string, unknown>).page)).toEqual([
      '1',
      '2',
    ])
    expect(rows[0]).toHaveProperty('units')
  })

  it('lists saved check-loss bills', async () => {
    h = await startHarness()
    for (const k of ['PK-L1', 'PK-L2'])
      await h.target.write({ api: '/jdy/v2/scm/inv_check_loss_bill', key: k, payload: billPayload(k) })
    const { rows } = await collect(h.runtime.readers!.check_loss_bills!())
    expect(rows.map((r) => r.bill_no).sort()).toEqual(['PK-L1', 'PK-L2'])
  })
})
