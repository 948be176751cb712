import { describe, expect, it } from 'vitest'
import { evaluate, evaluateValue, inputs, parseValue, targets } from '../../src/expr/index.js'
import { arrayLookupProvider } from '../../src/expr/memory-lookup.js'
import { ctx, errorOf } from './helpers.js'

describe('value classification (spec 5.1)', () => {
  it('classifies literal, template, _function, _findCollection and bare array key', () => {
    expect(parseValue('audit').kind).toBe('Literal')
    expect(parseValue('{{io_id}}').kind).toBe('Template')
    expect(parseValue('{io_date}').kind).toBe('Template')
    expect(parseValue('_function 1').kind).toBe('Function')
    expect(parseValue('_findCollection find id from c where k=v').kind).toBe('Lookup')
    expect(parseValue('items', { arrayField: true }).kind).toBe('ArrayKey')
    expect(parseValue('items').kind).toBe('Literal')
  })

  it('returns frozen nodes and the same node for the same text', () => {
    const a = parseValue('_function abs({{qty}}) + 1')
    expect(parseValue('_function abs({{qty}}) + 1')).toBe(a)
    expect(Object.isFrozen(a)).toBe(true)
    expect(a.kind === 'Function' && Object.isFrozen(a.body)).toBe(true)
  })

  it('keeps the type of a value that is exactly one reference, and joins text otherwise', async () => {
    const c = ctx({ record: { n: 5, items: [{ q: 1 }, { q: 2 }], o: { a: 1 } } })
    expect(await evaluateValue('{{n}}', c)).toBe(5)
    expect(await evaluateValue('{{items}}', c)).toEqual([{ q: 1 }, { q: 2 }])
    expect(await evaluateValue('n={{n}};q={{items.q}};o={{o}}', c)).toBe('n=5;q=1,2;o={"a":1}')
    expect(await evaluateValue('{{missing}}', c)).toBeNull()
  })

  it('accepts filter names in any case and the markdown-damaged space form', async () => {
    const c = ctx({ vars: { LAST_SYNC_TIME: 1704067200 } })
    for (const v of [
      '{{LAST_SYNC_TIME|DateTime}}',
      '{{LAST_SYNC_TIME datetime}}',
      '{LAST_SYNC_TIME|datetime}',
      '{{ LAST_SYNC_TIME | datetime }}',
    ]) {
      expect(await evaluateValue(v, c), v).toBe('2024-01-01 08:00:00')
    }
  })

  it('keeps single-brace text that is not a reference (JSON, prose) as it is', async () => {
    expect(await evaluateValue('{"a": 1} and {not a path}', ctx())).toBe('{"a": 1} and {not a path}')
  })

  it('reports template and function errors with line:column', async () => {
    expect(await errorOf(() => parseValue('x {{io_id'))).toMatchObject({ code: 'ERR_EXPR_SYNTAX', location: '1:3' })
    expect(await errorOf(() => parseValue('{{a b c}}'))).toMatchObject({ code: 'ERR_EXPR_SYNTAX', location: '1:1' })
    expect(await errorOf(() => parseValue('_function'))).toMatchObject({ code: 'ERR_EXPR_SYNTAX', location: '1:10' })
    expect(await errorOf(() => parseValue("_function CASE 1\nWHEN 1 THEN 'a'\nELSE"))).toMatchObject({
      code: 'ERR_EXPR_SYNTAX',
      location: '3:5',
    })
    expect(await errorOf(() => parseValue('_function ROUND()'))).toMatchObject({
      code: 'ERR_EXPR_ARITY',
      location: '1:11',
    })
    expect(await errorOf(() => parseValue("_function 'open"))).toMatchObject({
      code: 'ERR_EXPR_SYNTAX',
      location: '1:11',
    })
    expect(await errorOf(() => parseValue('_findCollection find id frm c where a=1'))).toMatchObject({
      code: 'ERR_EXPR_BAD_LOOKUP',
      location: '1:25',
    })
    // Without _endFind only a lookup that is a whole function argument is accepted (see lookup-forms.test.ts).
    expect(await errorOf(() => parseValue('_function 1 + _findCollection find id from c where a=1'))).toMatchObject({
      code: 'ERR_EXPR_BAD_LOOKUP',
      location: '1:15',
    })
    expect(await errorOf(() => parseValue('_function IFNULL(_findCollection find id from c where a=1'))).toMatchObject({
      code: 'ERR_EXPR_BAD_LOOKUP',
      location: '1:18',
    })
  })

  it('parses MySQL operator precedence', async () => {
    expect(await evaluateValue('_function 1 + 2 * 3', ctx())).toBe(7)
    expect(await evaluateValue('_function NOT 1 = 2', ctx())).toBe(1)
    expect(await evaluateValue('_function 1 OR 0 AND 0', ctx())).toBe(1)
    expect(await evaluateValue('_function -2 * -3', ctx())).toBe(6)
    expect(await evaluateValue('_function 5 NOT BETWEEN 1 AND 4', ctx())).toBe(1)
    expect(await evaluateValue("_function 'abc' NOT LIKE 'a%'", ctx())).toBe(0)
    expect(await evaluateValue('_function 3 NOT IN (1, 2)', ctx())).toBe(1)
    expect(await evaluateValue('_function NULL IS NULL AND 1 IS NOT NULL', ctx())).toBe(1)
  })
})

