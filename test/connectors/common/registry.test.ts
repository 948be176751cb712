import { describe, expect, it } from 'vitest'
import { defineConnector, type ConnectorDefinition } from '../../../src/connectors/contract.js'
import { createRegistry, resolveConnectionConfig, secretFields } from '../../../src/connectors/registry.js'

function fake(over: Partial<ConnectorDefinition> = {}): ConnectorDefinition {
  return defineConnector({
    name: 'fake',
    title: 'Fake',
    version: 1,
    config: {
      baseUrl: { type: 'url', default: 'http://127.0.0.1:1' },
      appKey: { type: 'string', required: true },
      appSecret: { type: 'secret', required: true },
      pageSize: { type: 'number', default: 50 },
    },
    apis: [{ api: '/q', effect: 'QUERY', title: 'query' }],
    errorCatalogue: [
      { vendorCode: 199, outcome: 'rate_limited', ferryKind: 'rate_limited', meaning: 'too fast', waitMs: 1000 },
    ],
    budget: { perSecond: 4 },
    open: () => Promise.resolve({ close: () => Promise.resolve() }),
    ...over,
  })
}

describe('createRegistry', () => {
  it('lists the connectors it was given, in order, and finds them and their apis by name', () => {
    const reg = createRegistry([fake(), fake({ name: 'other' })])
    expect(reg.list().map((d) => d.name)).toEqual(['fake', 'other'])
    expect(reg.get('other').name).toBe('other')
    expect(reg.api('fake', '/q').effect).toBe('QUERY')
  })

  it('refuses two connectors with one name', () => {
    expect(() => createRegistry([fake(), fake()])).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTOR_DUPLICATE', location: 'connectors[1].name' }),
    )
  })

  it.each([
    ['a bad name', { name: 'Fake Connector' }, 'connectors[0].name'],
    ['version 0', { version: 0 }, 'connectors[0].version'],
    ['no apis', { apis: [] }, 'connectors[0].apis'],
    [
      'a duplicate api',
      {
        apis: [
          { api: '/q', effect: 'QUERY', title: 'a' },
          { api: '/q', effect: 'QUERY', title: 'b' },
        ],
      },
      'connectors[0].apis[1].api',
    ],
    [
      'an EXECUTE api without a business key',
      { apis: [{ api: '/save', effect: 'EXECUTE', title: 'save' }] },
      'connectors[0].apis[0].businessKey',
    ],
    [
      'api rules that are not a list of paths',
      {
        apis: [{ api: '/save', effect: 'EXECUTE', title: 'save', businessKey: 'no', rules: { positive: 'qty' } }],
      },
      'connectors[0].apis[0].rules.positive',
    ],
    ['an unknown config type', { config: { x: { type: 'date' } } }, 'connectors[0].config.x.type'],
    ['a secret with a default', { config: { s: { type: 'secret', default: 'x' } } }, 'connectors[0].config.s.default'],
    [
      'a rate_limited entry without a wait',
      { errorCatalogue: [{ vendorCode: 1, outcome: 'rate_limited', ferryKind: 'rate_limited', meaning: 'x' }] },
      'connectors[0].errorCatalogue[0].waitMs',
    ],
    ['a fractional budget', { budget: { perSecond: 0.5 } }, 'connectors[0].budget.perSecond'],
  ] as [string, Record<string, unknown>, string][])('rejects a declaration with %s at start', (_n, over, location) => {
    expect(() => createRegistry([fake(over as Partial<ConnectorDefinition>)])).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTOR_INVALID', kind: 'config', location }),
    )
  })

  it('names the registered connectors when one is missing, and the offered apis when an api is', () => {
    const reg = createRegistry([fake()])
    expect(() => reg.get('nope')).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTOR_NOT_FOUND', message: expect.stringContaining('fake') }),
    )
    expect(() => reg.api('fake', '/x')).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTOR_API_UNKNOWN', message: expect.stringContaining('/q') }),
    )
  })
})

describe('resolveConnectionConfig', () => {
  it('applies defaults and keeps given values', () => {
    const cfg = resolveConnectionConfig(fake(), { appKey: 'k', appSecret: 's3cr3t-value' })
    expect(cfg).toMatchObject({ baseUrl: 'http://127.0.0.1:1', pageSize: 50, appKey: 'k' })
  })

  it('names a missing required field without echoing any value', () => {
    expect(() => resolveConnectionConfig(fake(), { appSecret: 's3cr3t-value' })).toThrow(
      expect.objectContaining({ code: 'ERR_CONNECTION_CONFIG', location: 'config.appKey' }),
    )
  })

  it('rejects a value of the wrong type and never puts the secret in the message', () => {
    let err: unknown
    try {
      resolveConnectionConfig(fake(), { appKey: 'k', appSecret: 12345678, baseUrl: 'ftp://x' })
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'ERR_CONNECTION_CONFIG' })
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('12345678')
  })

  it('lists the secret fields of a declaration', () => {
    expect(secretFields(fake())).toEqual(['appSecret'])
  })
})
