/**
 * The corpus: real-shaped scheme files for systems Ferry has no connector for (旺店通, 金蝶云星空,
 * 吉客云, 钉钉宜搭, 每刻, 易快报, 畅捷通), written from the platform's published examples. Each one
 * validates and runs its mapping through `ferry preview --input` (the stub source); the previews
 * are compared with reviewed goldens and the dialect items each file covers are asserted by name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.js'
import { loadSchemeFile } from '../../src/scheme/index.js'

const CORPUS = new URL('../fixtures/corpus/', import.meta.url).pathname
const NOW = '2024-01-05T00:00:00Z'
const names = readdirSync(CORPUS)
  .filter((n) => existsSync(join(CORPUS, n, 'scheme.json')))
  .sort()

interface Item {
  id: string
  number: string
  payload?: Record<string, unknown>
  problems: { code: string; location?: string }[]
}

async function preview(name: string): Promise<{ code: number; items: Item[] }> {
  const dir = join(CORPUS, name)
  let out = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  process.exitCode = undefined
  try {
    const lookups = existsSync(join(dir, 'lookups.json')) ? ['--lookups', join(dir, 'lookups.json')] : []
    const code = await main([
      'node',
      'ferry',
      'preview',
      join(dir, 'scheme.json'),
      '--input',
      join(dir, 'input.json'),
      ...lookups,
      '--now',
      NOW,
      '--json',
    ])
    return { code, items: JSON.parse(out) as Item[] }
  } finally {
    o.mockRestore()
    e.mockRestore()
    process.exitCode = undefined
  }
}

const byId = (items: Item[], id: string): Item => {
  const it = items.find((i) => i.id === id)
  if (it === undefined) throw new Error(`no preview item ${id}`)
  return it
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('scheme corpus', () => {
  it('holds the five real-shaped schemes', () => {
    expect(names).toEqual([
      'ekuaibao-to-k3cloud-payable',
      'jky-trade-to-yida-form',
      'k3cloud-customer-to-jky',
      'maycur-expense-to-chanjet-voucher',
      'wdt-purchase-to-k3cloud-batch',
    ])
  })

  it.each(names)('%s validates and previews exactly as its reviewed golden', async (name) => {
    const loaded = await loadSchemeFile(join(CORPUS, name, 'scheme.json'))
    expect(loaded.errors.map((e) => e.toLine())).toEqual([])
    const { code, items } = await preview(name)
    expect(code).toBe(0)
    expect(items).toEqual(JSON.parse(readFileSync(join(CORPUS, name, 'expected.json'), 'utf8')))
  })

  it('wraps 星空 base-data fields with ConvertObjectParser although the field is typed string', async () => {
    const { items } = await preview('wdt-purchase-to-k3cloud-batch')
    expect(byId(items, '90001').payload).toMatchObject({
      FBillTypeID: { FNumber: 'RKD01_SYS' },
      FSupplierId: { FNumber: 'GYS001' },
      FInStockEntry: [
        { FMaterialId: { FNumber: 'SKU-A' }, FStockId: { FNumber: 'CK001' }, FRealQty: 5, FTaxPrice: 12.35 },
      ],
    })
  })

  it("compares a quoted where-value without its quotes, so a forbidden stock (FForbidStatus='A' fails) is a missing lookup", async () => {
    const { items } = await preview('wdt-purchase-to-k3cloud-batch')
    expect(byId(items, '90003').problems.map((p) => [p.code, p.location])).toEqual([
      ['ERR_LOOKUP_MISSING', 'FInStockEntry[0].FStockId'],
    ])
  })

  it('finds with where field in (...) taking the first listed status that matches', async () => {
    const { items } = await preview('jky-trade-to-yida-form')
    expect(byId(items, 'T1').payload?.textField_org).toBe('ORG-100')
    expect(byId(items, 'T2').payload?.textField_org).toBe('ORG-200')
  })

  it('evaluates IFNULL(_findCollection …, default) without _endFind, warning with the rule', async () => {
    const loaded = await loadSchemeFile(join(CORPUS, 'jky-trade-to-yida-form', 'scheme.json'))
    expect(loaded.warnings.map((w) => [w.code, w.path])).toEqual([
      ['WARN_LOOKUP_IMPLICIT_END', 'target.metadata.request[4].value'],
    ])
    const { items } = await preview('jky-trade-to-yida-form')
    expect(byId(items, 'T1').payload?.numberField_dept).toBe(3001)
    expect(byId(items, 'T2').payload?.numberField_dept).toBe('0')
  })

  it('nests a 宜搭 phone widget with ConvertTwoStageObjectParser', async () => {
    const { items } = await preview('jky-trade-to-yida-form')
    expect(byId(items, 'T1').payload?.phoneField_kq2).toEqual({ value: { phone: '13800000000' } })
  })

  it('turns 星空 multi-language names into Key/Value lists with ConvertJson and parks the record whose text is not JSON', async () => {
    const { items } = await preview('k3cloud-customer-to-jky')
    expect(byId(items, '100231').payload?.multiLanguageName).toEqual([
      { Key: 1033, Value: 'Shanghai Trading' },
      { Key: 2052, Value: '上海某某贸易' },
    ])
    expect(byId(items, '100233').problems.map((p) => p.code)).toEqual(['ERR_PARSER_INPUT'])
  })

  it('accepts {"operation":{"method":"none"}} on every source side without a warning', async () => {
    for (const name of names) {
      const loaded = await loadSchemeFile(join(CORPUS, name, 'scheme.json'))
      expect(loaded.document).toMatchObject({ source: { metadata: { operation: { method: 'none' } } } })
      expect(loaded.warnings.filter((w) => w.path.startsWith('source.'))).toEqual([])
    }
  })

  it('declares batchArraySave on the two 星空 batchSave targets', async () => {
    for (const [name, rows] of [
      ['wdt-purchase-to-k3cloud-batch', 2],
      ['ekuaibao-to-k3cloud-payable', 1],
    ] as const) {
      const loaded = await loadSchemeFile(join(CORPUS, name, 'scheme.json'))
      expect(loaded.scheme?.target?.metadata.operation).toEqual({ method: 'batchArraySave', rows, rowsKey: 'array' })
    }
  })
})
