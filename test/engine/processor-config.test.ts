import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { problemLines, validateConfig } from '../../src/config/load.js'
import type { FerryConfig } from '../../src/config/types.js'
import { FerryError } from '../../src/core/errors.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'

async function problems(config: FerryConfig): Promise<string[]> {
  try {
    const host = await openHost(config, { log: silentLogger })
    await host.close()
    return []
  } catch (e) {
    if (!(e instanceof FerryError)) throw e
    return problemLines(e)
  }
}

describe('processors in the configuration', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  const base = (d: string, processors: string[]): FerryConfig => ({
    file: undefined,
    baseDir: d,
    database: { url: `sqlite:${join(d, 'ferry.db')}` },
    masterKey: { file: join(d, 'master.key') },
    connections: {
      jdy: {
        connector: 'kingdee-jdy',
        settings: {
          baseUrl: 'http://127.0.0.1:9',
          clientId: 'c',
          clientSecret: 's',
          outerInstanceId: 'o',
          accountId: 'a',
          appKey: 'k',
          appSecret: 'x',
          domain: 'http://127.0.0.1:9',
        },
      },
    },
    schemes: [{ file: join(examplesDir(), 'jdy-materials.json'), enabled: true, processors }],
    collections: {},
    engine: { retryLadder: [1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
    processors: { dir: join(d, 'processors'), timeoutMs: 1000 },
  })

  it('stops start-up naming the scheme entry when a processor is missing or only its TypeScript source is there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-proc-config-'))
    mkdirSync(join(dir, 'processors'))
    writeFileSync(join(dir, 'processors', 'only-source.mts'), 'export default {}\n')
    expect(await problems(base(dir, ['absent']))).toEqual([
      expect.stringMatching(/^ERR_PROCESSOR_NOT_FOUND {2}schemes\[0\]\.processors {2}processor "absent" not found/),
    ])
    expect((await problems(base(dir, ['only-source'])))[0]).toContain('compile it with npx tsc')
  })

  it('stops start-up when a processor module is not a processor', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-proc-config-'))
    mkdirSync(join(dir, 'processors'))
    writeFileSync(join(dir, 'processors', 'odd.mjs'), "export default { name: 'odd', beforeStor() {} }\n")
    expect((await problems(base(dir, ['odd'])))[0]).toMatch(
      /^ERR_PROCESSOR_INVALID {2}schemes\[0\]\.processors .*unknown key "beforeStor"/,
    )
  })

  it('requires processors.dir when a scheme names processors, and reads it relative to the file', () => {
    const doc = { connections: {}, schemes: [{ file: 'a.json', processors: ['x'] }] }
    expect(() => validateConfig(doc, { baseDir: '/srv/ferry', env: {} })).toThrow(FerryError)
    const ok = validateConfig({ ...doc, processors: { dir: './processors' } }, { baseDir: '/srv/ferry', env: {} })
    expect(ok.processors).toEqual({ dir: '/srv/ferry/processors', timeoutMs: 5000 })
    expect(ok.schemes[0]?.processors).toEqual(['x'])
  })
})
