import { describe, expect, it } from 'vitest'
import { evaluateValue, parseValue, targets, type LookupProvider } from '../../src/expr/index.js'
import { Issues } from '../../src/scheme/issues.js'
import { checkValue } from '../../src/scheme/validate-fields.js'
import { mapTarget, type AdapterMetadata } from '../../src/scheme/index.js'

const rows = [
  { FNumber: 'M1', FStatus: 'C', FId: 101 },
  { FNumber: 'M1', FStatus: 'B', FId: 102 },
  { FNumber: 'M2', FStatus: 'A', FId: 201 },
]

/** Matches where-values as text, like the store does; records every query it got. */
function provider(seen: Record<string, unknown>[] = []): LookupProvider {
  return {
    find: (q) => {
      seen.push(q.where)
      const hit = rows.find((r) =>
        Object.entries(q.where).every(([k, v]) => String((r as Record<string, unknown>)[k]) === String(v)),
      )
      return Promise.resolve(hit === undefined ? undefined : (hit as Record<string, unknown>)[q.field])
    },
  }
}

const ctx = (record: Record<string, unknown>, lookups = provider()) => ({
  record,
  now: new Date('2024-01-01T00:00:00Z'),
  tz: 'Asia/Shanghai',
  lookups,
})

describe('_findCollection forms from live schemes', () => {
  it('finds with where field in (...) trying the listed values in order', async () => {
    const seen: Record<string, unknown>[] = []
    const v = await evaluateValue(
      "_findCollection find FId from m where FNumber={{n}} FStatus in ('A','B')",
      ctx({ n: 'M1' }, provider(seen)),
    )
    expect(v).toBe(102)
    expect(seen).toEqual([
      { FNumber: 'M1', FStatus: 'A' },
      { FNumber: 'M1', FStatus: 'B' },
    ])
  })

  it('gives null when no listed value matches', async () => {
    expect(await evaluateValue("_findCollection find FId from m where FStatus in ('X', 'Y')", ctx({}))).toBeNull()
  })

  it('compares a quoted where-value without its quotes', async () => {
    expect(await evaluateValue("_findCollection find FId from m where FStatus='A'", ctx({}))).toBe(201)
    expect(
      await evaluateValue('_findCollection find FId from m where FStatus="C" FNumber=\'{{n}}\'', ctx({ n: 'M1' })),
    ).toBe(101)
  })

  it('accepts IFNULL(_findCollection …, default) without _endFind when the lookup is a whole argument', async () => {
    expect(
      await evaluateValue(
        "_function IFNULL(_findCollection find FId from m where FNumber={{n}}, '0')",
        ctx({ n: 'M2' }),
      ),
    ).toBe(201)
    expect(
      await evaluateValue(
        "_function IFNULL(_findCollection find FId from m where FNumber={{n}}, '0')",
        ctx({ n: 'nope' }),
      ),
    ).toBe('0')
    expect(
      await evaluateValue("_function IFNULL(_findCollection find FId from m where FStatus in ('Z','A'), '0')", ctx({})),
    ).toBe(201)
  })

  it('warns with the rule name when a lookup relies on the implicit end, and not when _endFind is written', () => {
    const issues = new Issues()
    checkValue(
      issues,
      "_function IFNULL(_findCollection find FId from m where FNumber={{n}}, '0')",
      'target.metadata.request[0].value',
    )
    checkValue(
      issues,
      "_function IFNULL(_findCollection find FId from m where FNumber={{n}} _endFind, '0')",
      'target.metadata.request[1].value',
    )
    expect(issues.errors).toEqual([])
    expect(issues.warnings).toHaveLength(1)
    expect(issues.warnings[0]).toMatchObject({
      code: 'WARN_LOOKUP_IMPLICIT_END',
      path: 'target.metadata.request[0].value',
    })
    expect(issues.warnings[0]!.message).toContain('whole function argument')
  })

  it('lists the values of an in-list among the inputs', () => {
    expect(targets(parseValue("_findCollection find FId from m where FStatus in ('A',{{s}})"))).toEqual([
      'lookup:m#FId',
      's',
    ])
  })

  it('lists an in-list lookup as unresolved only when none of its values matched', async () => {
    const meta = {
      api: 'w',
      effect: 'EXECUTE',
      request: [
        { field: 'hit', value: "_findCollection find FId from m where FNumber={{n}} FStatus in ('A','B')" },
        { field: 'miss', value: "_findCollection find FId from m where FStatus in ('X','Y')" },
      ],
    } as AdapterMetadata
    const m = await mapTarget(meta, { n: 'M1' }, ctx({ n: 'M1' }))
    expect(m.payload).toEqual({ hit: 102 })
    expect(m.unresolved).toEqual([{ field: 'miss', collection: 'm', lookupField: 'FId', where: { FStatus: 'Y' } }])
  })
})
