import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { main } from '../../src/cli/main.js'
import { serve } from '../../src/cli/serve-command.js'
import { BUILTIN_CONNECTORS } from '../../src/connectors/builtin.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { LOSS, oracle, writeConfig } from './support.js'

/** Follow a run's Server-Sent Events to the `end` event; returns every event in order. */
async function follow(
  base: string,
  token: string,
  runId: string,
): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const res = await fetch(`${base}api/v1/runs/${runId}/events`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/event-stream')
  const events: { event: string; data: Record<string, unknown> }[] = []
  let buf = ''
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += Buffer.from(chunk).toString('utf8')
    let i: number
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i)
      buf = buf.slice(i + 2)
      const event = /^event: (.*)$/m.exec(block)?.[1]
      const data = /^data: (.*)$/m.exec(block)?.[1]
      if (event !== undefined && data !== undefined)
        events.push({ event, data: JSON.parse(data) as Record<string, unknown> })
    }
  }
  return events
}

function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)))
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

describe('ferry serve, end to end against the simulators', () => {
  let sandbox: Sandbox | undefined
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-serve-'))
  })
  afterEach(async () => {
    vi.unstubAllEnvs()
    await sandbox?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs the count scheme through the API, streams its progress, and writes a parked record once master data is fixed and it is retried', async () => {
    const hour = 3_600_000
    const start = new Date(Math.floor(Date.now() / hour) * hour - 5 * 86_400_000 - 2 * hour)
    sandbox = await startSandbox({ orders: 120, days: 5, seed: 17, start })
    const sb = sandbox
    const file = writeConfig(sb, dir, start)
    vi.stubEnv('TEST_JST_SECRET', sb.info().jst.appSecret)
    vi.stubEnv('TEST_JDY_SECRET', sb.info().jdy.clientSecret)
    vi.stubEnv('FERRY_LOG_LEVEL', 'error')

    // A token, created by the CLI before the service starts (printed once, on stdout).
    let printed = ''
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      printed += String(c)
      return true
    })
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      expect(
        await main(['node', 'ferry', 'token', 'create', '--role', 'operator', '--name', 'e2e', '--config', file]),
      ).toBe(0)
    } finally {
      spy.mockRestore()
      err.mockRestore()
    }
    const token = printed.trim()
    expect(token).toMatch(/^fry_[0-9a-f]{12}_/)

    const stop = new AbortController()
    const config = loadConfig({
      path: file,
      connectors: BUILTIN_CONNECTORS.map((c) => ({ name: c.name, config: c.config })),
    })
    let base = ''
    let served: Promise<void> = Promise.resolve()
    const listening = new Promise<void>((resolve) => {
      served = serve(config, {
        port: 0,
        host: '127.0.0.1',
        json: true,
        signal: stop.signal,
        onListening: (_svc, url) => {
          base = url
          resolve()
        },
      })
    })
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await listening
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}${path.replace(/^\//, '')}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
        return { status: res.status, body: (await res.json()) as Record<string, unknown> }
      }
      const run = async (path: string, body: unknown = {}) => {
        const r = await api('POST', path, body)
        expect(r.status, JSON.stringify(r.body)).toBe(202)
        const events = await follow(base, token, String(r.body.runId))
        expect(events.at(-1)?.event).toBe('end')
        return events
      }
      const metrics = async () =>
        (await fetch(`${base}metrics`, { headers: { authorization: `Bearer ${token}` } })).text()

      expect((await fetch(`${base}healthz`)).status).toBe(200)
      for (const s of ['jdy-materials', 'jdy-stores']) await run(`/api/v1/schemes/${s}/runs`)
      const before = await metrics()

      const events = await run(`/api/v1/schemes/${LOSS}/runs`)
      expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(0)
      const expected = oracle(sb.jst.orders.latest(), sb.dataset.jdy)
      expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded', counters: { written: expected.bills.size } })
      expect(expected.parked.size).toBeGreaterThan(0)

      const parked = await api('GET', `/api/v1/schemes/${LOSS}/records?status=error&errorCode=ERR_LOOKUP_MISSING`)
      const ids = (parked.body.records as { id: string }[]).map((r) => r.id).sort()
      expect(ids).toEqual([...expected.parked.keys()].sort())
      const target = ids[0]!
      const detail = await api('GET', `/api/v1/schemes/${LOSS}/records/${target}`)
      expect(detail.body).toMatchObject({ record: { status: 'error', lastError: { code: 'ERR_LOOKUP_MISSING' } } })

      const mid = await metrics()
      expect(
        metric(mid, 'ferry_records_total', { scheme: LOSS, outcome: 'written' }) -
          metric(before, 'ferry_records_total', { scheme: LOSS, outcome: 'written' }),
      ).toBe(expected.bills.size)
      expect(metric(mid, 'ferry_failed_records', { scheme: LOSS })).toBe(expected.parked.size)
      expect(metric(mid, 'ferry_connector_calls_total', { connector: 'kingdee-jdy', outcome: '2xx' })).toBeGreaterThan(
        0,
      )
      expect(metric(mid, 'ferry_run_duration_seconds_count', { scheme: LOSS })).toBe(1)

      // Fix master data in the book (the simulator's admin API), as a person would, then re-read it.
      const template = sb.dataset.jdy.materials[0]!
      let n = 0
      for (const sku of expected.parked.get(target)!) {
        const res = await fetch(`${sb.info().jdy.admin}master-data/material`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sb.adminToken}` },
          body: JSON.stringify({ ...template, id: `990000${++n}`, number: sku, name: `added ${sku}` }),
        })
        expect(res.status).toBe(200)
      }
      await run('/api/v1/schemes/jdy-materials/backfill', { from: '2020-01-01' })

      const retried = await api('POST', `/api/v1/schemes/${LOSS}/records/${target}/retry`)
      expect(retried.status).toBe(202)
      expect(retried.body.requeued).toEqual([target])
      const retryEvents = await follow(base, token, String(retried.body.runId))
      expect(retryEvents.at(-1)?.data).toMatchObject({ status: 'succeeded', counters: { written: 1 } })
      expect((await api('GET', `/api/v1/schemes/${LOSS}/records/${target}`)).body).toMatchObject({
        record: { status: 'done' },
      })
      expect(sb.jdy.bills.list().some((b) => b.bill_no === target)).toBe(true)

      const after = await metrics()
      expect(
        metric(after, 'ferry_records_total', { scheme: LOSS, outcome: 'written' }) -
          metric(mid, 'ferry_records_total', { scheme: LOSS, outcome: 'written' }),
      ).toBe(1)
      expect(metric(after, 'ferry_failed_records', { scheme: LOSS })).toBe(expected.parked.size - 1)
      expect(metric(after, 'ferry_ledger_records', { scheme: LOSS, status: 'done' })).toBe(expected.bills.size + 1)
      // The operator's calls are in the audit log (read with an admin token).
      const admin = await (
        await import('../../src/store/index.js')
      ).openStore({ url: config.database.url, masterKeyFile: config.masterKey.file })
      try {
        const audit = await admin.access.readAudit({ limit: 50 })
        expect(audit.entries.map((e) => e.action)).toContain('POST /api/v1/schemes/:id/records/:recordId/retry')
      } finally {
        await admin.close()
      }
    } finally {
      stop.abort()
      await served
      out.mockRestore()
    }
  }, 180_000)
})
