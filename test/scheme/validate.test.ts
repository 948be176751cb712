import { readFileSync } from 'node:fs'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadSchemeFile, parseSchemeText, saveSchemeText, validateScheme } from '../../src/scheme/index.js'

const fixture = (name: string): string => new URL(`../fixtures/schemes/${name}`, import.meta.url).pathname
const example = (name: string): string => new URL(`../../examples/${name}`, import.meta.url).pathname

describe('broken schemes report the expected code at the expected path', () => {
  it.each([
    ['unknown-operator.json', 'ERR_UNKNOWN_OPERATOR', 'source.metadata.condition[0][1].logic'],
    ['effect-type-conflict.json', 'ERR_EFFECT_CONFLICT', 'source.metadata.type'],
    ['effect-wrong-side.json', 'ERR_EFFECT_SIDE', 'target.metadata.effect'],
    ['broken-function.json', 'ERR_EXPR_SYNTAX', 'target.metadata.request[1].children[0].value@1:28'],
    ['broken-lookup.json', 'ERR_EXPR_BAD_LOOKUP', 'target.metadata.request[1].children[1].value@1:25'],
    ['bad-crontab.json', 'ERR_BAD_CRONTAB', 'source.metadata.omissionRemedy.crontab'],
    ['bad-schedule-crontab.json', 'ERR_BAD_CRONTAB', 'schedule.source.crontab'],
    ['missing-id.json', 'ERR_SCHEME_MISSING_KEY', 'id'],
    ['missing-source-id.json', 'ERR_SCHEME_MISSING_KEY', 'source.metadata.id'],
    ['between-without-max.json', 'ERR_CONDITION_VALUE', 'source.metadata.condition[0][0].value'],
    ['unknown-accumulator.json', 'ERR_UNKNOWN_ACCUMULATOR', 'target.metadata.groupCalculate.calculate.details_num'],
    ['unknown-parser.json', 'ERR_UNKNOWN_PARSER', 'target.metadata.request[0].parser.name'],
    ['duplicate-field.json', 'ERR_DUPLICATE_FIELD', 'target.metadata.request[2].field'],
    ['bad-operation.json', 'ERR_SCHEME_VALUE', 'target.metadata.operation.method'],
    ['condition-not-nested.json', 'ERR_SCHEME_TYPE', 'source.metadata.condition[0]'],
    ['bad-timezone.yaml', 'ERR_BAD_TIMEZONE', 'schedule.timezone'],
    ['bad-syntax.json', 'ERR_SCHEME_SYNTAX', '4:40'],
    ['bad-syntax.yaml', 'ERR_SCHEME_SYNTAX', '5:14'],
  ])('%s → %s at %s', async (file, code, location) => {
    const r = await loadSchemeFile(fixture(file))
    expect(r.ok).toBe(false)
    expect(r.errors.map((e) => [e.code, e.location])).toContainEqual([code, location])
    for (const e of r.errors) expect(e.kind).toBe('config')
  })

  it('lists every error of a scheme with several problems, not only the first', async () => {
    const r = await loadSchemeFile(fixture('many-errors.json'))
    expect(r.errors.map((e) => `${e.code} ${e.location}`)).toEqual([
      'ERR_SCHEME_MISSING_KEY name',
      'ERR_UNKNOWN_OPERATOR source.metadata.condition[0][1].logic',
      'ERR_BAD_CRONTAB source.metadata.omissionRemedy.crontab',
      'ERR_EFFECT_SIDE target.metadata.effect',
    ])
  })

  it('reports both retry problems', async () => {
    const r = await loadSchemeFile(fixture('bad-retry.json'))
    expect(r.errors.map((e) => e.location)).toEqual(['retry.ladder[1]', 'retry.jitter'])
  })
})

describe('valid schemes', () => {
  it.each(['jst-count-to-jdy-check-loss.json', 'jdy-materials.json', 'jdy-stores.json'])(
    'examples/%s validates without errors or warnings',
    async (file) => {
      const r = await loadSchemeFile(example(file))
      expect(r.errors.map((e) => e.toLine())).toEqual([])
      expect(r.warnings).toEqual([])
    },
  )

  it('accepts unknown keys, merge, in and condition_bak with a warning at each path', async () => {
    const r = await loadSchemeFile(fixture('warnings-only.json'))
    expect(r.ok).toBe(true)
    expect(r.warnings.map((w) => `${w.code} ${w.path}`)).toEqual([
      'WARN_UNKNOWN_KEY owner',
      'WARN_UNKNOWN_KEY source.metadata.more',
      'WARN_UNKNOWN_KEY source.metadata.request[0].x_custom',
      'WARN_IGNORED source.metadata.condition_bak',
      'WARN_EXTENSION source.metadata.condition[1][0].logic',
      'WARN_UNCONFIRMED target.metadata.operation.method',
    ])
  })

  it('loads YAML with the older "type" spelling', async () => {
    const r = await loadSchemeFile(fixture('valid.yaml'))
    expect(r.errors).toEqual([])
    expect(r.scheme?.source.metadata.type).toBe('QUERY')
  })

  it('accepts a scheme without a target (a master-data scheme)', () => {
    const doc = JSON.parse(readFileSync(example('jdy-stores.json'), 'utf8'))
    expect(validateScheme(doc).ok).toBe(true)
    expect(doc.target).toBeUndefined()
  })

  it('rejects a document that is not an object', () => {
    expect(validateScheme([1, 2]).errors.map((e) => e.code)).toEqual(['ERR_SCHEME_TYPE'])
  })

  it('throws ERR_SCHEME_READ for a missing file', async () => {
    await expect(loadSchemeFile(join(tmpdir(), 'no-such-scheme-file.json'))).rejects.toMatchObject({
      code: 'ERR_SCHEME_READ',
      kind: 'user',
    })
  })
})

