import { describe, expect, it } from 'vitest'
import { applyCondition, filterDocuments, testClause } from '../../src/scheme/condition.js'
import type { Condition, ConditionClause } from '../../src/scheme/types.js'

const opts = { tz: 'Asia/Shanghai' }
const names = (doc: Record<string, unknown> | undefined): unknown =>
  doc === undefined ? undefined : (doc.items as { name: string }[]).map((r) => r.name)

describe('the S-COND example (three OR groups, strictMode on the first)', () => {
  // Official example from bbs.qeasy.cloud/d/10 (spec qeasy-metadata §3.1).
  const condition: Condition = [
    [
      { field: 'io_id', logic: 'eq', value: '816403' },
      { field: 'items.name', logic: 'like', value: '活动', strictMode: true },
    ],
    [{ field: 'io_id', logic: 'like', value: '512' }],
    [{ field: 'items.name', logic: 'eq', value: '企鹅爸爸15合1桌游' }],
  ]
  const doc = (io_id: number, ...rows: string[]): Record<string, unknown> => ({
    io_id,
    items: rows.map((name) => ({ name })),
  })

  it('keeps every row when all rows satisfy the strict clause', () => {
    expect(names(applyCondition(doc(816403, '活动A', '活动B'), condition, opts))).toEqual(['活动A', '活动B'])
  })

  it('drops the whole document when one row fails the strict clause and no other group matches', () => {
    expect(applyCondition(doc(816403, '活动A', '普通商品'), condition, opts)).toBeUndefined()
  })

  it('keeps a document matched by a header-only group with all its rows', () => {
    expect(names(applyCondition(doc(1512, 'x', 'y'), condition, opts))).toEqual(['x', 'y'])
  })

  it('removes the failing rows of a non-strict detail clause and keeps the document', () => {
    expect(names(applyCondition(doc(999, '企鹅爸爸15合1桌游', '其他'), condition, opts))).toEqual(['企鹅爸爸15合1桌游'])
  })

  it('falls through to a later group when the strict group fails', () => {
    expect(names(applyCondition(doc(816403, '活动A', '企鹅爸爸15合1桌游'), condition, opts))).toEqual([
      '企鹅爸爸15合1桌游',
    ])
  })

  it('keeps all rows when a passing group does not constrain the detail array', () => {
    expect(names(applyCondition(doc(1512, '企鹅爸爸15合1桌游', '其他'), condition, opts))).toEqual([
      '企鹅爸爸15合1桌游',
      '其他',
    ])
  })

  it('drops a document whose detail array is empty when only detail groups could match', () => {
    expect(applyCondition(doc(999), condition, opts)).toBeUndefined()
  })

  it('filters a list and keeps the survivors in order without touching the input', () => {
    const input = [doc(816403, '活动A', '普通商品'), doc(999, '其他', '企鹅爸爸15合1桌游'), doc(1512, 'z')]
    const before = JSON.stringify(input)
    const out = filterDocuments(input, condition, opts)
    expect(out.map((d) => d.io_id)).toEqual([999, 1512])
    expect(names(out[0])).toEqual(['企鹅爸爸15合1桌游'])
    expect(JSON.stringify(input)).toBe(before)
  })
})

describe('the case article conditions on count orders', () => {
  const condition: Condition = [
    [
      { field: 'items.qty', logic: 'lt', value: '0' },
      { field: 'remark', logic: 'notlike', value: '包材' },
    ],
  ]
  const order = (remark: string, qtys: (number | string)[]): Record<string, unknown> => ({
    io_id: 1001234,
    remark,
    items: qtys.map((qty, i) => ({ ioi_id: 5550001 + i, sku_id: `SKU-${i}`, qty })),
  })

  it('keeps only the loss rows (negative qty) of a mixed count order', () => {
    const out = applyCondition(order('月度盘点', [-3, 5, 0, '-1.5', '2']), condition, opts)
    expect((out?.items as { qty: unknown }[]).map((r) => r.qty)).toEqual([-3, '-1.5'])
    expect(out?.remark).toBe('月度盘点')
  })

  it('drops an order whose remark mentions 包材', () => {
    expect(applyCondition(order('包材盘点', [-3]), condition, opts)).toBeUndefined()
  })

  it('drops an order that has only gains', () => {
    expect(applyCondition(order('月度盘点', [1, 2]), condition, opts)).toBeUndefined()
  })

  it('keeps an order with an empty remark', () => {
    expect(applyCondition({ ...order('', [-1]), remark: null }, condition, opts)).toBeDefined()
  })
})

