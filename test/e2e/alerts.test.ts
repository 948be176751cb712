/**
 * End to end: the 聚水潭 simulator starts failing, the count-order scheme's run fails, and the
 * DingTalk robot (a local receiver verifying DingTalk's signature) gets exactly one signed alert
 * within the configured evaluation interval; after recovery it gets exactly one resolved message.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseAlertsSection } from '../../src/config/alerts.js'
import { AlertService, schemeRefs } from '../../src/alerts/service.js'
import { runScheme } from '../../src/engine/run.js'
import { openHost } from '../../src/engine/host.js'
import { silentLogger } from '../../src/engine/ports.js'
import { startScheduler } from '../../src/cli/start-scheduler.js'
import { dingTalkRobot, signedWebhook, type Receiver } from '../alerts/receivers.js'
import { LOSS, world, type World } from './support.js'

const COUNT = '/open/inventory/count/query'
const INTERVAL_MS = 250
const quiet = { info: () => undefined, warn: () => undefined }

async function until(what: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now()
  while (!what()) {
    if (Date.now() - t0 > ms) return -1
    await new Promise((r) => setTimeout(r, 20))
  }
  return Date.now() - t0
}

describe('alerts end to end', () => {
  let w: World | undefined
  let robot: Receiver | undefined
  let svc: AlertService | undefined
  afterEach(async () => {
    await svc?.stop()
    await robot?.close()
    await w?.close()
  })

  it('sends one signed DingTalk alert when the source starts failing and one resolved message after it recovers', async () => {
    w = await world({ orders: 30, days: 2, seed: 16 })
    robot = await dingTalkRobot('e2e-token', 'SEC-e2e')
    const setup = parseAlertsSection({
      interval: `${INTERVAL_MS}ms`,
      language: 'zh-CN',
      consoleUrl: 'http://console.local',
      channels: {
        ding: { type: 'dingtalk', webhook: `${robot.url}/robot/send?access_token=e2e-token`, secret: 'SEC-e2e' },
      },
    })
    // The delay is counted in evaluations, not wall time: the alert must go out at the first or
    // second evaluation after the failed run (the first may already be under way when it ends).
    let ticks = 0
    let sentAtTick = -1
    svc = await AlertService.open({
      store: w.host.store,
      setup,
      schemes: schemeRefs(w.host),
      log: quiet,
      onTick: (r) => {
        ticks++
        if (sentAtTick < 0 && r.sent.some((x) => x.ok)) sentAtTick = ticks
      },
    })
    for (const id of ['jdy-materials', 'jdy-stores']) await runScheme(w.host.deps, w.host.scheme(id))
    svc.start()

    w.sandbox.jst.faults.set([{ endpoint: COUNT, when: { always: true }, fault: { kind: 'http_error', status: 502 } }])
    const failed = await runScheme(w.host.deps, w.host.scheme(LOSS), { stages: ['source'] })
    expect(failed.status).toBe('failed')
    const failedAtTick = ticks
    expect(await until(() => sentAtTick >= 0, 40 * INTERVAL_MS)).toBeGreaterThanOrEqual(0)
    expect(sentAtTick - failedAtTick).toBeGreaterThanOrEqual(1)
    expect(sentAtTick - failedAtTick).toBeLessThanOrEqual(2)
    await new Promise((r) => setTimeout(r, 6 * INTERVAL_MS))
    expect(robot.refused).toHaveLength(0)
    expect(robot.received).toHaveLength(1)
    const alert = robot.received[0]?.json.markdown as { title: string; text: string }
    expect(alert.title).toContain(`[Ferry] 告警 ${LOSS}`)
    expect(alert.text).toContain(failed.error?.code ?? 'missing code')
    expect(alert.text).toContain(`http://console.local/schemes/${LOSS}`)

    w.sandbox.jst.faults.clear()
    const ok = await runScheme(w.host.deps, w.host.scheme(LOSS), { stages: ['source'] })
    expect(ok.status).toBe('ok')
    expect(await until(() => robot!.received.length >= 2, 40 * INTERVAL_MS)).toBeGreaterThanOrEqual(0)
    await new Promise((r) => setTimeout(r, 6 * INTERVAL_MS))
    expect(robot.refused).toHaveLength(0)
    expect(robot.received).toHaveLength(2)
    expect((robot.received[1]?.json.markdown as { title: string }).title).toContain(`[Ferry] 已恢复 ${LOSS}`)
    const incidents = await w.host.store.alerts.list()
    expect(incidents.map((i) => [i.rule, i.status])).toEqual([['runFailed', 'resolved']])
  }, 60_000)

  it('runs the evaluator inside `ferry start`: a paused scheme is reported to the configured channel', async () => {
    w = await world({ orders: 10, days: 1, seed: 4 })
    robot = await signedWebhook('hook-secret')
    await w.host.store.schemes.pause(LOSS, 'ERR_JDY_AUTH_REJECTED the client secret was refused')
    await w.host.close()
    w.host = await openHost(
      {
        ...w.config,
        alerts: {
          interval: `${INTERVAL_MS}ms`,
          language: 'en',
          channels: { hook: { type: 'webhook', url: `${robot.url}/ferry`, secret: 'hook-secret' } },
        },
      },
      { log: silentLogger },
    )
    const stop = new AbortController()
    const printed: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      printed.push(String(c))
      return true
    })
    try {
      const running = startScheduler(w.host, true, stop.signal)
      expect(await until(() => robot!.received.length >= 1, 20 * INTERVAL_MS)).toBeGreaterThanOrEqual(0)
      stop.abort()
      await running
    } finally {
      spy.mockRestore()
    }
    expect(robot.refused).toHaveLength(0)
    expect(robot.received[0]?.json).toMatchObject({
      state: 'firing',
      incident: { schemeId: LOSS, rule: 'paused', codes: ['ERR_JDY_AUTH_REJECTED'] },
    })
    expect(printed.join('')).toContain(`"opened":["${LOSS}:paused"]`)
    expect(await w.host.store.leases.holder('alerts:evaluator')).toBeUndefined()
  }, 60_000)
})