describe('child context paths (spec 4.2)', () => {
  const record = {
    io_id: 'PD1',
    wh_id: 'WH1',
    items: [
      { sku_id: 'A', qty: -2 },
      { sku_id: 'B', qty: 5 },
    ],
  }

  it('reads array.field and bare field from the current row, and header fields from the record', async () => {
    const c = ctx({ record, row: record.items[1]!, rowPath: 'items' })
    expect(await evaluateValue('{{items.sku_id}}', c)).toBe('B')
    expect(await evaluateValue('{{sku_id}}', c)).toBe('B')
    expect(await evaluateValue('{{io_id}}-{{items.qty}}', c)).toBe('PD1-5')
  })

  it('reads every row as a list from header context', async () => {
    expect(await evaluateValue('{{items.sku_id}}', ctx({ record }))).toEqual(['A', 'B'])
    expect(await evaluateValue('{{items.0.sku_id}}', ctx({ record }))).toBe('A')
  })

  it('refuses a detail array where one value is expected, with a data error', async () => {
    expect(await errorOf(() => evaluateValue('_function abs({{items.qty}})', ctx({ record })))).toMatchObject({
      code: 'ERR_EXPR_EVALUATION',
      kind: 'data',
      location: '1:15',
    })
  })

  it('gives the array for a bare array key and null when it is missing', async () => {
    expect(await evaluate(parseValue('items', { arrayField: true }), ctx({ record }))).toEqual(record.items)
    expect(await evaluate(parseValue('lines', { arrayField: true }), ctx({ record }))).toBeNull()
  })
})

