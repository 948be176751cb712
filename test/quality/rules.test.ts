import { describe, expect, it } from 'vitest'
import { compileQualityRules, QualityRun } from '../../src/quality/rules.js'

const compile = (raw: unknown) => {
  const r = compileQualityRules(raw)
  expect(r.problems.map((p) => p.message)).toEqual([])
  return r.rules
}

describe('data-quality rules', () => {
  it("parks with the rule's code and the concrete field path of the first failure", async () => {
    const run = new QualityRun(
      compile([
        { rule: 'required', path: 'bill_no' },
        { rule: 'type', path: 'material_entity[].qty', type: 'number' },
        { rule: 'range', path: 'material_entity[].qty', min: 0, max: 100 },
        { rule: 'allowed', path: 'operation_key', values: ['audit', 'save'] },
      ]),
    )
    expect(
      await run.check({ bill_no: 'A1', operation_key: 'audit', material_entity: [{ qty: 3 }, { qty: '5.5' }] }, ['r1']),
    ).toBeUndefined()
    const e = await run.check(
      { bill_no: 'A2', operation_key: 'audit', material_entity: [{ qty: 3 }, { qty: '100.01' }] },
      ['r2'],
    )
    expect(e).toMatchObject({ code: 'ERR_QUALITY_RANGE', kind: 'data', location: 'material_entity[1].qty' })
    expect(
      (await run.check({ bill_no: ' ', operation_key: 'delete', material_entity: [{ qty: 'x' }] }, ['r3']))?.code,
    ).toBe('ERR_QUALITY_REQUIRED')
    expect(run.summary().map((s) => [s.code, s.count])).toEqual([
      ['ERR_QUALITY_REQUIRED', 1],
      ['ERR_QUALITY_TYPE', 1],
      ['ERR_QUALITY_RANGE', 2],
      ['ERR_QUALITY_NOT_ALLOWED', 1],
    ])
  })

  it('compares decimals exactly in range rules (0.1 + 0.2 style values do not slip through)', async () => {
    const run = new QualityRun(compile([{ rule: 'range', path: 'x', max: 0.3 }]))
    expect(await run.check({ x: '0.30000000000000001' }, ['a'])).toMatchObject({ code: 'ERR_QUALITY_RANGE' })
    expect(await run.check({ x: '0.3' }, ['b'])).toBeUndefined()
  })

  it('finds duplicates within one run only', async () => {
    const rules = compile([{ rule: 'unique', path: 'bill_no' }])
    const run = new QualityRun(rules)
    expect(await run.check({ bill_no: 'B1' }, ['r1'])).toBeUndefined()
    expect(await run.check({ bill_no: 'B1' }, ['r1'])).toBeUndefined() // the same record again (a retry in the run) is not a duplicate
    const dup = await run.check({ bill_no: 'B1' }, ['r2'])
    expect(dup).toMatchObject({ code: 'ERR_QUALITY_DUPLICATE', location: 'bill_no' })
    expect(dup?.message).toContain('record r1')
    expect(await new QualityRun(rules).check({ bill_no: 'B1' }, ['r2'])).toBeUndefined()
  })

  it('resolves lookups through the collections and fails the ones that do not resolve', async () => {
    const materials = new Set(['M1', 'M2'])
    const run = new QualityRun(
      compile([{ rule: 'lookup', path: 'lines[].material_id', collection: 'jdy-materials', field: 'id' }]),
      {
        find: (q) =>
          Promise.resolve(
            q.collection === 'jdy-materials' && materials.has(String(q.where.id)) ? q.where.id : undefined,
          ),
      },
    )
    expect(await run.check({ lines: [{ material_id: 'M1' }, { material_id: 'M2' }] }, ['a'])).toBeUndefined()
    expect(await run.check({ lines: [{ material_id: 'M1' }, { material_id: 'M9' }] }, ['b'])).toMatchObject({
      code: 'ERR_QUALITY_LOOKUP',
      location: 'lines[1].material_id',
    })
  })

  it('matches regexes on a linear engine, so a catastrophic pattern on a long hostile value still ends', async () => {
    const run = new QualityRun(
      compile([
        { rule: 'regex', path: 'code', pattern: '^(a+)+$' },
        { rule: 'regex', path: 'sku', pattern: '^sku-\\d+$', flags: 'i' },
      ]),
    )
    expect(await run.check({ code: `${'a'.repeat(50_000)}!`, sku: 'SKU-1' }, ['x'])).toMatchObject({
      code: 'ERR_QUALITY_PATTERN',
      location: 'code',
    })
    expect(await run.check({ code: 'aaa', sku: 'sku-12' }, ['y'])).toBeUndefined()
  })

  it('refuses backreferences, lookarounds, over-long patterns and malformed rules when the scheme loads, with paths', () => {
    const { problems } = compileQualityRules([
      { rule: 'regex', path: 'a', pattern: '(x)\\1' },
      { rule: 'regex', path: 'a', pattern: '(?=x)y' },
      { rule: 'regex', path: 'a', pattern: 'x'.repeat(600) },
      { rule: 'range', path: 'a' },
      { rule: 'sometimes', path: 'a' },
      { rule: 'type', path: 'a', type: 'uuid' },
      { rule: 'required', path: 'a..b' },
    ])
    expect(problems.map((p) => [p.code, p.location])).toEqual([
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[0].pattern'],
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[1].pattern'],
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[2].pattern'],
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[3]'],
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[4].rule'],
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[5].type'],
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[6].path'],
    ])
  })

  it('keeps the first three examples per rule in the summary', async () => {
    const run = new QualityRun(compile([{ rule: 'allowed', path: 'k', values: ['a'], name: 'known kinds' }]))
    for (let i = 0; i < 5; i++) await run.check({ k: `v${i}` }, [`r${i}`])
    const [s] = run.summary()
    expect(s).toMatchObject({ rule: 'known kinds', code: 'ERR_QUALITY_NOT_ALLOWED', path: 'k', count: 5 })
    expect(s?.examples.map((e) => e.recordIds[0])).toEqual(['r0', 'r1', 'r2'])
  })
})

describe('quality rules in a scheme file', () => {
  it('are checked by scheme validation with their path, and `alerts`/`quality` are known keys', async () => {
    const { validateScheme } = await import('../../src/scheme/validate.js')
    const { readFileSync } = await import('node:fs')
    const doc = JSON.parse(
      readFileSync(new URL('../../examples/jst-count-to-jdy-check-loss.json', import.meta.url), 'utf8'),
    ) as Record<string, Record<string, unknown>>
    const good = validateScheme({
      ...doc,
      alerts: { rules: { freshness: { after: '1h' } } },
      target: { ...doc.target, quality: [{ rule: 'required', path: 'remark' }] },
    })
    expect(good.errors).toEqual([])
    expect(good.warnings.map((w) => w.path)).not.toContain('alerts')
    const bad = validateScheme({
      ...doc,
      target: { ...doc.target, quality: [{ rule: 'regex', path: 'bill_no', pattern: '(a)\\1' }] },
    })
    expect(bad.errors.map((e) => [e.code, e.location])).toEqual([
      ['ERR_QUALITY_RULE_INVALID', 'target.quality[0].pattern'],
    ])
  })
})
