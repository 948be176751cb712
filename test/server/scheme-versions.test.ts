/**
 * A version saved from the console runs without a restart (over real HTTP, the service on port
 * 0): the next run writes the changed mapping to the JDY simulator, `GET /schemes/{id}` shows the
 * definition that runs, and a version that would not run here is refused before it is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, testService, type TestService } from './support.js'

const LOSS = 'jst-count-to-jdy-check-loss'

interface Doc {
  target: { connection?: string; metadata: { request: { field: string; value: unknown }[] } }
  schedule: { target: { crontab: string } }
  [k: string]: unknown
}
interface Detail {
  version: number
  running: { version: number; from: string; reason: string }
  definition: Doc
  schedule: { target: string | null }
}

describe('a version saved from the console runs without a restart', () => {
  let t: TestService
  let base = ''
  const call = async <T>(method: string, path: string, body?: unknown, role: 'operator' | 'viewer' = 'operator') => {
    const r = await fetch(`${base}/api/v1/${path}`, {
      method,
      headers: { ...bearer(t.tokens[role]), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: r.status, body: (await r.json()) as T }
  }
  const runNow = async (id: string) => {
    const r = await call<{ runId: string }>('POST', `schemes/${id}/runs`, {})
    expect(r.status).toBe(202)
    for (;;) {
      const run = await call<{ status: string }>('GET', `runs/${r.body.runId}`, undefined, 'viewer')
      if (run.body.status !== 'running') return run.body.status
      await new Promise((res) => setTimeout(res, 100))
    }
  }

  beforeAll(async () => {
    t = await testService({ orders: 40, days: 2, seed: 23 })
    base = await t.svc.app.listen({ port: 0, host: '127.0.0.1' })
    // The master data the loss bills look up.
    for (const id of ['jdy-materials', 'jdy-stores']) expect(await runNow(id)).toBe('succeeded')
  }, 90_000)
  afterAll(async () => {
    await t?.close()
  })

  it('runs a saved remark template on the next run and shows that definition and version', async () => {
    const before = (await call<Detail>('GET', `schemes/${LOSS}`, undefined, 'viewer')).body
    expect(before.running).toMatchObject({ version: before.version, from: 'file' })
    const doc = before.definition
    const remark = doc.target.metadata.request.find((f) => f.field === 'remark')!
    expect(remark.value).toBe('{{remark}}')
    remark.value = '{{remark}} (console v2)'
    doc.schedule.target.crontab = '*/7 * * * *'
    const saved = await call<{ version: number; running: number }>('POST', `schemes/${LOSS}/versions`, {
      definition: doc,
      basedOn: before.version,
    })
    expect(saved.status, JSON.stringify(saved.body)).toBe(201)
    expect(saved.body).toMatchObject({ version: before.version + 1, running: before.version + 1 })

    const after = (await call<Detail>('GET', `schemes/${LOSS}`, undefined, 'viewer')).body
    expect(after.version).toBe(before.version + 1)
    expect(after.running).toMatchObject({ version: before.version + 1, from: 'store' })
    expect(after.running.reason).toContain('saved from the console')
    expect(after.definition.target.metadata.request.find((f) => f.field === 'remark')?.value).toBe(
      '{{remark}} (console v2)',
    )
    expect(after.schedule.target).toBe('*/7 * * * *')

    expect(t.sandbox.jdy.bills.list()).toHaveLength(0)
    expect(await runNow(LOSS)).toBe('succeeded')
    const bills = t.sandbox.jdy.bills.list()
    expect(bills.length).toBeGreaterThan(0)
    for (const b of bills) expect(b.remark).toMatch(/ \(console v2\)$/)
  })

  it('refuses a version whose target connection this service does not have, and keeps running the one before', async () => {
    const before = (await call<Detail>('GET', `schemes/${LOSS}`, undefined, 'viewer')).body
    const doc = before.definition
    doc.target.connection = 'no-such-connection'
    const r = await call<{ code: string; details: { errors: { code: string; message: string }[] } }>(
      'POST',
      `schemes/${LOSS}/versions`,
      { definition: doc },
    )
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('ERR_API_SCHEME_INVALID')
    expect(r.body.details.errors[0]).toMatchObject({ code: 'ERR_CONFIG_UNKNOWN_CONNECTION' })
    expect(r.body.details.errors[0]?.message).toContain('no-such-connection')
    const after = (await call<Detail>('GET', `schemes/${LOSS}`, undefined, 'viewer')).body
    expect(after.version).toBe(before.version)
    expect(after.running.version).toBe(before.running.version)
  })
})
