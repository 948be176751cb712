/**
 * Issue 16's results through issue 14's service: incidents and channels under /api/v1/alerts, a
 * channel test message received by a local webhook that checks the documented signature, the
 * run detail's data-quality summary, and the quality and alert metrics.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { examplesDir } from '../../src/cli/demo-command.js'
import { runScheme } from '../../src/engine/run.js'
import { LOSS } from '../e2e/support.js'
import { bearer, testService, type TestService } from './support.js'

/** A webhook receiver that checks `X-Ferry-Signature: t=<s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` as docs/alerts.md documents it. */
async function receiver(secret: string) {
  const got: { path: string; headers: IncomingHttpHeaders; body: string; valid: boolean }[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8')
    })
    req.on('end', () => {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-ferry-signature'] ?? ''))
      const want = m === null ? '' : createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex')
      const valid = m !== null && timingSafeEqual(Buffer.from(want), Buffer.from(m[2] ?? ''))
      got.push({ path: req.url ?? '', headers: req.headers, body, valid })
      res
        .writeHead(valid ? 200 : 401, { 'content-type': 'application/json' })
        .end(valid ? '{"ok":true}' : '{"error":"bad signature"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => {
          r()
        })
      }),
  }
}

describe('alert incidents and channels through the API', () => {
  const secret = 'hook-secret-value-81'
  let t: TestService
  let hook: Awaited<ReturnType<typeof receiver>>
  const answers: string[] = []
  beforeAll(async () => {
    hook = await receiver(secret)
    t = await testService({
      configure: (c) => ({
        ...c,
        alerts: {
          language: 'en',
          route: ['hook'],
          channels: {
            hook: { type: 'webhook', url: `${hook.url}/ferry?token=path-token-77`, secret },
            wrong: { type: 'webhook', url: `${hook.url}/ferry`, secret: 'not-the-receivers-secret' },
          },
        },
      }),
    })
  }, 60_000)
  afterAll(async () => {
    await t.close()
    await hook.close()
  })
  const get = async (url: string, token = t.tokens.viewer) => {
    const r = await t.svc.app.inject({ method: 'GET', url, headers: bearer(token) })
    answers.push(r.body)
    return r
  }

  it('lists incidents from the store newest first, filters them, and shows one with its deliveries', async () => {
    const a = t.svc.store.alerts
    const old = await a.open('jdy-materials:run_failed', {
      schemeId: 'jdy-materials',
      rule: 'run_failed',
      severity: 'critical',
      details: { numbers: { failed: 1 }, codes: ['ERR_JDY_AUTH'] },
      at: new Date('2026-01-01T00:00:00Z'),
    })
    await a.resolve(old.id, new Date('2026-01-01T01:00:00Z'))
    const open = await a.open(`${LOSS}:freshness`, {
      schemeId: LOSS,
      rule: 'freshness',
      severity: 'warning',
      details: { numbers: { minutes: 90, threshold: 60 }, codes: [] },
      at: new Date('2026-01-02T00:00:00Z'),
    })
    await a.recordDelivery({
      incidentId: open.id,
      channel: 'hook',
      state: 'firing',
      at: new Date('2026-01-02T00:00:05Z'),
      ok: true,
      error: null,
    })
    await a.recordDelivery({
      incidentId: open.id,
      channel: 'wrong',
      state: 'firing',
      at: new Date('2026-01-02T00:00:06Z'),
      ok: false,
      error: 'alert channel wrong refused the message: HTTP 401',
    })

    const all = await get('/api/v1/alerts')
    expect(all.statusCode).toBe(200)
    expect(all.json<{ incidents: { id: string }[] }>().incidents.map((i) => i.id)).toEqual([open.id, old.id])
    expect(all.json()).toMatchObject({
      incidents: [
        {
          id: open.id,
          key: `${LOSS}:freshness`,
          schemeId: LOSS,
          rule: 'freshness',
          status: 'open',
          openedAt: '2026-01-02T00:00:00.000Z',
          resolvedAt: null,
          details: { numbers: { minutes: 90 } },
        },
        { status: 'resolved', resolvedAt: '2026-01-01T01:00:00.000Z' },
      ],
    })
    expect(
      (await get('/api/v1/alerts?status=resolved')).json<{ incidents: { id: string }[] }>().incidents.map((i) => i.id),
    ).toEqual([old.id])
    expect(
      (await get(`/api/v1/alerts?scheme=${LOSS}&status=open`))
        .json<{ incidents: { id: string }[] }>()
        .incidents.map((i) => i.id),
    ).toEqual([open.id])
    expect((await get('/api/v1/alerts?limit=1')).json<{ incidents: unknown[] }>().incidents).toHaveLength(1)
    const bad = await get('/api/v1/alerts?status=closed')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'ERR_API_REQUEST_INVALID' })

    const one = await get(`/api/v1/alerts/${open.id}`)
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({
      id: open.id,
      status: 'open',
      deliveries: [
        { channel: 'hook', state: 'firing', ok: true, error: null, at: '2026-01-02T00:00:05.000Z' },
        { channel: 'wrong', state: 'firing', ok: false, error: expect.stringContaining('HTTP 401') },
      ],
    })
    const missing = await get('/api/v1/alerts/no-such-incident')
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'ERR_STORE_NOT_FOUND' })

    const metrics = (await get('/metrics')).body
    expect(metrics).toContain(`ferry_alert_incidents_open{scheme="${LOSS}",rule="freshness"} 1`)
    expect(metrics).not.toContain('ferry_alert_incidents_open{scheme="jdy-materials"')
    expect(metrics).toContain('ferry_alert_deliveries{channel="hook",outcome="sent"} 1')
    expect(metrics).toContain('ferry_alert_deliveries{channel="wrong",outcome="failed"} 1')
  })

  it('sends a signed test message to a channel for an operator, names a refusal, and never shows a channel secret', async () => {
    const channels = await get('/api/v1/alerts/channels')
    expect(channels.json()).toEqual({
      channels: [
        { name: 'hook', type: 'webhook', language: 'en', ratePerMinute: expect.any(Number), defaultRoute: true },
        { name: 'wrong', type: 'webhook', language: 'en', ratePerMinute: expect.any(Number), defaultRoute: false },
      ],
    })

    const viewer = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels/hook/test',
      headers: bearer(t.tokens.viewer),
    })
    expect(viewer.statusCode).toBe(403)
    expect(hook.got).toHaveLength(0)

    const sent = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels/hook/test',
      headers: bearer(t.tokens.operator),
    })
    answers.push(sent.body)
    expect(sent.statusCode, sent.body).toBe(200)
    expect(sent.json()).toEqual({ channel: 'hook', type: 'webhook', sent: true })
    expect(hook.got).toHaveLength(1)
    expect(hook.got[0]).toMatchObject({ path: '/ferry?token=path-token-77', valid: true })
    expect(JSON.parse(hook.got[0]?.body ?? '{}')).toMatchObject({
      source: 'ferry',
      state: 'test',
      title: '[Ferry] test message for channel hook',
    })

    const refused = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels/wrong/test',
      headers: bearer(t.tokens.operator),
    })
    answers.push(refused.body)
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'ERR_ALERT_CHANNEL_REJECTED', details: { kind: 'config' } })
    expect(hook.got.at(-1)?.valid).toBe(false)

    const unknown = await t.svc.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels/pager/test',
      headers: bearer(t.tokens.operator),
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({
      code: 'ERR_ALERT_UNKNOWN_CHANNEL',
      message: expect.stringContaining('hook, wrong'),
    })

    const audit = (await get('/api/v1/audit?limit=20', t.tokens.admin)).json<{
      entries: { action: string; target: string; status: number; actor: string }[]
    }>().entries
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'operator test',
          action: 'POST /api/v1/alerts/channels/:name/test',
          target: '/api/v1/alerts/channels/hook/test',
          status: 200,
        }),
        expect.objectContaining({
          action: 'POST /api/v1/alerts/channels/:name/test',
          target: '/api/v1/alerts/channels/wrong/test',
          status: 422,
        }),
        expect.objectContaining({ actor: 'viewer test', target: '/api/v1/alerts/channels/hook/test', status: 403 }),
      ]),
    )
    const everything = answers.join('\n') + t.logs()
    for (const s of [secret, 'not-the-receivers-secret', 'path-token-77'])
      expect(everything.includes(s), `${s} leaked`).toBe(false)
  })
})

