import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { stringify } from 'yaml'
import { ferry } from '../support/cli.js'
import { openStore } from '../../src/store/index.js'
import { dingTalkRobot, type Receiver } from './receivers.js'

describe('ferry alerts', () => {
  let dir: string
  let robot: Receiver
  const write = (alerts: unknown) => {
    const file = join(dir, 'ferry.yaml')
    writeFileSync(
      file,
      stringify({
        database: { url: `sqlite:${join(dir, 'ferry.db')}` },
        masterKey: { file: join(dir, 'master.key') },
        connections: {},
        schemes: [],
        alerts,
      }),
    )
    return file
  }
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-alerts-cli-'))
    robot = await dingTalkRobot('tok-9', 'SEC-cli-secret')
    vi.stubEnv('FERRY_LOG_LEVEL', 'error')
    vi.stubEnv('TEST_DING_SECRET', 'SEC-cli-secret')
  })
  afterEach(async () => {
    vi.unstubAllEnvs()
    await robot.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const dingtalk = () => ({
    channels: {
      ops: { type: 'dingtalk', webhook: `${robot.url}/robot/send?access_token=tok-9`, secret: '${TEST_DING_SECRET}' },
    },
  })

  it('sends a signed test message to a channel with `alerts test`', async () => {
    const config = write(dingtalk())
    const r = await ferry('alerts', 'test', 'ops', '--config', config)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toContain('test message sent to ops (dingtalk)')
    expect(robot.refused).toHaveLength(0)
    expect(robot.received).toHaveLength(1)
  })

  it('names the configured channels when `alerts test` is given an unknown one', async () => {
    const r = await ferry('alerts', 'test', 'nope', '--config', write(dingtalk()))
    expect(r.code).toBe(1)
    expect(r.err).toContain('ERR_ALERT_UNKNOWN_CHANNEL')
    expect(r.err).toContain('configured: ops')
  })

  it('lists channels without their secrets and keeps the secret sealed in the store', async () => {
    const config = write(dingtalk())
    const r = await ferry('alerts', 'channels', '--config', config, '--json')
    expect(JSON.parse(r.out)).toEqual({
      channels: [{ name: 'ops', type: 'dingtalk', language: 'zh-CN', ratePerMinute: 20, default: true }],
    })
    expect(r.out).not.toContain('SEC-cli-secret')
    const renamed = write({ channels: { ops2: dingtalk().channels.ops } })
    expect(JSON.parse((await ferry('alerts', 'channels', '--config', renamed, '--json')).out)).toMatchObject({
      channels: [{ name: 'ops2' }],
    })
    const store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    try {
      expect(JSON.stringify(await store.db.selectFrom('alert_channels').selectAll().execute())).not.toContain(
        'SEC-cli-secret',
      )
    } finally {
      await store.close()
    }
  })

  it('lists incidents, open ones first', async () => {
    const config = write(dingtalk())
    expect((await ferry('alerts', '--config', config)).out).toContain('no incidents')
    const store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    try {
      const old = await store.alerts.open('a:runFailed', {
        schemeId: 'a',
        rule: 'runFailed',
        severity: 'warning',
        details: {
          numbers: {},
          codes: ['ERR_X'],
          summary: { en: 'the last source run failed', zh: '最近一次运行失败' },
        },
        at: new Date('2026-12-01T00:00:00Z'),
      })
      await store.alerts.resolve(old.id, new Date('2026-12-01T01:00:00Z'))
      await store.alerts.open('b:freshness', {
        schemeId: 'b',
        rule: 'freshness',
        severity: 'critical',
        details: { numbers: {}, codes: [], summary: { en: 'no source window closed for 3 h', zh: '' } },
        at: new Date('2026-11-30T00:00:00Z'),
      })
    } finally {
      await store.close()
    }
    const r = await ferry('alerts', '--config', config)
    const lines = r.out.trim().split('\n')
    expect(lines[1]).toMatch(/^open\s+critical\s+b\s+freshness/)
    expect(lines[2]).toMatch(/^resolved\s+warning\s+a\s+run failed/)
    const j = JSON.parse((await ferry('alerts', '--config', config, '--status', 'open', '--json')).out) as {
      incidents: { key: string }[]
    }
    expect(j.incidents.map((i) => i.key)).toEqual(['b:freshness'])
  })

  it('refuses a configuration with a bad alert setting, naming its path', async () => {
    const r = await ferry('alerts', '--config', write({ ...dingtalk(), repeat: 'often', route: ['ops', 'pager'] }))
    expect(r.code).toBe(1)
    expect(r.err).toContain('alerts.repeat')
    expect(r.err).toContain('alerts.route[1]')
  })
})
