/**
 * Data is data: a source record carrying a key named `__proto__` keeps it through the connector,
 * the ledger (content and hash), the mapping and the write to the JDY simulator.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { contentHash } from '../../src/store/canonical.js'
import { LOSS, oracle, runAll, world, type World } from './support.js'

describe('a source field named __proto__', () => {
  let w: World | undefined
  afterEach(async () => {
    await w?.close()
    w = undefined
  })

  it('reaches the ledger, its content hash and the JDY bill it is mapped into', async () => {
    w = await world({ orders: 40, days: 3, seed: 5 })
    const expected = oracle(w.sandbox.jst.orders.latest(), w.sandbox.dataset.jdy)
    const io = [...expected.bills.keys()][0]!
    w.sandbox.jst.orders.update(Number(io), (o) => {
      o.extra = JSON.parse('{"__proto__":"PROTO-7","note":"kept"}') as Record<string, unknown>
    })
    // The case-article scheme, its remark also carrying the __proto__ field.
    const scheme = JSON.parse(readFileSync(join(examplesDir(), 'jst-count-to-jdy-check-loss.json'), 'utf8')) as {
      target: { metadata: { request: { field: string; value: unknown }[] } }
    }
    const remark = scheme.target.metadata.request.find((f) => f.field === 'remark')!
    remark.value = '{{remark}}|{{__proto__}}'
    const file = join(w.dir, 'loss-with-proto.json')
    writeFileSync(file, JSON.stringify(scheme))
    await w.host.close()
    const config = {
      ...w.config,
      schemes: w.config.schemes.map((s) => (s.file.endsWith('jst-count-to-jdy-check-loss.json') ? { ...s, file } : s)),
    }
    w.host = await openHost(config, { log: silentLogger })

    await runAll(w)
    const rec = await w.host.ports.ledger.getRecord({ schemeId: LOSS, recordId: io })
    expect(rec).toBeDefined()
    const content = rec!.content
    expect(Object.keys(content)).toContain('__proto__')
    expect(Object.getOwnPropertyDescriptor(content, '__proto__')?.value).toBe('PROTO-7')
    expect(Object.getPrototypeOf(content)).toBe(Object.prototype)
    const withoutKey = Object.fromEntries(Object.entries(content).filter(([k]) => k !== '__proto__'))
    expect(contentHash(content)).not.toBe(contentHash(withoutKey))

    const bill = w.sandbox.jdy.bills.list().find((b) => b.bill_no === io)
    expect(bill?.remark).toContain('|PROTO-7')
  }, 120_000)
})