describe('variables and lookups', () => {
  it('fails with a config error when LAST_SYNC_TIME is not set, and lets vars win over record fields', async () => {
    expect(await errorOf(() => evaluateValue('{{LAST_SYNC_TIME}}', ctx()))).toMatchObject({
      code: 'ERR_EXPR_VARIABLE_UNSET',
      kind: 'config',
    })
    expect(
      await evaluateValue(
        '{{PAGINATION_PAGE_SIZE}}',
        ctx({ vars: { PAGINATION_PAGE_SIZE: 50 }, record: { PAGINATION_PAGE_SIZE: 1 } }),
      ),
    ).toBe(50)
  })

  it('fails a lookup with a config error when no lookup store is given', async () => {
    expect(await errorOf(() => evaluateValue('_findCollection find id from c where a=1', ctx()))).toMatchObject({
      code: 'ERR_EXPR_NO_LOOKUP_PROVIDER',
      kind: 'config',
    })
  })

  it('passes typed where-values and splits conditions only before key=', async () => {
    const seen: unknown[] = []
    const lookups = {
      find: (q: unknown) => {
        seen.push(q)
        return Promise.resolve('id-1')
      },
    }
    await evaluateValue(
      '_findCollection find id from coll where name={{n}} and more code={{c}}',
      ctx({ record: { n: 'X', c: 7 }, lookups }),
    )
    expect(seen).toEqual([{ collection: 'coll', field: 'id', where: { name: 'X and more', code: 7 } }])
  })

  it('lets IFNULL supply a default when an embedded lookup finds nothing', async () => {
    const lookups = arrayLookupProvider({ c: [] })
    expect(
      await evaluateValue(
        "_function IFNULL(_findCollection find id from c where k={{k}} _endFind, 'none')",
        ctx({ record: { k: 1 }, lookups }),
      ),
    ).toBe('none')
  })
})

describe('targets', () => {
  it('lists record paths, variables and lookups an expression reads, without duplicates', () => {
    expect(targets(parseValue('{{LAST_SYNC_TIME|datetime}}'))).toEqual(['var:LAST_SYNC_TIME'])
    expect(
      targets(parseValue("_function IF({{a.b}} > 0, CONCAT('{{c}}', {{a.b}}), DATE_ADD({{d}}, INTERVAL {{n}} DAY))")),
    ).toEqual(['a.b', 'c', 'd', 'n'])
    expect(targets(parseValue('_function SUM({{items.qty}}) BETWEEN {{lo}} AND {{hi}}'))).toEqual([
      'items.qty',
      'lo',
      'hi',
    ])
    expect(targets(parseValue('items', { arrayField: true }))).toEqual(['items'])
    expect(targets(parseValue('audit'))).toEqual([])
    expect(inputs(parseValue('_findCollection find id from m where number={{items.sku_id}}'))).toEqual([
      { kind: 'lookup', collection: 'm', field: 'id' },
      { kind: 'path', path: 'items.sku_id' },
    ])
  })
})

describe('compat mode (platform text substitution)', () => {
  it('returns the substituted text when the expression fails, and fails with a data error by default', async () => {
    const record = { a: 1, b: 0, remark: "it's" }
    expect(await evaluateValue('_function {{a}}/{{b}}', ctx({ record, compat: true }))).toBe('_function 1/0')
    expect(await evaluateValue('_function {{a}}/{{b}}', ctx({ record }))).toBeNull()
    expect(await evaluateValue("_function CONCAT('{{remark}}')", ctx({ record, compat: true }))).toBe(
      "_function CONCAT('it's')",
    )
    expect(await evaluateValue("_function CONCAT('{{remark}}')", ctx({ record }))).toBe("it's")
    expect(
      await errorOf(() =>
        evaluateValue(
          '_function DATE_ADD({{a}}, INTERVAL 1 DAY) + {{items.x}}',
          ctx({ record: { a: 1, items: [{ x: 1 }] } }),
        ),
      ),
    ).toMatchObject({ code: 'ERR_EXPR_EVALUATION', kind: 'data' })
  })

  it('evaluates spliced text like the platform, including lists spliced into aggregates', async () => {
    const record = { qty: '-3', items: [{ q: 1 }, { q: 2.5 }] }
    expect(await evaluateValue('_function abs({{qty}})', ctx({ record, compat: true }))).toBe(3)
    expect(await evaluateValue('_function sum({{items.q}})', ctx({ record, compat: true }))).toBe(3.5)
  })

  it('splices embedded lookup results as raw text', async () => {
    const lookups = arrayLookupProvider({ c: [{ k: 'a', v: 41 }] })
    expect(
      await evaluateValue(
        '_function _findCollection find v from c where k={{k}} _endFind + 1',
        ctx({ record: { k: 'a' }, lookups, compat: true }),
      ),
    ).toBe(42)
  })
})
