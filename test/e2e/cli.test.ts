import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ferry } from '../support/cli.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { LOSS, oracle, writeConfig } from './support.js'

describe('engine commands', () => {
  let sandbox: Sandbox | undefined
  let dir: string
  let config: string
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'))
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 5 * 86_400_000 - 2 * hour)
    sandbox = await startSandbox({ orders: 120, days: 5, seed: 17, start })
    config = writeConfig(sandbox, dir, start)
    vi.stubEnv('TEST_JST_SECRET', sandbox.info().jst.appSecret)
    vi.stubEnv('TEST_JDY_SECRET', sandbox.info().jdy.clientSecret)
    vi.stubEnv('FERRY_LOG_LEVEL', 'error')
  })
  afterEach(async () => {
    vi.unstubAllEnvs()
    await sandbox?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs, lists, shows, edits and resolves records, and retry --all-failed writes the parked ones once master data is re-synced', async () => {
    const sb = sandbox!
    const preview = await ferry('preview', LOSS, '--config', config, '--limit', '3', '--json')
    expect(preview.code).toBe(0)
    expect(JSON.parse(preview.out)).toHaveLength(3)
    expect(sb.jdy.bills.list()).toHaveLength(0)

    for (const s of ['jdy-materials', 'jdy-stores']) expect((await ferry('run', s, '--config', config)).code).toBe(0)
    const run = await ferry('run', LOSS, '--config', config, '--json')
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.out) as { status: string; counters: { written: number } }
    const expected = oracle(sb.jst.orders.latest(), sb.dataset.jdy)
    expect(summary).toMatchObject({ status: 'ok', counters: { written: expected.bills.size } })
    // No secret reaches the output.
    expect(run.out + run.err).not.toContain(sb.info().jst.appSecret)

    const failed = JSON.parse(
      (await ferry('records', LOSS, '--config', config, '--status', 'error', '--json')).out,
    ) as { records: { id: string; lastError: { code: string } }[] }
    expect(failed.records.map((r) => r.id).sort()).toEqual([...expected.parked.keys()].sort())
    const [first, second] = failed.records
    expect(first).toBeDefined()

    const shown = await ferry('record', LOSS, first!.id, '--config', config)
    expect(shown.out).toContain(`record ${first!.id}`)
    expect(shown.out).toContain('ERR_LOOKUP_MISSING')

    const material = sb.dataset.jdy.materials[0]!
    const store = sb.dataset.jdy.stores[0]!
    const payload = {
      bill_no: first!.id,
      bill_date: '2026-11-01',
      operation_key: 'audit',
      remark: 'fixed by hand',
      material_entity: [{ material_id: material.id, unit_id: material.base_unit_id, stock_id: store.id, qty: 1 }],
    }
    writeFileSync(join(dir, 'payload.json'), JSON.stringify(payload))
    const edit = await ferry(
      'edit',
      LOSS,
      first!.id,
      '--config',
      config,
      '--payload',
      `@${join(dir, 'payload.json')}`,
      '--json',
    )
    expect(edit.code).toBe(0)
    expect(JSON.parse(edit.out)).toMatchObject({ record: { status: 'done', payloadEdited: true } })
    expect(sb.jdy.bills.list().find((b) => b.bill_no === first!.id)?.remark).toContain('fixed by hand')

    if (second !== undefined) {
      expect((await ferry('resolve', LOSS, second.id, '--config', config, '--note', 'booked by hand')).code).toBe(0)
      const after = JSON.parse((await ferry('record', LOSS, second.id, '--config', config, '--json')).out) as {
        resolvedNote?: string
      }
      expect(after.resolvedNote).toBe('booked by hand')
    }
    // Add the missing materials in JDY, re-sync master data, then retry the failed-record queue.
    const md = sb.jdy.masterData
    const template = md.materials[0]!
    let n = 0
    for (const sku of new Set([...expected.parked.values()].flat()))
      md.materials.push({ ...template, id: `880000${++n}`, number: sku, name: `added ${sku}` })
    expect((await ferry('run', 'jdy-materials', '--config', config, '--from', '2020-01-01')).code).toBe(0)
    const retry = await ferry('retry', LOSS, '--all-failed', '--config', config, '--json')
    expect(retry.code).toBe(0)
    const requeued = (JSON.parse(retry.out) as { requeued: string[] }).requeued
    const stillParked = [...expected.parked.keys()].filter((id) => id !== first!.id && id !== second?.id)
    // The resolved record is not requeued; every other parked record is, and is now written.
    expect(requeued.sort()).toEqual(stillParked.sort())
    for (const id of stillParked)
      expect(
        sb.jdy.bills.list().some((b) => b.bill_no === id),
        `bill ${id}`,
      ).toBe(true)
    const left = JSON.parse((await ferry('records', LOSS, '--config', config, '--status', 'error', '--json')).out) as {
      records: { id: string }[]
    }
    expect(left.records.map((r) => r.id)).toEqual(second === undefined ? [] : [second.id])
  }, 120_000)

  it('lists every configuration problem and runs nothing', async () => {
    const bad = join(dir, 'bad.yaml')
    writeFileSync(
      bad,
      'connections:\n  jst: { connector: nope }\nschemes: [{ file: missing.json, start: soon }]\nengine: { jitter: 7 }\n',
    )
    const r = await ferry('run', LOSS, '--config', bad)
    expect(r.code).toBe(1)
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^ERR_CONFIG_UNKNOWN_CONNECTOR {2}connections\.jst\.connector /),
      expect.stringMatching(/^ERR_CONFIG_TYPE {2}schemes\[0\]\.start /),
      expect.stringMatching(/^ERR_CONFIG_TYPE {2}engine\.jitter /),
    ])
  })

  it('answers an unknown scheme with the loaded ones', async () => {
    const r = await ferry('records', 'nope', '--config', config)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(
      /^ERR_UNKNOWN_SCHEME {2}- {2}unknown scheme "nope"; loaded: jdy-materials, jdy-stores, jst-count-to-jdy-check-loss/,
    )
  })

  it('starts records, record, verify and resolve without the vendor secrets, while run still refuses to start without them', async () => {
    expect((await ferry('run', 'jdy-materials', '--config', config)).code).toBe(0)
    expect((await ferry('run', LOSS, '--config', config)).code).toBe(0)
    const some = JSON.parse((await ferry('records', LOSS, '--config', config, '--json')).out) as {
      records: { id: string }[]
    }
    expect(some.records.length).toBeGreaterThan(0)
    vi.stubEnv('TEST_JST_SECRET', undefined)
    vi.stubEnv('TEST_JDY_SECRET', undefined)
    delete process.env.TEST_JST_SECRET
    delete process.env.TEST_JDY_SECRET

    const records = await ferry('records', LOSS, '--config', config, '--json')
    expect(records.err).toBe('')
    expect(records.code).toBe(0)
    expect((JSON.parse(records.out) as { records: unknown[] }).records).toHaveLength(some.records.length)
    const record = await ferry('record', LOSS, some.records[0]!.id, '--config', config, '--json')
    expect(record.code).toBe(0)
    expect((JSON.parse(record.out) as { id: string }).id).toBe(some.records[0]!.id)
    const verify = await ferry('verify', LOSS, '--config', config, '--json')
    expect(verify.err).toBe('')
    // The ledger is checked; the target is not, and the report says why.
    const v = JSON.parse(verify.out) as {
      records: number
      target?: unknown
      targetSkipped?: string
      violations: { code: string }[]
    }
    expect(v.records).toBeGreaterThan(0)
    expect(v.target).toBeUndefined()
    expect(v.targetSkipped).toMatch(/TEST_JDY_SECRET is not set/)
    expect(verify.code).toBe(v.violations.length === 0 ? 0 : 1)
    expect(v.violations.every((x) => x.code === 'ERR_VERIFY_PARKED')).toBe(true)

    const run = await ferry('run', LOSS, '--config', config)
    expect(run.code).toBe(1)
    expect(run.err).toMatch(
      /ERR_CONFIG_ENV_MISSING {2}connections\.jst\.settings\.appSecret {2}environment variable TEST_JST_SECRET is not set/,
    )
  }, 120_000)
})
