import { describe, expect, it } from 'vitest'
import { compareGeneric, compareJdyBill, chinaDate, stripTag } from '../../src/proof/views.js'
import { reconcile, type ReconcileTargetView } from '../../src/proof/reconcile.js'
import type { EngineScheme } from '../../src/engine/ports.js'
import type { SourceRuntime } from '../../src/connectors/contract.js'

const line = (qty: unknown, material = 'M1') => ({ material_id: material, stock_id: 'S1', unit_id: 'U1', qty })
const bill = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
  bill_no: 'B1',
  bill_date: '2026-11-20',
  remark: '盘点',
  material_entity: lines,
  ...extra,
})

describe('comparing an expected JDY bill with the stored one', () => {
  it('treats equal decimals written differently as equal and never compares binary floats', () => {
    expect(compareJdyBill(bill([line('1.10')]), bill([line(1.1)], { remark: '盘点 [ext:B1]' }), 'B1')).toEqual([])
    // 0.1 + 0.2 as a float is 0.30000000000000004: a float comparison would call this a mismatch.
    expect(compareJdyBill(bill([line('0.3')]), bill([line('0.1'), line('0.2')]), 'B1')).toEqual([])
    expect(compareJdyBill(bill([line('0.3')]), bill([line(0.30000000000000004)]), 'B1')).toEqual([
      'entry M1/S1/U1: qty 0.3 expected, target has 0.30000000000000004',
    ])
  })

  it('names a changed quantity, a missing entry, an extra entry, the date and the remark', () => {
    const diffs = compareJdyBill(
      bill([line(2), line(5, 'M2')]),
      bill([line(3), line(1, 'M3')], { bill_date: '2026-11-21', remark: 'edited [ext:B1]' }),
      'B1',
    )
    expect(diffs).toEqual([
      'bill_date 2026-11-20 expected, target has 2026-11-21',
      'remark "盘点" expected, target has "edited"',
      'entry M1/S1/U1: qty 2 expected, target has 3',
      'entry M2/S1/U1: qty 5 expected, target has (none)',
      'entry M3/S1/U1: qty (none) expected, target has 1',
    ])
  })

  it('reports a bill left unaudited when the payload asks for audit (a refused bulk audit stays visible)', () => {
    expect(
      compareJdyBill(bill([line(1)], { operation_key: 'audit' }), bill([line(1)], { bill_status: 'Z' }), 'B1'),
    ).toEqual(['bill_status Z (unaudited) but the payload asks for audit'])
    expect(
      compareJdyBill(bill([line(1)], { operation_key: 'audit' }), bill([line(1)], { bill_status: 'C' }), 'B1'),
    ).toEqual([])
    expect(compareJdyBill(bill([line(1)]), bill([line(1)], { bill_status: 'Z' }), 'B1')).toEqual([])
  })

  it('says when entries cannot be compared instead of calling them equal', () => {
    expect(compareJdyBill(bill([line('abc')]), bill([line(1)]), 'B1')).toEqual([
      expect.stringContaining('cannot be compared'),
    ])
  })

  it('compares other targets field by field, numbers as decimals', () => {
    expect(compareGeneric({ a: '1.50', b: [{ c: 'x' }] }, { a: 1.5, b: [{ c: 'x' }], extra: 1 })).toEqual([])
    expect(compareGeneric({ a: '1.50', b: [{ c: 'x' }] }, { a: 1.6, b: [] })).toEqual([
      'a: 1.5 expected, target has 1.6',
      'b: 1 entries expected, target has 0',
    ])
  })

  it('strips only the connector tag of this key from the remark and dates bills in China time', () => {
    expect(stripTag('note [ext:B1]', 'B1')).toBe('note')
    expect(stripTag('note [ext:B2]', 'B1')).toBe('note [ext:B2]')
    expect(chinaDate(new Date('2026-11-20T16:30:00Z'))).toBe('2026-11-21')
  })
})

describe('reconcile retries a throttled detail lookup', () => {
  it('waits as asked and carries on instead of aborting the whole reconcile', async () => {
    const waits: number[] = []
    let calls = 0
    const scheme = {
      id: 's',
      name: 's',
      schedule: {},
      source: {
        connection: 'c',
        api: 'q',
        idCheck: true,
        renderRequest: () => Promise.resolve({}),
        toRecords: (docs: readonly Record<string, unknown>[]) =>
          docs.map((d) => ({ id: String(d.id), number: String(d.id), content: d })),
      },
      target: {
        connection: 't',
        api: 'w',
        businessKeyField: 'bill_no',
        quality: { required: [], positive: [] },
        plan: (rs: readonly { id: string; content: Record<string, unknown> }[]) =>
          rs.map((r) => ({ recordIds: [r.id], input: r.content })),
        map: (u: { input: Record<string, unknown> }) =>
          Promise.resolve({ payload: { bill_no: u.input.id, qty: u.input.qty }, unresolved: [] }),
      },
    } as unknown as EngineScheme
    const source: SourceRuntime = {
      planWindows: (_a, from, to) => [{ start: from, end: to }],
      async *read() {
        await Promise.resolve()
        yield { rows: [{ id: 'K1', qty: '2' }], pageIndex: 0, hasNext: false }
      },
    }
    const target: ReconcileTargetView = {
      get() {
        calls++
        if (calls === 1)
          return Promise.reject(
            Object.assign(new Error('throttled'), {
              code: 'ERR_X_RATE',
              kind: 'rate_limited',
              details: { retryAfterMs: 1234 },
            }),
          )
        return Promise.resolve({ exists: true, targetId: 'T1', document: { bill_no: 'K1', qty: 2 } })
      },
      async *list() {
        await Promise.resolve()
        yield { key: 'K1', id: 'T1' }
      },
      compare: (e, s) => compareGeneric(e, s),
    }
    const r = await reconcile({
      scheme,
      source,
      target,
      from: new Date(0),
      to: new Date(1000),
      now: new Date(),
      sleep: (ms) => {
        waits.push(ms)
        return Promise.resolve()
      },
    })
    expect(waits).toEqual([1234])
    expect(r.findings).toEqual([])
    expect(r.counts.matched).toBe(1)
  })

  it('refuses an empty or reversed range with a coded user error', async () => {
    const never = {} as never
    await expect(
      reconcile({ scheme: never, source: never, target: never, from: new Date(5), to: new Date(5), now: new Date() }),
    ).rejects.toMatchObject({ code: 'ERR_RECONCILE_RANGE', kind: 'user' })
  })
})
