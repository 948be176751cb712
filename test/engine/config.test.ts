import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig, problemLines, validateConfig } from '../../src/config/load.js'
import type { ConnectorInfo } from '../../src/config/types.js'
import type { ConnectorDefinition } from '../../src/connectors/contract.js'
import { resolveConnectionConfig, settingHasType } from '../../src/connectors/registry.js'
import { FerryError } from '../../src/core/errors.js'

const connectors: ConnectorInfo[] = [
  {
    name: 'jushuitan',
    config: {
      baseUrl: { type: 'url', required: true },
      app_key: { type: 'string', required: true },
      app_secret: { type: 'secret', required: true },
    },
  },
  {
    name: 'kingdee-jdy',
    config: {
      baseUrl: { type: 'url', required: true },
      client_secret: { type: 'secret', required: true },
      pageSize: { type: 'number', default: 100 },
    },
  },
]

function tmp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'))
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (e) {
    if (e instanceof FerryError) return problemLines(e)
    throw e
  }
  throw new Error('expected a configuration error')
}

const yaml = `
database:
  url: sqlite:./state/ferry.db
connections:
  jst:
    connector: jushuitan
    settings: { baseUrl: "http://127.0.0.1:9001", app_key: demo, app_secret: "\${JST_SECRET}" }
  jdy:
    connector: kingdee-jdy
    settings: { baseUrl: "http://127.0.0.1:9002" }
schemes:
  - file: schemes/loss.json
    start: 2026-11-01T00:00:00+08:00
    connections: { source: jst, target: jdy }
  - schemes/materials.json
engine:
  retryLadder: [5, 60]
`

