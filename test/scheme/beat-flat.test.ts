import { describe, expect, it } from 'vitest'
import { beatFlat, beatFlatArrays } from '../../src/scheme/beat-flat.js'
import type { AdapterMetadata } from '../../src/scheme/types.js'

describe('beatFlat', () => {
  const doc = {
    no: 'OUT20210001',
    shop: 'S1',
    details_list: [
      { goods: 'A', num: 2 },
      { goods: 'B', num: 3 },
    ],
  }

  it('makes one record per detail row with prefixed keys and a suffixed id (spec 3.6)', () => {
    expect(beatFlat(doc, ['details_list'], { idField: 'no' })).toEqual([
      { no: 'OUT20210001-1', shop: 'S1', details_list_goods: 'A', details_list_num: 2 },
      { no: 'OUT20210001-2', shop: 'S1', details_list_goods: 'B', details_list_num: 3 },
    ])
  })

  it('leaves the input document unchanged', () => {
    const before = JSON.stringify(doc)
    beatFlat(doc, ['details_list'], { idField: 'no' })
    expect(JSON.stringify(doc)).toBe(before)
  })

  it('keeps a document whose array is missing or empty instead of losing it', () => {
    expect(beatFlat({ no: 'X', details_list: [] }, ['details_list'], { idField: 'no' })).toEqual([
      { no: 'X', details_list: [] },
    ])
    expect(beatFlat({ no: 'X' }, ['details_list'], { idField: 'no' })).toEqual([{ no: 'X' }])
  })

  it('flattens several arrays one after the other as a cross product', () => {
    const out = beatFlat({ id: 7, a: [{ x: 1 }, { x: 2 }], b: [{ y: 'p' }] }, ['a', 'b'], { idField: 'id' })
    expect(out).toEqual([
      { id: '7-1-1', a_x: 1, b_y: 'p' },
      { id: '7-2-1', a_x: 2, b_y: 'p' },
    ])
  })

  it('reads the arrays from the top-level key and from an otherRequest beatFlat item', () => {
    const meta: AdapterMetadata = {
      api: 'x',
      beatFlat: ['details_list'],
      otherRequest: [{ field: 'beatFlat', value: 'details_list, items' }],
    }
    expect(beatFlatArrays(meta)).toEqual(['details_list', 'items'])
  })
})

describe('keys named __proto__', () => {
  it('keeps them as data in flattened rows', () => {
    const doc = JSON.parse('{"io_id":1,"__proto__":"h","items":[{"__proto__":"r","qty":1}]}') as Record<string, unknown>
    const rows = beatFlat(doc, ['items'], { idField: 'io_id' })
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['__proto__', 'items___proto__']))
    expect(Object.getOwnPropertyDescriptor(rows[0], '__proto__')?.value).toBe('h')
  })
})
