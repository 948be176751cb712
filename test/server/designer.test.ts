/**
 * The designer's API over real HTTP (the service listening on port 0): new scheme versions with
 * validation problems at their JSON paths, diffs, a sample of source records, and the expression
 * language (evaluation, function registry, lineage), each role-checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, testService, type TestService } from './support.js'

const LOSS = 'jst-count-to-jdy-check-loss'

interface Doc {
  id: string
  target: { metadata: { request: { field: string; value: unknown }[] } }
  [k: string]: unknown
}

describe('the designer API over HTTP', () => {
  let t: TestService
  let base = ''
  const call = async (role: 'admin' | 'operator' | 'viewer', method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}/api/v1/${path}`, {
      method,
      headers: { ...bearer(t.tokens[role]), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: r.status, body: (await r.json()) as Record<string, unknown> }
  }
  const current = async () => {
    const r = await call('viewer', 'GET', `schemes/${LOSS}`)
    return { doc: r.body.definition as Doc, version: r.body.version as number }
  }

  beforeAll(async () => {
    t = await testService({ orders: 30, days: 2, seed: 11 })
    base = await t.svc.app.listen({ port: 0, host: '127.0.0.1' })
  }, 60_000)
  afterAll(async () => {
    await t?.close()
  })

  it('saves a changed definition as the next version and diffs it against the one before', async () => {
    const { doc, version } = await current()
    const billNo = doc.target.metadata.request.findIndex((f) => f.field === 'bill_no')
    doc.target.metadata.request[billNo]!.value = '{{io_id}}-X'
    const draft = await call('viewer', 'POST', `schemes/${LOSS}/diff`, { definition: doc })
    expect(draft.status).toBe(200)
    expect(draft.body).toMatchObject({
      ok: true,
      against: version,
      changes: [
        { path: `target.metadata.request[${billNo}].value`, op: 'changed', before: '{{io_id}}', after: '{{io_id}}-X' },
      ],
    })
    expect((await call('viewer', 'POST', `schemes/${LOSS}/versions`, { definition: doc })).body).toMatchObject({
      code: 'ERR_AUTH_FORBIDDEN',
    })
    const saved = await call('operator', 'POST', `schemes/${LOSS}/versions`, { definition: doc, basedOn: version })
    expect(saved.status, JSON.stringify(saved.body)).toBe(201)
    expect(saved.body).toMatchObject({ version: version + 1, changed: true, previous: version })
    expect((await current()).version).toBe(version + 1)
    const list = (await call('viewer', 'GET', `schemes/${LOSS}/versions`)).body.versions as { version: number }[]
    expect(list.map((v) => v.version)).toContain(version + 1)
    const diff = await call('viewer', 'GET', `schemes/${LOSS}/versions/${version + 1}/diff`)
    expect(diff.body).toMatchObject({ from: version, to: version + 1 })
    expect(diff.body.changes).toEqual([
      { path: `target.metadata.request[${billNo}].value`, op: 'changed', before: '{{io_id}}', after: '{{io_id}}-X' },
    ])
    // A draft made from the version before is refused: someone saved since.
    const stale = await call('operator', 'POST', `schemes/${LOSS}/versions`, { definition: doc, basedOn: version })
    expect(stale.status).toBe(409)
    expect(stale.body).toMatchObject({ code: 'ERR_API_CONFLICT' })
  })

  it('refuses an invalid definition with every problem at its JSON path and saves nothing', async () => {
    const { doc, version } = await current()
    doc.target.metadata.request[0]!.value = '_function NO_SUCH_FN({{io_id}})'
    const source = doc.source as { metadata: { condition: unknown } }
    source.metadata.condition = [[{ field: 'remark', logic: 'almost', value: 'x' }]]
    const r = await call('operator', 'POST', `schemes/${LOSS}/versions`, { definition: doc })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('ERR_API_SCHEME_INVALID')
    const errors = (r.body.details as { errors: { location: string }[] }).errors.map((e) => e.location)
    // An expression's problem carries its line and column after the path.
    expect(errors).toContain('target.metadata.request[0].value@1:11')
    expect(errors.some((p) => p.startsWith('source.metadata.condition[0][0]'))).toBe(true)
    expect((await current()).version).toBe(version)
  })

  it('samples source records: from the source API for an operator while the ledger is empty, never for a viewer', async () => {
    const viewer = await call('viewer', 'GET', `schemes/${LOSS}/sample?limit=2`)
    expect(viewer.body).toMatchObject({ from: 'ledger', records: [] })
    const op = await call('operator', 'GET', `schemes/${LOSS}/sample?limit=2`)
    expect(op.body.from).toBe('source')
    const records = op.body.records as { id: string; content: Record<string, unknown> }[]
    expect(records).toHaveLength(2)
    expect(typeof records[0]!.content.io_id).not.toBe('undefined')
    expect(Array.isArray(records[0]!.content.items)).toBe(true)
  })

  it('evaluates a value against a record, a detail row, and shows parse and evaluation errors with their codes', async () => {
    const record = { io_id: 'A-1', io_date: '2024-03-05 10:11:12', items: [{ sku_id: 'S1', qty: -3 }] }
    expect(
      (await call('viewer', 'POST', 'expressions/evaluate', { value: '{{io_date|date}}', record })).body,
    ).toMatchObject({ ok: true, result: '2024-03-05', targets: ['io_date'] })
    expect(
      (
        await call('viewer', 'POST', 'expressions/evaluate', {
          value: '_function ABS({{items.qty}}) * 2',
          record,
          rowPath: 'items',
        })
      ).body,
    ).toMatchObject({ ok: true, result: 6, targets: ['items.qty'] })
    const parse = (await call('viewer', 'POST', 'expressions/evaluate', { value: '_function ABS(', record })).body
    expect(parse).toMatchObject({ ok: false, stage: 'parse' })
    expect((parse.error as { code: string }).code).toMatch(/^ERR_EXPR_/)
    const bad = (await call('viewer', 'POST', 'expressions/evaluate', { value: '_function NOPE(1)', record })).body
    expect(bad).toMatchObject({ ok: false })
    expect((bad.error as { message: string }).message).toContain('NOPE')
  })

  it('keeps a stored secret when a draft sends it back redacted, and never answers it', async () => {
    const { doc } = await current()
    const withSecret = { ...doc, vendor: { api_token: 'tok-s3cret-1' } }
    expect((await call('operator', 'POST', `schemes/${LOSS}/versions`, { definition: withSecret })).status).toBe(201)
    const shown = await current()
    expect(JSON.stringify(shown.doc)).not.toContain('tok-s3cret-1')
    expect((shown.doc.vendor as { api_token: string }).api_token).toBe('[redacted]')
    // The console edits the redacted definition and saves it back.
    const edited = { ...shown.doc, name: 'edited with a redacted secret' }
    const saved = await call('operator', 'POST', `schemes/${LOSS}/versions`, { definition: edited })
    expect(saved.status).toBe(201)
    const raw = await t.svc.store.schemes.getVersion(LOSS, saved.body.version as number)
    expect(JSON.parse(raw.rawJson)).toMatchObject({
      name: 'edited with a redacted secret',
      vendor: { api_token: 'tok-s3cret-1' },
    })
    const diff = await call('viewer', 'GET', `schemes/${LOSS}/versions/${shown.version}/diff`)
    expect(JSON.stringify(diff.body)).not.toContain('tok-s3cret-1')
  })

  it('writes a saved version to the audit log, but not an evaluation, a lineage or a draft diff', async () => {
    const { doc } = await current()
    for (let i = 0; i < 3; i++) {
      await call('viewer', 'POST', 'expressions/evaluate', { value: '{{a}}', record: { a: i } })
      await call('viewer', 'POST', 'expressions/targets', { values: ['{{a}}'] })
      await call('viewer', 'POST', `schemes/${LOSS}/diff`, { definition: doc })
    }
    await call('operator', 'POST', `schemes/${LOSS}/versions`, { definition: { ...doc, name: 'renamed' } })
    const actions = ((await call('admin', 'GET', 'audit?limit=200')).body.entries as { action: string }[]).map(
      (e) => e.action,
    )
    expect(actions).toContain('POST /api/v1/schemes/:id/versions')
    expect(actions.filter((a) => /expressions|\/diff$/.test(a))).toEqual([])
  })

  it('lists every function with its help, and answers the lineage of values', async () => {
    const fns = (await call('viewer', 'GET', 'expressions/functions')).body.functions as {
      name: string
      signature: string
      description: string
      examples: unknown[]
    }[]
    const round = fns.find((f) => f.name === 'ROUND')
    expect(round?.signature).toMatch(/^ROUND\(/)
    expect(round?.description.length).toBeGreaterThan(5)
    expect(round?.examples.length).toBeGreaterThan(0)
    const lineage = (
      await call('viewer', 'POST', 'expressions/targets', {
        values: ['{{io_id}}-{{items.sku_id}}', 'audit', '_function IFNULL({{remark}}, {{LAST_SYNC_TIME}})', '{{'],
      })
    ).body.values as { targets: string[]; error?: unknown }[]
    expect(lineage.map((l) => l.targets)).toEqual([['io_id', 'items.sku_id'], [], ['remark', 'var:LAST_SYNC_TIME'], []])
    expect(lineage[3]?.error).toBeDefined()
  })
})
