import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { problemLines } from '../../src/config/load.js'
import type { FerryConfig } from '../../src/config/types.js'
import { FerryError } from '../../src/core/errors.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'

describe('opening a host from configuration', () => {
  let dir: string | undefined
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }); dir = undefined })

  it('refuses a reconcile schedule on a scheme without a target, naming the entry, before anything runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-host-config-'))
    const config: FerryConfig = {
      file: undefined, baseDir: dir,
      database: { url: `sqlite:${join(dir, 'ferry.db')}` },
      masterKey: { file: join(dir, 'master.key') },
      connections: {
        jdy: { connector: 'kingdee-jdy', budget: { perSecond: 5, perMinute: 100, inFlight: 1 }, settings: { baseUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's',
          outerInstanceId: 'o', accountId: 'a', appKey: 'k', appSecret: 'x', domain: 'http://127.0.0.1:9' } },
      },
      schemes: [{ file: join(examplesDir(), 'jdy-materials.json'), enabled: true, reconcile: { crontab: '0 3 * * *', closedDays: 7, repair: false } }],
      collections: {},
      engine: { retryLadder: [1], jitter: 0, leaseTtlSeconds: 30, batchSize: 100 },
    }
    let lines: string[] = []
    try {
      const host = await openHost(config, { log: silentLogger })
      await host.close()
    } catch (e) {
      if (!(e instanceof FerryError)) throw e
      lines = problemLines(e)
    }
    expect(lines).toEqual([expect.stringMatching(/^ERR_CONFIG_RECONCILE_WITHOUT_TARGET {2}schemes\[0\]\.reconcile {2}scheme jdy-materials has a reconcile schedule but no target/)])
  })
})
