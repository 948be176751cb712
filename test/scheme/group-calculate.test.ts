import { describe, expect, it } from 'vitest'
import { accumulate, groupCalculate } from '../../src/scheme/group-calculate.js'
import type { GroupCalculate } from '../../src/scheme/types.js'

// The official example (qeasy.cloud/a/815, spec 4.4) over flattened sales-out records.
const spec: GroupCalculate = {
  headerGroup: ['shop_no', 'stock_no'],
  bodyGroup: ['details_spec'],
  bodyName: 'details',
  targetBodyName: 'FEntity',
  bodyMaxLine: 50,
  calculate: { details_num: '$sum', details_amount: '$sum' },
}

const rec = (
  shop_no: string,
  stock_no: string,
  details_spec: string,
  details_num: number | string,
  details_amount: string,
): Record<string, unknown> => ({ shop_no, stock_no, details_spec, details_num, details_amount, order_no: 'ignored' })

describe('groupCalculate', () => {
  it('merges records per header group and sums per body group with exact decimals', () => {
    const out = groupCalculate(
      [
        rec('S1', 'W1', 'red', 1, '0.1'),
        rec('S1', 'W1', 'red', '2', '0.2'),
        rec('S1', 'W1', 'blue', 5, '10.00'),
        rec('S2', 'W1', 'red', 4, '1'),
      ],
      spec,
    )
    expect(out.map((d) => d.document)).toEqual([
      {
        shop_no: 'S1',
        stock_no: 'W1',
        details: [
          { details_spec: 'red', details_num: 3, details_amount: 0.3 },
          { details_spec: 'blue', details_num: 5, details_amount: 10 },
        ],
      },
      { shop_no: 'S2', stock_no: 'W1', details: [{ details_spec: 'red', details_num: 4, details_amount: 1 }] },
    ])
    expect(out.map((d) => d.sources)).toEqual([[0, 1, 2], [3]])
  })

  it('drops fields that are neither grouped nor calculated, as the platform does', () => {
    const [first] = groupCalculate([rec('S1', 'W1', 'red', 1, '1')], spec)
    expect(JSON.stringify(first?.document)).not.toContain('order_no')
  })

  it('splits a merged document into parts of at most bodyMaxLine rows', () => {
    const records = Array.from({ length: 5 }, (_, i) => rec('S1', 'W1', `spec-${i}`, 1, '1'))
    const out = groupCalculate(records, { ...spec, bodyMaxLine: 2 })
    expect(out.map((d) => [d.part, d.parts, (d.document.details as unknown[]).length])).toEqual([
      [1, 3, 2],
      [2, 3, 2],
      [3, 3, 1],
    ])
    expect(new Set(out.map((d) => d.key)).size).toBe(1)
    expect(out.flatMap((d) => d.sources)).toEqual([0, 1, 2, 3, 4])
  })

  it('keeps one body row per record when bodyGroup is absent', () => {
    const out = groupCalculate([rec('S1', 'W1', 'a', 1, '1'), rec('S1', 'W1', 'a', 2, '1')], {
      ...spec,
      bodyGroup: undefined,
    })
    expect((out[0]?.document.details as unknown[]).length).toBe(2)
  })

  it('implements the MongoDB accumulators', () => {
    expect(accumulate('$sum', [1, 'x', null, '2.5'])).toBe(3.5)
    expect(accumulate('$sum', ['0.1', '0.2'])).toBe(0.3)
    expect(accumulate('$sum', ['12345678901234567890.12', '1'])).toBe('12345678901234567891.12')
    expect(accumulate('$avg', [1, 2, null])).toBe(1.5)
    expect(accumulate('$avg', [null])).toBeNull()
    expect(accumulate('$min', ['10', 9, null])).toBe(9)
    expect(accumulate('$max', ['10', 9])).toBe('10')
    expect(accumulate('$max', ['b', 'a', 'c'])).toBe('c')
    expect(accumulate('$push', [1, 1, 2])).toEqual([1, 1, 2])
    expect(accumulate('$addToSet', [1, 1, 2])).toEqual([1, 2])
    expect(accumulate('$first', ['a', 'b'])).toBe('a')
    expect(accumulate('$last', ['a', 'b'])).toBe('b')
  })
})
