import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { problemLines } from '../../src/config/load.js'
import type { FerryConfig } from '../../src/config/types.js'
import { FerryError } from '../../src/core/errors.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'

/** A configuration in `dir` with one JDY connection that is never called (start-up fails first). */
function configIn(
  dir: string,
  parts: Pick<FerryConfig, 'schemes'> & Partial<Pick<FerryConfig, 'collections'>>,
): FerryConfig {
  return {
    file: undefined,
    baseDir: dir,
    database: { url: `sqlite:${join(dir, 'ferry.db')}` },
    masterKey: { file: join(dir, 'master.key') },
    connections: {
      jdy: {
        connector: 'kingdee-jdy',
        budget: { perSecond: 5, perMinute: 100, inFlight: 1 },
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
    collections: {},
    engine: { retryLadder: [1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
    ...parts,
  }
}

describe('opening a host from configuration', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('refuses a reconcile schedule on a scheme without a target, naming the entry, before anything runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-host-config-'))
    const config = configIn(dir, {
      schemes: [
        {
          file: join(examplesDir(), 'jdy-materials.json'),
          enabled: true,
          reconcile: { crontab: '0 3 * * *', closedDays: 7, repair: false },
        },
      ],
    })
    let lines: string[] = []
    try {
      const host = await openHost(config, { log: silentLogger })
      await host.close()
    } catch (e) {
      if (!(e instanceof FerryError)) throw e
      lines = problemLines(e)
    }
    expect(lines).toEqual([
      expect.stringMatching(
        /^ERR_CONFIG_RECONCILE_WITHOUT_TARGET {2}schemes\[0\]\.reconcile {2}scheme jdy-materials has a reconcile schedule but no target/,
      ),
    ])
  })

  it('stops start-up on an invalid scheme before anything is written to the store', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-host-config-'))
    let deep = '1'
    for (let i = 0; i < 10_000; i++) deep = `{"a":${deep}}`
    const deepFile = join(dir, 'deep.json')
    writeFileSync(
      deepFile,
      readFileSync(join(examplesDir(), 'jdy-stores.json'), 'utf8').trimEnd().replace(/}$/, `, "x_deep": ${deep}}`),
    )
    const typo = JSON.parse(readFileSync(join(examplesDir(), 'jdy-materials.json'), 'utf8')) as {
      source: { connector: string }
    }
    typo.source.connector = 'kingdee-jdyy'
    const typoFile = join(dir, 'typo.json')
    writeFileSync(typoFile, JSON.stringify(typo))
    const config = configIn(dir, {
      schemes: [
        { file: join(examplesDir(), 'jdy-materials.json'), enabled: true },
        { file: deepFile, enabled: true },
        { file: typoFile, enabled: true },
      ],
      collections: { units: [{ key: 'a', value: 'b' }] },
    })
    const err = await openHost(config, { log: silentLogger }).then(
      async (h) => {
        await h.close()
        return undefined
      },
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID', kind: 'config' })
    const lines = problemLines(err as FerryError)
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ERR_CONFIG_SCHEME_FILE {2}schemes\[1\]\.file .*ERR_SCHEME_LIMIT/),
        expect.stringMatching(/^ERR_CONFIG_UNKNOWN_CONNECTION {2}schemes\[2\]\.connections\.source .*kingdee-jdyy/),
      ]),
    )
    expect(existsSync(join(dir, 'ferry.db'))).toBe(false)
    expect(existsSync(join(dir, 'master.key'))).toBe(false)
  })
})