describe('round trip', () => {
  it('gives back every key, unknown ones included, on JSON load → save', async () => {
    const text = readFileSync(fixture('warnings-only.json'), 'utf8')
    const r = await loadSchemeFile(fixture('warnings-only.json'))
    expect(saveSchemeText(r.document, 'json')).toBe(text)
  })

  it('gives back every key on YAML load → save → load', async () => {
    const r = await loadSchemeFile(fixture('valid.yaml'))
    const again = parseSchemeText(saveSchemeText(r.document, 'yaml'), 'yaml')
    expect(again).toEqual(r.document)
    expect((again as { owner: string }).owner).toBe('ops-team')
    expect((again as { source: { metadata: { more: unknown } } }).source.metadata.more).toEqual({
      note: 'kept as it is',
    })
  })

  it('does not add defaults to the document it validated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-scheme-'))
    const file = join(dir, 's.json')
    const doc = { id: 'x', name: 'x', source: { connector: 'jushuitan', metadata: { api: '/a', id: 'io_id' } } }
    writeFileSync(file, JSON.stringify(doc))
    const r = await loadSchemeFile(file)
    expect(r.ok).toBe(true)
    expect(r.document).toEqual(doc)
  })
})

describe('hostile scheme files are reported, never executed or crashed on', () => {
  const withTarget = (request: unknown[]): unknown => ({
    id: 'h',
    name: 'h',
    source: { connector: 'jushuitan', metadata: { api: '/a', id: 'io_id' } },
    target: { connector: 'kingdee-jdy', metadata: { api: '/b', request } },
  })

  it('refuses children nested deeper than the limit instead of recursing without end', () => {
    let field: Record<string, unknown> = { field: 'leaf', value: '1' }
    for (let i = 0; i < 20; i++) field = { field: `f${i}`, type: 'object', children: [field] }
    const r = validateScheme(withTarget([field]))
    expect(r.errors.map((e) => e.code)).toEqual(['ERR_SCHEME_VALUE'])
    expect(r.errors[0]!.location).toMatch(/^target\.metadata\.request\[0\](\.children\[0\]){7}\.children$/)
  })

  it('refuses any nesting past the JSON depth limit with ERR_SCHEME_LIMIT before walking it', () => {
    let field: Record<string, unknown> = { field: 'leaf', value: '1' }
    for (let i = 0; i < 5000; i++) field = { field: `f${i}`, type: 'object', children: [field] }
    const r = validateScheme(withTarget([field]))
    expect(r.errors.map((e) => e.code)).toEqual(['ERR_SCHEME_LIMIT'])
    expect(r.errors[0]!.location).toMatch(/^target\.metadata\.request\[0\]\.children\[0\]/)
  })

  it('reports SELECT inside _function at the value path', () => {
    const r = validateScheme(withTarget([{ field: 'x', value: '_function SELECT 1' }]))
    expect(r.errors.map((e) => e.code)).toEqual(['ERR_EXPR_STATEMENT_NOT_ALLOWED'])
    expect(r.errors[0]!.location).toMatch(/^target\.metadata\.request\[0\]\.value@1:\d+$/)
  })

  it('reports a value longer than the expression limit', () => {
    const r = validateScheme(withTarget([{ field: 'x', value: `_function ${'1+'.repeat(40_000)}1` }]))
    expect(r.errors.map((e) => e.code)).toEqual(['ERR_EXPR_TOO_LARGE'])
  })

  it('keeps a __proto__ key as data with a warning, without touching Object.prototype', () => {
    const doc = parseSchemeText(
      '{"id":"p","name":"p","__proto__":{"polluted":true},"source":{"connector":"c","metadata":{"api":"/a","id":"io_id"}}}',
      'json',
    )
    const r = validateScheme(doc)
    expect(r.ok).toBe(true)
    expect(r.warnings.map((w) => w.path)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
