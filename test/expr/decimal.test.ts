/** Decimal arithmetic as MySQL does it on exact values: no binary float drift, MySQL scales, NULL rules. */
import { Decimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { evaluateValue } from '../../src/expr/index.js'
import { ctx, rng } from './helpers.js'

const TABLE: [string, unknown][] = [
  ['0.1+0.2', 0.3],
  ['0.1*3', 0.3],
  ['1.10+2.20', 3.3],
  ['CONCAT(1.10+2.20)', '3.30'],
  ['CONCAT(1.5*2)', '3.0'],
  ['CONCAT(2/3)', '0.6667'],
  ['CONCAT(1.0/3)', '0.33333'],
  ['CONCAT((1/3)*3)', '1.0000'],
  ['10/4', 2.5],
  ['1/0', null],
  ['5 DIV 0', null],
  ['MOD(5, 0)', null],
  ['7 DIV 2', 3],
  ['-7 DIV 2', -3],
  ['-7 % 3', -1],
  ['NULL + 1', null],
  ["'12abc' + 1", 13],
  ["'abc' + 1", 1],
  ["'0.1' + '0.2'", 0.3],
  ['-0.0', 0],
  ['ROUND(-1.005, 2)', -1.01],
  ['ROUND(2.5)', 3],
  ['ROUND(-2.5)', -3],
  ['CONCAT(ROUND(1.5, 3))', '1.500'],
  ['TRUNCATE(-1.999, 2)', -1.99],
  ['CAST(12.5 AS SIGNED)', 13],
  ["CAST('12.5' AS SIGNED)", 12],
  ["CAST('3.14159' AS DECIMAL(10,2))", 3.14],
  ['CAST(123456 AS DECIMAL(4,1))', 999.9],
  ['12345678901234567890.12 + 1', '12345678901234567891.12'],
  ['99999999999999999999 * 99999999999999999999', '9999999999999999999800000000000000000001'],
]

describe('decimal arithmetic table', () => {
  for (const [expr, expected] of TABLE) {
    it(`${expr} → ${JSON.stringify(expected)}`, async () => {
      expect(await evaluateValue(`_function ${expr}`, ctx())).toEqual(expected)
    })
  }
})

function randomDecimal(r: () => number): string {
  const whole = Math.floor(r() * 100000) * (r() < 0.3 ? -1 : 1)
  const scale = Math.floor(r() * 4)
  const frac = scale === 0 ? '' : '.' + String(Math.floor(r() * 10 ** scale)).padStart(scale, '0')
  return `${whole}${frac}`
}

/** The JSON contract: a number when the decimal round-trips through a JS number, else the exact digits as a string. */
function exact(result: unknown, expected: Decimal, label: string): void {
  const n = expected.toNumber()
  if (new Decimal(n).eq(expected)) expect(result, label).toBe(n)
  else expect(result, label).toBe(expected.toFixed())
}

describe('decimal arithmetic properties (seeded)', () => {
  it('adds, subtracts and multiplies record values exactly as decimal.js does', async () => {
    const r = rng(20241128)
    for (let i = 0; i < 200; i++) {
      const [a, b] = [randomDecimal(r), randomDecimal(r)]
      const c = ctx({ record: { a, b } })
      exact(await evaluateValue('_function {{a}} + {{b}}', c), new Decimal(a).plus(b), `${a}+${b}`)
      exact(await evaluateValue('_function {{a}} - {{b}}', c), new Decimal(a).minus(b), `${a}-${b}`)
      exact(await evaluateValue('_function {{a}} * {{b}}', c), new Decimal(a).times(b), `${a}*${b}`)
    }
  })

  it('sums n copies of 0.1 to exactly n/10 over a detail array', async () => {
    for (const n of [1, 3, 10, 33, 100]) {
      const items = Array.from({ length: n }, () => ({ amount: 0.1 }))
      expect(await evaluateValue('_function SUM({{items.amount}})', ctx({ record: { items } }))).toBe(n / 10)
    }
  })

  it('gets back the original amount after (a + b) - b', async () => {
    const r = rng(7)
    for (let i = 0; i < 100; i++) {
      const [a, b] = [randomDecimal(r), randomDecimal(r)]
      expect(await evaluateValue('_function ({{a}} + {{b}}) - {{b}}', ctx({ record: { a, b } }))).toBe(Number(a))
    }
  })
})