describe('clause operators', () => {
  const t = (logic: ConditionClause['logic'], value: string | undefined, v: unknown): boolean =>
    testClause({ field: 'f', logic, ...(value === undefined ? {} : { value }) }, v, opts)

  it('compares numeric strings and numbers as exact decimals', () => {
    expect(t('eq', '0.30', '0.3')).toBe(true)
    expect(t('eq', '0.3', 0.1 + 0.2)).toBe(false)
    expect(t('gt', '9', '10')).toBe(true)
    expect(t('egt', '10', 10)).toBe(true)
    expect(t('lt', '-0', -0.000001)).toBe(true)
    expect(t('elt', '5', '5.000')).toBe(true)
  })

  it('compares non-numeric values as text', () => {
    expect(t('gt', '2024-01-01', '2024-05-01 00:00:00')).toBe(true)
    expect(t('eq', 'Confirmed', 'Confirmed')).toBe(true)
    expect(t('neq', 'Confirmed', 'Archive')).toBe(true)
  })

  it('compares timestamp: values against wall-clock dates in the scheme time zone', () => {
    // 2024-05-01 00:35:12 in Asia/Shanghai is 1714494912.
    expect(t('egt', 'timestamp:1714494912', '2024-05-01 00:35:12')).toBe(true)
    expect(t('gt', 'timestamp:1714494912', '2024-05-01 00:35:12')).toBe(false)
    expect(t('lt', 'timestamp:1714494913', '2024-05-01 00:35:12')).toBe(true)
    expect(t('gt', 'timestamp:1714494911', 1714494912)).toBe(true)
    expect(
      testClause({ field: 'f', logic: 'egt', value: 'timestamp:1714494912' }, '2024-05-01 00:35:12', { tz: 'UTC' }),
    ).toBe(true)
    expect(
      testClause({ field: 'f', logic: 'lt', value: 'timestamp:1714494912' }, '2024-04-30 16:35:11', { tz: 'UTC' }),
    ).toBe(true)
    expect(t('gt', 'timestamp:1', 'not a date')).toBe(false)
  })

  it('treats like as substring containment and never as a pattern', () => {
    expect(t('like', '活动', '618活动款')).toBe(true)
    expect(t('like', '%', 'abc')).toBe(false)
    expect(t('notlike', '包材', undefined)).toBe(true)
  })

  it('checks between inclusively, with timestamp: on the whole value', () => {
    expect(t('between', '100,500', '100')).toBe(true)
    expect(t('between', '100,500', 500)).toBe(true)
    expect(t('between', '100,500', '500.01')).toBe(false)
    expect(t('between', 'timestamp:1714494900,1714494999', '2024-05-01 00:35:12')).toBe(true)
  })

  it('treats null, missing, empty strings and empty lists as null', () => {
    for (const v of [null, undefined, '', []]) {
      expect(t('isnull', undefined, v)).toBe(true)
      expect(t('notnull', undefined, v)).toBe(false)
    }
    expect(t('notnull', undefined, 0)).toBe(true)
  })

  it('supports the in/notin extension over comma lists', () => {
    expect(t('in', 'Confirmed, Archive', 'Archive')).toBe(true)
    expect(t('in', '1,2,3', 2)).toBe(true)
    expect(t('notin', '1,2,3', '4')).toBe(true)
  })

  it('never reads through __proto__ paths', () => {
    const doc = JSON.parse('{"io_id":1,"__proto__":{"polluted":"yes"}}') as Record<string, unknown>
    expect(applyCondition(doc, [[{ field: '__proto__.polluted', logic: 'eq', value: 'yes' }]], opts)).toBeDefined()
    expect(
      applyCondition({ io_id: 1 }, [[{ field: 'constructor.name', logic: 'eq', value: 'Object' }]], opts),
    ).toBeUndefined()
  })
})

describe('numbers against integer values', () => {
  it('decide every comparison as the same number written as a numeric string does', () => {
    // The string goes through exact decimals; the number may take the double shortcut. Values
    // next to the integer by one ulp, signed zeros and magnitudes past 2^53 must agree.
    const numbers = [0, -0, 0.1, -0.1, 1e-7, 5, 4.999999999999999, 5.000000000000001, -5, 1e15, 999999999999999]
    numbers.push(999999999999999.9, 2 ** 53, 2 ** 53 + 2, 1e300, -1e300, Number.MIN_VALUE)
    const values = ['0', '-0', '5', '-5', '999999999999999', '1000000000000000', '9007199254740993']
    const logics = ['gt', 'egt', 'lt', 'elt', 'eq', 'neq'] as const
    for (const n of numbers)
      for (const value of values)
        for (const logic of logics) {
          const clause: ConditionClause = { field: 'f', logic, value }
          expect(testClause(clause, n, opts), `${String(n)} ${logic} ${value}`).toBe(
            testClause(clause, String(n), opts),
          )
        }
  })
})
