import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/main.js'

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s)
    return true
  })
  try {
    const code = await main(['node', 'ferry', 'expr', ...args])
    return { code, out, err }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}

afterEach(() => vi.restoreAllMocks())

describe('ferry expr', () => {
  it('prints the value of a _function over a record as JSON', async () => {
    expect(await run('_function abs({{qty}}) * 2', '--record', '{"qty": "-1.25"}')).toEqual({
      code: 0,
      out: '2.5\n',
      err: '',
    })
  })

  it('uses --var, --now and --tz', async () => {
    const r = await run(
      '{{LAST_SYNC_TIME|datetime}} → {{CURRENT_TIME|datetime}}',
      '--var',
      'LAST_SYNC_TIME=1704067200',
      '--now',
      '2024-01-02T00:00:00Z',
      '--tz',
      'UTC',
    )
    expect(r).toEqual({ code: 0, out: '"2024-01-01 00:00:00 → 2024-01-02 00:00:00"\n', err: '' })
  })

  it('resolves _findCollection from a --lookup file, with a row context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-expr-'))
    const file = join(dir, 'materials.json')
    writeFileSync(file, JSON.stringify([{ id: 'M-9', number: 'SKU9' }]))
    const r = await run(
      '_findCollection find id from materials where number={{items.sku_id}}',
      '--lookup',
      `materials=${file}`,
      '--record',
      '{"items":[{"sku_id":"SKU9"}]}',
      '--row',
      '{"sku_id":"SKU9"}',
      '--row-path',
      'items',
    )
    expect(r).toEqual({ code: 0, out: '"M-9"\n', err: '' })
  })

  it('prints code and message with the position on stderr and exits 1 for a broken expression', async () => {
    const r = await run('_function abs({{qty}}')
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toBe('ERR_EXPR_SYNTAX  unexpected the end of the expression; expected ")" (at 1:22)\n')
  })

  it('exits 1 with a data error when the record does not fit, and with a user error for bad options', async () => {
    expect((await run('{{t|datetime}}', '--record', '{"t":"soon"}')).err).toMatch(/^ERR_EXPR_FILTER_INPUT {2}/)
    expect(await run('x', '--record', '{bad')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^ERR_EXPR_CLI_ARGUMENT {2}--record is not valid JSON/) as unknown,
    })
    expect(await run('x', '--var', 'NOEQUALS')).toMatchObject({
      code: 1,
      err: 'ERR_EXPR_CLI_ARGUMENT  --var NOEQUALS: write NAME=VALUE\n',
    })
    expect(await run('x', '--now', 'yesterday')).toMatchObject({ code: 1 })
  })

  it('evaluates a bare array key with --array-field and honours --compat', async () => {
    expect((await run('items', '--array-field', '--record', '{"items":[1,2]}')).out).toBe('[1,2]\n')
    expect((await run('_function 1/{{z}}', '--compat', '--record', '{"z":0}')).out).toBe('"_function 1/0"\n')
  })
})
