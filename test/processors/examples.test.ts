/**
 * The worked examples of docs/processors.md, built the way the doc says: `tsc -p
 * examples/processors` (type-checks them against `ferry/processor` and emits .mjs), then loaded
 * from a folder whose node_modules has Ferry, as an operator's installation has.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, afterEach, describe, expect, it, vi } from 'vitest'
import { ferry } from '../support/cli.js'
import { silentLogger } from '../../src/engine/ports.js'
import { loadProcessorFile, loadProcessors } from '../../src/processors/loader.js'
import { callHook } from '../../src/processors/runner.js'

const root = new URL('../..', import.meta.url).pathname
let dir: string
let procDir: string

const file = (name: string, v: unknown) => {
  const f = join(dir, name)
  writeFileSync(f, JSON.stringify(v))
  return f
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-proc-'))
  procDir = join(dir, 'processors')
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(root, join(dir, 'node_modules', 'ferry'), 'dir')
  await promisify(execFile)(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(root, 'examples/processors/tsconfig.json'),
    '--outDir',
    procDir,
  ])
}, 60_000)
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('worked example processors', () => {
  it('compile with tsc against ferry/processor and load by name from the processors folder', async () => {
    const list = await loadProcessors(procDir, ['split-by-warehouse', 'enrich-from-value-map'])
    expect(list.map((p) => p.name)).toEqual(['split-by-warehouse', 'enrich-from-value-map'])
  })

  it('split-by-warehouse makes one record per warehouse, each with its own id and rows', async () => {
    const [p] = await loadProcessors(procDir, ['split-by-warehouse'])
    const out = await callHook(
      p!,
      'beforeStore',
      {
        io_id: 'PD1',
        wms_co_id: 1,
        items: [
          { sku_id: 'A', wms_co_id: 1 },
          { sku_id: 'B', wms_co_id: 2 },
          { sku_id: 'C', wms_co_id: 1 },
        ],
      },
      { scheme: 's', recordId: 'PD1' },
      silentLogger,
      1000,
    )
    expect(out).toEqual([
      {
        io_id: 'PD1-1',
        wms_co_id: 1,
        items: [
          { sku_id: 'A', wms_co_id: 1 },
          { sku_id: 'C', wms_co_id: 1 },
        ],
      },
      { io_id: 'PD1-2', wms_co_id: 2, items: [{ sku_id: 'B', wms_co_id: 2 }] },
    ])
    expect(
      await callHook(
        p!,
        'beforeStore',
        { io_id: 'PD2', wms_co_id: 1, items: [{ sku_id: 'A' }] },
        { scheme: 's' },
        silentLogger,
        1000,
      ),
    ).toEqual({ io_id: 'PD2', wms_co_id: 1, items: [{ sku_id: 'A' }] })
  })

  it('enrich-from-value-map adds the mapped value and parks a record whose key is not in the map', async () => {
    const [p] = await loadProcessors(procDir, ['enrich-from-value-map'])
    expect(
      await callHook(p!, 'beforeStore', { shop_id: 10001 }, { scheme: 's', recordId: 'r1' }, silentLogger, 1000),
    ).toEqual({ shop_id: 10001, org_number: 'ORG-EAST' })
    await expect(
      callHook(p!, 'beforeStore', { shop_id: 9 }, { scheme: 's', recordId: 'r2' }, silentLogger, 1000),
    ).rejects.toMatchObject({
      code: 'ERR_PROCESSOR_HOOK',
      kind: 'data',
      location: 'processor:enrich-from-value-map.beforeStore',
    })
  })
})

describe('ferry processor test', () => {
  it('runs the hook on one record and prints the result, logging with the record id', async () => {
    const r = await ferry(
      'processor',
      'test',
      join(procDir, 'split-by-warehouse.mjs'),
      '--record',
      file('r.json', { io_id: 'PD9', items: [{ wms_co_id: 1 }, { wms_co_id: 2 }] }),
      '--id',
      'PD9',
    )
    expect(r.code).toBe(0)
    expect((JSON.parse(r.out) as { io_id: string }[]).map((x) => x.io_id)).toEqual(['PD9-1', 'PD9-2'])
    expect(r.err).toContain('"recordId":"PD9"')
  })

  it('exits 1 with the coded error naming the hook when the hook throws', async () => {
    const r = await ferry(
      'processor',
      'test',
      join(procDir, 'enrich-from-value-map.mjs'),
      '--record',
      file('bad.json', { shop_id: 'nope' }),
    )
    expect(r.code).toBe(1)
    expect(r.err).toContain('ERR_PROCESSOR_HOOK')
    expect(r.err).toContain('hook beforeStore')
  })

  it('parks with ERR_PROCESSOR_TIMEOUT when a hook overruns its limit', async () => {
    const slow = join(dir, 'slow.mjs')
    writeFileSync(
      slow,
      "export default { name: 'slow', timeoutMs: 50, beforeStore: () => new Promise((r) => setTimeout(r, 2000)) }\n",
    )
    const r = await ferry('processor', 'test', slow, '--record', file('x.json', {}))
    expect(r.code).toBe(1)
    expect(r.err).toContain('ERR_PROCESSOR_TIMEOUT')
  })

  it('refuses a TypeScript source with the command that compiles it, and a module without hooks', async () => {
    await expect(loadProcessorFile(join(root, 'examples/processors/split-by-warehouse.mts'))).rejects.toMatchObject({
      code: 'ERR_PROCESSOR_INVALID',
      message: expect.stringContaining('split-by-warehouse.mjs') as string,
    })
    const empty = join(dir, 'empty.mjs')
    writeFileSync(empty, "export default { name: 'empty' }\n")
    await expect(loadProcessorFile(empty)).rejects.toMatchObject({ code: 'ERR_PROCESSOR_INVALID' })
    await expect(loadProcessors(procDir, ['../escape'])).rejects.toMatchObject({ code: 'ERR_PROCESSOR_NOT_FOUND' })
  })
})
