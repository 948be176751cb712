import { describe, expect, it } from 'vitest'
import { evaluateValue, findFunction, listFunctions } from '../../src/expr/index.js'
import { ctx } from './helpers.js'

const REQUIRED = [
  'IF',
  'IFNULL',
  'COALESCE',
  'NULLIF',
  'CONCAT',
  'CONCAT_WS',
  'SUBSTRING',
  'LEFT',
  'RIGHT',
  'LENGTH',
  'CHAR_LENGTH',
  'LOCATE',
  'INSTR',
  'REPLACE',
  'TRIM',
  'UPPER',
  'LOWER',
  'LPAD',
  'RPAD',
  'ABS',
  'ROUND',
  'CEIL',
  'FLOOR',
  'TRUNCATE',
  'MOD',
  'FROM_UNIXTIME',
  'UNIX_TIMESTAMP',
  'DATE_FORMAT',
  'NOW',
  'CURDATE',
  'DATE_ADD',
  'DATE_SUB',
  'STR_TO_DATE',
  'SUM',
  'AVG',
  'MAX',
  'MIN',
  'COUNT',
]

describe('function registry', () => {
  it('registers every function of the recommended minimum (spec 5.4), case-insensitively', () => {
    for (const name of REQUIRED) {
      expect(findFunction(name), name).toBeDefined()
      expect(findFunction(name.toLowerCase())?.name, name).toBe(findFunction(name)!.name)
    }
  })

  it('gives every function a signature, a one-line description and at least one example', () => {
    for (const f of listFunctions()) {
      expect(f.signature, f.name).toMatch(/\(/)
      expect(f.description.length, f.name).toBeGreaterThan(10)
      expect(f.description, f.name).not.toMatch(/\n/)
      expect(f.examples.length, f.name).toBeGreaterThan(0)
    }
  })

  for (const f of listFunctions()) {
    for (const ex of f.examples) {
      it(`${f.name}: ${ex.value} → ${JSON.stringify(ex.result)}`, async () => {
        const c = ctx({
          record: ex.record ?? {},
          vars: ex.vars,
          ...(ex.now === undefined ? {} : { now: new Date(ex.now) }),
        })
        expect(await evaluateValue(ex.value, c)).toEqual(ex.result)
      })
    }
  }
})

describe('docs/expressions.md', () => {
  it('carries the function reference generated from the registry (regenerate: npx tsx src/expr/docs.ts --write)', async () => {
    const { readFileSync } = await import('node:fs')
    const { DOC_BEGIN, DOC_END, DOC_PATH, renderFunctionReference } = await import('../../src/expr/docs.js')
    const doc = readFileSync(DOC_PATH, 'utf8')
    expect(doc.slice(doc.indexOf(DOC_BEGIN), doc.indexOf(DOC_END) + DOC_END.length)).toBe(renderFunctionReference())
  })
})
