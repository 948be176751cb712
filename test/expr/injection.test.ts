/**
 * Hostile record values and hostile expressions: rejected at parse time or treated as data;
 * nothing executes (there is nothing to execute: the interpreter has no SQL engine, eval or I/O).
 */
import { describe, expect, it } from 'vitest'
import { evaluateValue, parseValue } from '../../src/expr/index.js'
import { ctx, errorOf } from './helpers.js'

const HOSTILE_VALUES = [
  "x' OR '1'='1",
  "') OR 1=1 --",
  "'; DROP TABLE t; --",
  'sleep(10)',
  '{{secret}}',
  "\\'",
  '1); SELECT 1; (',
  '%_%',
  "'||'",
]

describe('hostile record values are data', () => {
  for (const remark of HOSTILE_VALUES) {
    it(`keeps ${JSON.stringify(remark)} as text inside a quoted template`, async () => {
      const c = ctx({ record: { remark, secret: 'app_secret_value' } })
      expect(await evaluateValue("_function CONCAT('[', '{{remark}}', ']')", c)).toBe(`[${remark}]`)
      expect(await evaluateValue("_function CASE '{{remark}}' WHEN 'x' THEN 'matched' ELSE 'no' END", c)).toBe('no')
      expect(await evaluateValue('{{remark}}', c)).toBe(remark)
    })
  }

  it('does not let an unquoted value that looks like an expression change the expression', async () => {
    expect(await evaluateValue('_function IFNULL({{qty}}, 0) + 1', ctx({ record: { qty: '1) OR (1=1' } }))).toBe(2)
  })

  it('reads __proto__, constructor and prototype paths as plain data or nothing', async () => {
    const record = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": {}}') as Record<string, unknown>
    expect(await evaluateValue('{{__proto__.polluted}}', ctx({ record }))).toBe('yes')
    expect(await evaluateValue('{{a.constructor}}', ctx({ record }))).toBeNull()
    expect(await evaluateValue('{{a.constructor.prototype}}', ctx({ record }))).toBeNull()
    expect(await evaluateValue('{{toString}}', ctx({ record }))).toBeNull()
    expect(
      await evaluateValue(
        "_function CONCAT('{{a.__proto__}}', '|', IFNULL({{a.hasOwnProperty}}, 'none'))",
        ctx({ record }),
      ),
    ).toBe('|none')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('treats a hostile LIKE pattern from a record as a pattern, in bounded time', async () => {
    const record = { s: 'a'.repeat(5000), p: '%a'.repeat(200) + 'b' }
    expect(await evaluateValue("_function '{{s}}' LIKE '{{p}}'", ctx({ record }))).toBe(0)
  })

  it('turns an oversized string result into NULL instead of exhausting memory', async () => {
    expect(await evaluateValue("_function REPEAT('x', 100000000)", ctx())).toBeNull()
    expect(await evaluateValue("_function LPAD('x', 100000000, 'y')", ctx())).toBeNull()
  })
})

describe('hostile expressions are rejected at parse time with a position', () => {
  const cases: [string, string, string][] = [
    ['_function SELECT 1', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:11'],
    ['_function (SELECT password FROM users)', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:12'],
    ['_function 1; DROP TABLE x', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:12'],
    ['_function 1 AS total', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:13'],
    ['_function 1 -- comment', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:13'],
    ['_function 1 /* c */', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:13'],
    ['_function 1 # c', 'ERR_EXPR_STATEMENT_NOT_ALLOWED', '1:13'],
    ['_function sleep(5)', 'ERR_EXPR_UNKNOWN_FUNCTION', '1:11'],
    ['_function BENCHMARK(1000000, MD5(1))', 'ERR_EXPR_UNKNOWN_FUNCTION', '1:11'],
    ["_function LOAD_FILE('/etc/passwd')", 'ERR_EXPR_UNKNOWN_FUNCTION', '1:11'],
    ['_function @@version', 'ERR_EXPR_SYNTAX', '1:11'],
    ['_function `users`', 'ERR_EXPR_BARE_COLUMN', '1:11'],
    ['_function constructor', 'ERR_EXPR_BARE_COLUMN', '1:11'],
    ['_function abs(1\n  + )', 'ERR_EXPR_SYNTAX', '2:5'],
  ]
  for (const [value, code, location] of cases) {
    it(`rejects ${JSON.stringify(value)} with ${code} at ${location}`, async () => {
      expect(await errorOf(() => parseValue(value))).toMatchObject({ code, kind: 'config', location })
    })
  }

  it('rejects very long input and very deep nesting without overflowing the stack', async () => {
    expect((await errorOf(() => parseValue('_function ' + '1+'.repeat(40000) + '1'))).code).toBe('ERR_EXPR_TOO_LARGE')
    expect((await errorOf(() => parseValue('_function ' + '('.repeat(5000) + '1' + ')'.repeat(5000)))).code).toBe(
      'ERR_EXPR_TOO_LARGE',
    )
    expect((await errorOf(() => parseValue('_function ' + '-'.repeat(5000) + '1'))).code).toBe('ERR_EXPR_TOO_LARGE')
    expect((await errorOf(() => parseValue('x'.repeat(70000)))).code).toBe('ERR_EXPR_TOO_LARGE')
  })

  it('evaluates a long but legal expression and rejects an over-long operator chain', async () => {
    expect(await evaluateValue('_function ' + Array.from({ length: 200 }, () => '0.001').join('+'), ctx())).toBe(0.2)
    expect(
      (await errorOf(() => parseValue('_function ' + Array.from({ length: 2000 }, () => '0.001').join('+')))).code,
    ).toBe('ERR_EXPR_TOO_LARGE')
  })
})

describe('fuzzed input never crashes', () => {
  const PIECES = [
    '_function ',
    '_findCollection ',
    'find ',
    'from ',
    'where ',
    'a=',
    '{{',
    '}}',
    '{',
    '}',
    '|datetime',
    "'",
    '"',
    '\\',
    '(',
    ')',
    ',',
    'CASE ',
    'WHEN ',
    'THEN ',
    'ELSE ',
    'END ',
    'IN ',
    'NOT ',
    'BETWEEN ',
    'AND ',
    'LIKE ',
    'IS ',
    'NULL',
    'abs',
    'ROUND',
    'CONCAT',
    'DATE_ADD',
    'INTERVAL ',
    'DAY ',
    'CAST',
    ' AS ',
    'DECIMAL',
    '1',
    '0.5',
    '-',
    '+',
    '*',
    '/',
    '%',
    'DIV ',
    '=',
    '<=>',
    '<',
    '>',
    '!',
    '.',
    'x',
    'items.qty',
    '_endFind ',
    ' ',
    '\n',
    '中',
    '__proto__',
    ';',
    '#',
    '`',
    '@',
    '1e5',
    '99999999999999999999999',
  ]

  it('turns 3000 random token soups into values or coded config errors, and evaluation into values or coded errors', async () => {
    const { rng } = await import('./helpers.js')
    const r = rng(99)
    const record = { x: "'; --", items: [{ qty: -1 }, { qty: 2 }], a: 1 }
    for (let i = 0; i < 3000; i++) {
      const text = Array.from(
        { length: 1 + Math.floor(r() * 14) },
        () => PIECES[Math.floor(r() * PIECES.length)]!,
      ).join('')
      let node
      try {
        node = parseValue(text)
      } catch (e) {
        expect((e as { code?: string }).code, `${JSON.stringify(text)} threw ${String(e)}`).toMatch(/^ERR_EXPR_/)
        continue
      }
      try {
        const { evaluate } = await import('../../src/expr/index.js')
        await evaluate(node, ctx({ record, lookups: { find: () => Promise.resolve(null) } }))
      } catch (e) {
        expect((e as { code?: string }).code, `${JSON.stringify(text)} threw ${String(e)}`).toMatch(/^ERR_EXPR_/)
      }
    }
  })
})
