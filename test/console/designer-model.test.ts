/**
 * The designer's model without a browser: which stage a validation problem lands on (by the JSON
 * paths the real validator answers), editing one stage's section leaves the rest of the document
 * untouched, lineage and completion at the caret.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { completionAt, functionAt, offsetOf, tokenize } from '../../console/src/designer/highlight.js'
import {
  edgeCount,
  fieldPaths,
  placeProblems,
  sectionOf,
  setFieldValue,
  STAGES,
  targetFields,
  withSection,
  type Doc,
} from '../../console/src/designer/model.js'
import { validateScheme } from '../../src/scheme/index.js'

const example = (): Doc =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../examples/jst-count-to-jdy-check-loss.json'), 'utf8')) as Doc

describe('the designer model', () => {
  it('puts each problem the validator finds on the stage its JSON path belongs to', () => {
    const doc = example() as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    doc.source.metadata.condition = [[{ field: 'remark', logic: 'almost', value: 'x' }]]
    doc.source.metadata.beatFlat = 5
    doc.target.metadata.request[0].value = '_function NO_SUCH_FN({{io_id}})'
    doc.target.quality = [{ rule: 'nope', path: 'bill_no' }]
    doc.schedule.timezone = 'Mars/Olympus'
    const r = validateScheme(doc)
    const placed = placeProblems(
      r.errors.map((e) => ({ ...e.toJSON() })),
      r.warnings,
    )
    const codes = (s: (typeof STAGES)[number]) => placed.byStage[s].map((p) => p.code)
    expect(codes('condition')).toContain('ERR_UNKNOWN_OPERATOR')
    expect(codes('reshape')).toContain('ERR_SCHEME_TYPE')
    expect(codes('mapping')).toContain('ERR_EXPR_UNKNOWN_FUNCTION')
    expect(placed.byStage.mapping[0]?.path).toBe('target.metadata.request[0].value')
    expect(codes('quality').length).toBeGreaterThan(0)
    expect(codes('source')).toEqual([])
    expect(placed.scheme.map((p) => p.path)).toContain('schedule.timezone')
  })

  it('edits one stage and keeps every other key of the document as it was', () => {
    const doc = example()
    for (const stage of STAGES) expect(withSection(doc, stage, sectionOf(doc, stage))).toEqual(doc)
    const cond = withSection(doc, 'condition', [[{ field: 'remark', logic: 'isnull' }]])
    expect((cond.source as Doc).metadata).toMatchObject({ condition: [[{ field: 'remark', logic: 'isnull' }]] })
    expect(withSection(cond, 'condition', sectionOf(doc, 'condition'))).toEqual(doc)
    const src = sectionOf(doc, 'source') as { metadata: Record<string, unknown> }
    expect(src.metadata.condition).toBeUndefined()
    const moved = withSection(doc, 'source', { ...src, metadata: { ...src.metadata, api: '/other' } })
    expect((moved.source as { metadata: Doc }).metadata).toMatchObject({ api: '/other', condition: expect.any(Array) })
  })

  it('lists target fields with the detail array their children read, and sets a child value in place', () => {
    const doc = example()
    const request = sectionOf(doc, 'mapping')
    const fields = targetFields(request)
    const child = fields.find((f) => f.field === 'qty')!
    expect(child.rowPath).toBe('items')
    expect(child.at).toHaveLength(2)
    const next = setFieldValue(request, child.at, '_function ABS({{items.qty}}) + 1')
    expect(targetFields(next).find((f) => f.field === 'qty')?.value).toBe('_function ABS({{items.qty}}) + 1')
    expect(targetFields(request).find((f) => f.field === 'qty')?.value).not.toContain('+ 1')
    expect(fieldPaths({ a: 1, items: [{ sku: 'x', n: { d: 2 } }] })).toEqual(['a', 'items.sku', 'items.n.d'])
  })

  it('completes fields inside {{ and functions in _function, and finds the function at the caret', () => {
    expect(completionAt('{{io_', 5)).toEqual({ kind: 'field', prefix: 'io_', from: 2 })
    expect(completionAt('{{io_id}} x', 11)).toBeUndefined()
    expect(completionAt('_function RO', 12)).toEqual({ kind: 'function', prefix: 'RO', from: 10 })
    expect(completionAt('plain RO', 8)).toBeUndefined()
    const known = (n: string) => ['ROUND', 'ABS'].includes(n.toUpperCase())
    expect(functionAt('_function ROUND(ABS({{x}}), 2)', 27, known)).toBe('ROUND')
    expect(functionAt('_function ROUND(ABS({{x}}), 2)', 21, known)).toBe('ABS')
    expect(offsetOf('ab\ncdef', '2:3')).toBe(5)
    expect(tokenize("_function ROUND({{x}}, 'a')", known).map((t) => t.kind)).toEqual([
      'kw',
      'text',
      'fn',
      'text',
      'field',
      'text',
      'str',
      'text',
    ])
  })

  it('reads the edge counts from a run’s counters, and nothing before they exist', () => {
    expect(edgeCount('source', {})).toBeUndefined()
    const c = { fetched: 10, kept: 7, inserted: 5, updated: 1, unchanged: 1, written: 5, alreadyExisted: 1, failed: 1 }
    expect(STAGES.map((s) => edgeCount(s, c))).toEqual([10, 7, 7, 7, 6, undefined])
  })
})
