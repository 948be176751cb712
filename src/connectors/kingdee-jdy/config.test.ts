import { describe, expect, it } from 'vitest'
import { MemoryCredentialStore } from '../memory-credentials.js'
import { parseJdyConfig } from './config.js'
import { kingdeeJdy } from './index.js'

const base = { clientId: '200421', clientSecret: 'f2adcfef73369bfc4e1384677d38a0ff', outerInstanceId: '1234567890' }

describe('JDY connection config', () => {
  it('applies the spec defaults', () => {
    expect(parseJdyConfig(base)).toMatchObject({
      baseUrl: 'https://api.kingdee.com',
      timeoutMs: 30_000,
      tokenTtlMs: 20 * 3_600_000,
      tokenCallsPerMinute: 2,
      operationKeyMode: 'send',
      existingBills: 'ferry',
      auditCheck: 'bulk',
      auditBatch: 100,
      pageSize: 100,
    })
    expect(parseJdyConfig(base).remarkTag).toBeUndefined()
  })

  it('makes the remark marker opt-in with the field named, and keeps precheck as an alias of existingBills', () => {
    expect(parseJdyConfig({ ...base, remarkTag: 'remark' }).remarkTag).toBe('remark')
    expect(parseJdyConfig({ ...base, remarkTag: true }).remarkTag).toBe('remark')
    expect(parseJdyConfig({ ...base, remarkTag: false }).remarkTag).toBeUndefined()
    expect(parseJdyConfig({ ...base, precheck: true }).existingBills).toBe('each')
    expect(parseJdyConfig({ ...base, precheck: false }).existingBills).toBe('ferry')
    expect(parseJdyConfig({ ...base, precheck: true, existingBills: 'bulk' }).existingBills).toBe('bulk')
  })

  it('clamps the page size to the 100 rows JDY really serves', () => {
    expect(parseJdyConfig({ ...base, pageSize: 500 }).pageSize).toBe(100)
    expect(parseJdyConfig({ ...base, pageSize: 20 }).pageSize).toBe(20)
  })

  it.each([
    [{ ...base, clientId: undefined }, 'config.clientId'],
    [{ ...base, clientSecret: '' }, 'config.clientSecret'],
    [{ ...base, outerInstanceId: undefined }, 'config.outerInstanceId'],
    [{ ...base, baseUrl: 'ftp://x' }, 'config.baseUrl'],
    [{ ...base, operationKeyMode: 'maybe' }, 'config.operationKeyMode'],
    [{ ...base, timeoutMs: -1 }, 'config.timeoutMs'],
    [{ ...base, precheck: 'yes' }, 'config.precheck'],
    [{ ...base, existingBills: 'all' }, 'config.existingBills'],
    [{ ...base, auditCheck: 'never' }, 'config.auditCheck'],
    [{ ...base, remarkTag: 'a b' }, 'config.remarkTag'],
    [{ ...base, appKey: 'abc' }, 'config.appSecret'],
  ])('refuses %j with ERR_JDY_CONFIG_INVALID at %s, never echoing a secret', (raw, location) => {
    let caught: unknown
    try {
      parseJdyConfig(raw)
    } catch (e) {
      caught = e
    }
    expect(caught).toMatchObject({ code: 'ERR_JDY_CONFIG_INVALID', kind: 'config', location })
    expect(String((caught as Error).message)).not.toContain(base.clientSecret)
  })
})

describe('opening the JDY connector', () => {
  it('rejects an invalid configuration with a coded config error instead of throwing synchronously', async () => {
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined }
    const budget = { acquire: () => Promise.resolve(() => undefined), penalise: () => undefined }
    const opened = kingdeeJdy.open({
      connectionId: 'c1',
      config: { clientId: '1' },
      credentials: new MemoryCredentialStore(),
      budget,
      log,
    })
    await expect(opened).rejects.toMatchObject({ code: 'ERR_JDY_CONFIG_INVALID', location: 'config.clientSecret' })
  })
})