describe('configuration', () => {
  it('loads YAML with environment references and per-connection overrides, resolving paths against the file', () => {
    const file = tmp('ferry.yaml', yaml)
    const cfg = loadConfig({
      path: file,
      connectors,
      env: { JST_SECRET: 's3cret-value', FERRY_CONNECTION_JDY_CLIENT_SECRET: 'jdy-secret' },
    })
    expect(cfg.database.url).toBe(`sqlite:${join(file, '..', 'state/ferry.db')}`)
    expect(cfg.connections.jst?.settings.app_secret).toBe('s3cret-value')
    expect(cfg.connections.jdy?.settings.client_secret).toBe('jdy-secret')
    expect(cfg.schemes.map((s) => s.file)).toEqual([
      join(file, '..', 'schemes/loss.json'),
      join(file, '..', 'schemes/materials.json'),
    ])
    expect(cfg.schemes[0]?.start?.toISOString()).toBe('2026-10-31T16:00:00.000Z')
    expect(cfg.schemes[0]).toMatchObject({ sourceConnection: 'jst', targetConnection: 'jdy', enabled: true })
    expect(cfg.engine.retryLadder).toEqual([5, 60])
  })

  it('takes FERRY_CONFIG when no path is given and lets FERRY_DATABASE_URL win over the file', () => {
    const file = tmp('ferry.json', JSON.stringify({ database: { url: 'sqlite:./a.db' }, schemes: [] }))
    const cfg = loadConfig({ env: { FERRY_CONFIG: file, FERRY_DATABASE_URL: 'postgres://ferry@127.0.0.1:5432/ferry' } })
    expect(cfg.database.url).toBe('postgres://ferry@127.0.0.1:5432/ferry')
    expect(cfg.file).toBe(file)
  })

  it('lists every problem with its code and path instead of stopping at the first', () => {
    const doc = {
      databse: {},
      connections: {
        jst: { connector: 'jushuitan', settings: { baseUrl: 'not a url', app_secret: '${MISSING_SECRET}' } },
        erp: { connector: 'sap', settings: {} },
      },
      schemes: [{ file: 'x.json', connections: { target: 'nope' }, start: 'yesterday' }, { enabled: true }],
      engine: { retryLadder: [], jitter: 3 },
    }
    const lines = problemsOf(() => validateConfig(doc, { baseDir: '/tmp', env: {}, connectors }))
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ERR_CONFIG_UNKNOWN_KEY {2}databse {2}unknown key "databse"/),
        expect.stringMatching(
          /^ERR_CONFIG_ENV_MISSING {2}connections\.jst\.settings\.app_secret {2}environment variable MISSING_SECRET is not set/,
        ),
        expect.stringMatching(/^ERR_CONFIG_TYPE {2}connections\.jst\.settings\.baseUrl /),
        expect.stringMatching(/^ERR_CONFIG_MISSING {2}connections\.jst\.settings\.app_key /),
        expect.stringMatching(
          /^ERR_CONFIG_UNKNOWN_CONNECTOR {2}connections\.erp\.connector {2}unknown connector "sap"/,
        ),
        expect.stringMatching(/^ERR_CONFIG_UNKNOWN_CONNECTION {2}schemes\[0\]\.connections\.target /),
        expect.stringMatching(/^ERR_CONFIG_TYPE {2}schemes\[0\]\.start /),
        expect.stringMatching(/^ERR_CONFIG_MISSING {2}schemes\[1\]\.file /),
        expect.stringMatching(/^ERR_CONFIG_TYPE {2}engine\.retryLadder /),
        expect.stringMatching(/^ERR_CONFIG_TYPE {2}engine\.jitter /),
      ]),
    )
    expect(lines).toHaveLength(10)
  })

  it('refuses a URL setting for exactly what opening the connection refuses', () => {
    const def = { name: 'jushuitan', config: connectors[0]!.config } as unknown as ConnectorDefinition
    const cases = [
      'http://127.0.0.1:9001',
      'HTTPS://example.com/open',
      'http://example.com/a b',
      'https://[::1',
      'http://',
      'ftp://example.com',
      'example.com',
      'http://exa mple.com',
    ]
    for (const baseUrl of cases) {
      const doc = {
        connections: { jst: { connector: 'jushuitan', settings: { baseUrl, app_key: 'k', app_secret: 's' } } },
      }
      let fileOk = true
      try {
        validateConfig(doc, { baseDir: '/tmp', env: {}, connectors })
      } catch (e) {
        fileOk = !problemLines(e as FerryError).some((l) => l.includes('settings.baseUrl'))
      }
      let openOk = true
      try {
        resolveConnectionConfig(def, { baseUrl, app_key: 'k', app_secret: 's' })
      } catch {
        openOk = false
      }
      expect({ baseUrl, fileOk }).toEqual({ baseUrl, fileOk: openOk })
    }
    // Both ways round: some of them pass and some do not.
    expect(cases.filter((u) => settingHasType({ type: 'url' }, u))).toEqual([
      'http://127.0.0.1:9001',
      'HTTPS://example.com/open',
      'http://example.com/a b',
    ])
  })

  it('never echoes a secret value in a problem', () => {
    const doc = {
      connections: {
        jst: { connector: 'jushuitan', settings: { baseUrl: 'ftp://x', app_key: 'k', app_secret: 12345678 } },
      },
    }
    const lines = problemsOf(() => validateConfig(doc, { baseDir: '/tmp', env: {}, connectors }))
    expect(lines.join('\n')).not.toContain('12345678')
    expect(lines).toHaveLength(2)
  })

  it('reports an unreadable or broken file with its path', () => {
    expect(() => loadConfig({ path: '/nonexistent/ferry.yaml', env: {} })).toThrow(
      /ERR_CONFIG_READ|cannot read configuration \/nonexistent\/ferry.yaml/,
    )
    const file = tmp('bad.yaml', 'connections: [unclosed')
    expect(() => loadConfig({ path: file, env: {} })).toThrowError(
      expect.objectContaining({ code: 'ERR_CONFIG_READ' }) as Error,
    )
  })

  it('refuses to start without any configuration file', () => {
    expect(problemsOf(() => loadConfig({ env: {} }))).toEqual([
      expect.stringMatching(/^ERR_CONFIG_MISSING {2}--config /),
    ])
  })

  it('reads static value maps as collections', () => {
    const cfg = validateConfig(
      { collections: { warehouses: { '10001': 'CK001' }, units: [{ sku: 'A', unit: 'pcs' }] } },
      { baseDir: '/tmp', env: {} },
    )
    expect(cfg.collections.warehouses).toEqual([{ key: '10001', value: 'CK001' }])
    expect(cfg.collections.units).toEqual([{ sku: 'A', unit: 'pcs' }])
  })

  it("reads a scheme's scheduled reconciliation and reports a bad crontab or window with its path", () => {
    const cfg = validateConfig(
      { schemes: [{ file: 'loss.json', reconcile: { crontab: '0 3 * * *', closedDays: 7 } }] },
      { baseDir: '/tmp', env: {} },
    )
    expect(cfg.schemes[0]?.reconcile).toEqual({ crontab: '0 3 * * *', closedDays: 7, repair: false })
    const lines = problemsOf(() =>
      validateConfig(
        {
          schemes: [
            { file: 'a.json', reconcile: { crontab: '0 3 * *', closedDays: 7 } },
            { file: 'b.json', reconcile: { crontab: '0 99 * * *', closedDays: 0, repair: 'yes', every: 'day' } },
          ],
        },
        { baseDir: '/tmp', env: {} },
      ),
    )
    expect(lines).toEqual([
      expect.stringMatching(/^ERR_CONFIG_TYPE {2}schemes\[0\]\.reconcile\.crontab {2}.*five-field crontab/),
      expect.stringMatching(/^ERR_CONFIG_UNKNOWN_KEY {2}schemes\[1\]\.reconcile\.every /),
      expect.stringMatching(/^ERR_CONFIG_TYPE {2}schemes\[1\]\.reconcile\.crontab /),
      expect.stringMatching(/^ERR_CONFIG_TYPE {2}schemes\[1\]\.reconcile\.closedDays /),
      expect.stringMatching(/^ERR_CONFIG_TYPE {2}schemes\[1\]\.reconcile\.repair /),
    ])
  })

  it('defers unset connection secrets for commands that call no vendor, but never database or master-key variables', () => {
    const doc = {
      database: { url: 'sqlite:${DB_FILE}' },
      connections: {
        jst: {
          connector: 'jushuitan',
          settings: { baseUrl: 'http://127.0.0.1:9001', app_key: 'demo', app_secret: '${JST_SECRET}' },
        },
        jdy: {
          connector: 'kingdee-jdy',
          settings: { baseUrl: 'http://127.0.0.1:9002', client_secret: '${JDY_SECRET}' },
        },
      },
    }
    const required = problemsOf(() => validateConfig(doc, { baseDir: '/tmp', env: { DB_FILE: 'f.db' }, connectors }))
    expect(required.filter((l) => l.startsWith('ERR_CONFIG_ENV_MISSING'))).toHaveLength(2)
    const cfg = validateConfig(doc, {
      baseDir: '/tmp',
      env: { DB_FILE: 'f.db', JDY_SECRET: 's' },
      connectors,
      connectionEnv: 'deferred',
    })
    expect(cfg.connections.jst?.unsetEnv).toEqual(['JST_SECRET'])
    expect(cfg.connections.jdy?.unsetEnv).toBeUndefined()
    // Overridden from the environment by FERRY_CONNECTION_<NAME>_<SETTING>: no longer unset.
    const overridden = validateConfig(doc, {
      baseDir: '/tmp',
      env: { DB_FILE: 'f.db', FERRY_CONNECTION_JST_APP_SECRET: 'x' },
      connectors,
      connectionEnv: 'deferred',
    })
    expect(overridden.connections.jst?.unsetEnv).toBeUndefined()
    const noDb = problemsOf(() =>
      validateConfig(doc, { baseDir: '/tmp', env: {}, connectors, connectionEnv: 'deferred' }),
    )
    expect(noDb).toEqual(expect.arrayContaining([expect.stringMatching(/^ERR_CONFIG_ENV_MISSING {2}database\.url /)]))
    expect(noDb.filter((l) => l.includes('connections.'))).toEqual([])
  })
})
