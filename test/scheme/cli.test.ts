import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.js'

const root = new URL('../..', import.meta.url).pathname
const EXAMPLE = join(root, 'examples/jst-count-to-jdy-check-loss.json')
const fixture = (name: string): string => join(root, 'test/fixtures/schemes', name)

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
  try {
    const code = await main(['node', 'ferry', ...args])
    return { code, stdout, stderr }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'))
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('ferry validate', () => {
  it('exits 0 for the case-article example (real binary)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'validate', EXAMPLE],
      { cwd: root },
    )
    expect(stdout).toContain('valid (0 warnings)')
  })

  it('exits 1 and prints every error as "code  path  message"', async () => {
    const r = await run('validate', fixture('many-errors.json'))
    expect(r.code).toBe(1)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toContain(
      'ERR_UNKNOWN_OPERATOR  source.metadata.condition[0][1].logic  unknown operator "lte"; expected one of eq, neq, gt, egt, lt, elt, like, notlike, between, notnull, isnull, in, notin',
    )
    expect(lines.filter((l) => l.startsWith('ERR_'))).toHaveLength(4)
    expect(r.stderr).toContain('ERR_SCHEME_INVALID')
  })

  it('exits 0 and lists warnings with their paths', async () => {
    const r = await run('validate', fixture('warnings-only.json'))
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('WARN_UNKNOWN_KEY  source.metadata.more  ')
    expect(r.stdout).toContain('valid (6 warnings)')
  })

  it('warns about a connector name Ferry does not have, listing the known ones, and still checks the dialect', async () => {
    const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { source: { connector: string } }
    doc.source.connector = 'jushuitn'
    const r = await run('validate', tempFile('typo.json', JSON.stringify(doc)))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^WARN_UNKNOWN_CONNECTOR {2}source\.connector {2}no connector named "jushuitn" in this Ferry \(known: jushuitan, kingdee-jdy, batch-http\)/m,
    )
    expect(r.stdout).toContain('valid (1 warning)')
  })

  it('refuses a scheme nested 10,000 deep with ERR_SCHEME_LIMIT at its path instead of crashing', async () => {
    let deep = '1'
    for (let i = 0; i < 10_000; i++) deep = `{"a":${deep}}`
    const text = readFileSync(EXAMPLE, 'utf8').trimEnd().replace(/}$/, `, "x_deep": ${deep}}`)
    const r = await run('validate', tempFile('deep.json', text))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^ERR_SCHEME_LIMIT {2}x_deep\.a\.a.*nested deeper than 100 levels/m)
  })

  it('reports a YAML syntax error with line and column', async () => {
    const r = await run('validate', fixture('bad-syntax.yaml'))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^ERR_SCHEME_SYNTAX {2}5:14 {2}YAML syntax error/m)
  })

  it('reports a missing file as a user error', async () => {
    const r = await run('validate', join(tmpdir(), 'does-not-exist.json'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^ERR_SCHEME_READ {2}/)
  })
})

describe('ferry filter', () => {
  const orders = [
    {
      io_id: 1,
      remark: '月度盘点',
      items: [
        { sku_id: 'A', qty: -3 },
        { sku_id: 'B', qty: 2 },
      ],
    },
    { io_id: 2, remark: '包材', items: [{ sku_id: 'A', qty: -3 }] },
    { io_id: 3, remark: '', items: [{ sku_id: 'C', qty: 5 }] },
  ]

  it("prints the documents that survive the source side's condition, loss rows only", async () => {
    const r = await run('filter', EXAMPLE, '--input', tempFile('orders.json', JSON.stringify(orders)))
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([{ io_id: 1, remark: '月度盘点', items: [{ sku_id: 'A', qty: -3 }] }])
  })

  it('flattens with beatFlat after filtering', async () => {
    const r = await run('filter', fixture('valid.yaml'), '--input', tempFile('orders.json', JSON.stringify(orders)))
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([
      { io_id: '1-1', remark: '月度盘点', items_sku_id: 'A', items_qty: -3 },
      { io_id: '2-1', remark: '包材', items_sku_id: 'A', items_qty: -3 },
    ])
  })

  it('rejects input that is not a JSON array of objects', async () => {
    const r = await run('filter', EXAMPLE, '--input', tempFile('bad.json', '{"datas": []}'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^ERR_FILTER_INPUT {2}/)
    const r2 = await run('filter', EXAMPLE, '--input', tempFile('bad.json', '[{"io_id": 1}, 7]'))
    expect(r2.stderr).toContain('element 1 is not an object')
  })

  it('refuses to filter with an invalid scheme and lists its errors', async () => {
    const r = await run('filter', fixture('unknown-operator.json'), '--input', tempFile('orders.json', '[]'))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('ERR_UNKNOWN_OPERATOR')
  })
})