describe('the data-quality summary of a run through the API and the metrics', () => {
  let t: TestService | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('shows the quality summary in the run detail of a run whose records failed a rule, and counts the failures in /metrics', async () => {
    t = await testService({
      orders: 40,
      days: 2,
      seed: 23,
      configure: (c, dir) => {
        const doc = JSON.parse(readFileSync(join(examplesDir(), `${LOSS}.json`), 'utf8')) as {
          target: Record<string, unknown>
        }
        doc.target.quality = [{ rule: 'regex', path: 'bill_no', pattern: '[02468]$', name: 'even bill numbers only' }]
        const file = join(dir, 'loss-with-quality.json')
        writeFileSync(file, JSON.stringify(doc))
        return { ...c, schemes: c.schemes.map((s) => (s.file.endsWith(`${LOSS}.json`) ? { ...s, file } : s)) }
      },
    })
    const h = t.svc.host
    for (const id of ['jdy-materials', 'jdy-stores', LOSS]) await runScheme(h.deps, h.scheme(id))
    const parked = (await h.store.ledger.listRecords(LOSS, { status: 'error', limit: 1000 })).records.filter(
      (r) => r.lastError?.code === 'ERR_QUALITY_PATTERN',
    )
    expect(parked.length).toBeGreaterThan(0)

    const runs = (
      await t.svc.app.inject({ method: 'GET', url: `/api/v1/runs?scheme=${LOSS}`, headers: bearer(t.tokens.viewer) })
    ).json<{ runs: { id: string }[] }>().runs
    const detail = await t.svc.app.inject({
      method: 'GET',
      url: `/api/v1/runs/${runs[0]?.id ?? ''}`,
      headers: bearer(t.tokens.viewer),
    })
    expect(detail.statusCode).toBe(200)
    const body = detail.json<{
      quality: {
        rule: string
        code: string
        path: string
        count: number
        examples: { recordIds: string[]; path: string }[]
      }[]
      counters: Record<string, unknown>
    }>()
    expect(body.quality).toHaveLength(1)
    expect(body.quality[0]).toMatchObject({
      rule: 'even bill numbers only',
      code: 'ERR_QUALITY_PATTERN',
      path: 'bill_no',
      count: parked.length,
    })
    expect(body.quality[0]?.examples.length).toBeGreaterThan(0)
    expect(parked.map((r) => r.id)).toEqual(expect.arrayContaining(body.quality[0]?.examples[0]?.recordIds ?? ['none']))
    expect(body.counters.quality).toEqual({ 'ERR_QUALITY_PATTERN bill_no': parked.length })

    // The SSE stream of the finished run (still followed here) ends with the same summary.
    const events = (
      await t.svc.app.inject({
        method: 'GET',
        url: `/api/v1/runs/${runs[0]?.id ?? ''}/events`,
        headers: bearer(t.tokens.viewer),
      })
    ).body
    const end = /event: end\ndata: (.*)\n/.exec(events)?.[1]
    expect(JSON.parse(end ?? '{}')).toMatchObject({
      quality: [{ code: 'ERR_QUALITY_PATTERN', path: 'bill_no', count: parked.length }],
    })

    const clean = (
      await t.svc.app.inject({
        method: 'GET',
        url: '/api/v1/runs?scheme=jdy-materials',
        headers: bearer(t.tokens.viewer),
      })
    ).json<{ runs: { id: string }[] }>().runs
    expect(
      (
        await t.svc.app.inject({
          method: 'GET',
          url: `/api/v1/runs/${clean[0]?.id ?? ''}`,
          headers: bearer(t.tokens.viewer),
        })
      ).json(),
    ).toMatchObject({ quality: [] })

    const metrics = (await t.svc.app.inject({ method: 'GET', url: '/metrics', headers: bearer(t.tokens.viewer) })).body
    expect(metrics).toContain(
      `ferry_quality_failures_total{scheme="${LOSS}",code="ERR_QUALITY_PATTERN",path="bill_no"} ${parked.length}`,
    )
    expect(metrics).not.toContain('ferry_quality_failures_total{scheme="jdy-materials"')
  }, 90_000)
})
