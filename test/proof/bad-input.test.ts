/**
 * The bad-input corpus (test/fixtures/bad-input): malformed scheme files, and malformed vendor
 * answers served on the wire by a local server to the real connectors' read and write paths.
 * Each yields a coded error (code and kind asserted) or an outcome the engine acts on safely;
 * nothing crashes, and what the ledger and the cursor already hold survives a failed fetch.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalRateBudget } from '../../src/connectors/budget.js'
import type { ConnectorRuntime, Page } from '../../src/connectors/contract.js'
import { COUNT_API, jushuitan } from '../../src/connectors/jushuitan/index.js'
import { kingdeeJdy } from '../../src/connectors/kingdee-jdy/index.js'
import { MemoryCredentialStore } from '../../src/connectors/memory-credentials.js'
import { resolveConnectionConfig } from '../../src/connectors/registry.js'
import { isFerryError, type ErrorKind } from '../../src/core/errors.js'
import { engineScheme } from '../../src/engine/adapters/scheme.js'
import { emptyCounters, silentLogger } from '../../src/engine/ports.js'
import { runSourceStage } from '../../src/engine/source-stage.js'
import { examplesDir } from '../../src/cli/demo-command.js'
import { loadCompiledScheme } from '../../src/scheme/index.js'
import { openStore } from '../../src/store/index.js'
import { jdyBillView } from '../../src/proof/views.js'
import { FIXTURES, fixture, startBadServer, type BadServer } from './bad-input-server.js'

const log = { debug: () => {}, info: () => {}, warn: () => {} }
const H = 3_600_000
const BILL = '/jdy/v2/scm/inv_check_loss_bill'
const DETAIL = '/jdy/v2/scm/inv_check_loss_bill_detail'

async function rejection(p: Promise<unknown>): Promise<{ code: string; kind: ErrorKind; message: string }> {
  try {
    await p
  } catch (e) {
    expect(isFerryError(e), `not a FerryError: ${String(e)}`).toBe(true)
    const err = e as { code: string; kind: ErrorKind; message: string }
    return { code: err.code, kind: err.kind, message: err.message }
  }
  throw new Error('expected a rejection')
}

async function rowsOf(pages: AsyncIterable<Page>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = []
  for await (const p of pages) out.push(...p.rows)
  return out
}

const served = (file: string) => ({
  body: fixture(file),
  contentType: file.endsWith('.html') ? 'text/html;charset=UTF-8' : 'application/json;charset=UTF-8',
})

describe('bad-input corpus: scheme files', () => {
  const expected: Record<string, string> = {
    'array-root.json': 'ERR_SCHEME_TYPE',
    'empty.json': 'ERR_SCHEME_SYNTAX',
    'html-page.json': 'ERR_SCHEME_SYNTAX',
    'null-metadata.json': 'ERR_SCHEME_TYPE',
    'truncated.json': 'ERR_SCHEME_SYNTAX',
    'wrong-types.json': 'ERR_SCHEME_TYPE',
  }

  it('covers every file of the corpus', () => {
    expect(readdirSync(join(FIXTURES, 'schemes')).sort()).toEqual(Object.keys(expected).sort())
  })

  for (const [file, first] of Object.entries(expected)) {
    it(`rejects ${file} with ERR_SCHEME_INVALID (config) naming ${first}`, async () => {
      const err = await rejection(loadCompiledScheme(join(FIXTURES, 'schemes', file)))
      expect(err).toMatchObject({ code: 'ERR_SCHEME_INVALID', kind: 'config' })
      expect(err.message).toContain(first)
      expect(err.message).toContain(file)
    })
  }
})

describe('bad-input corpus: vendor answers on the wire', () => {
  let server: BadServer
  let jst: ConnectorRuntime
  let jdy: ConnectorRuntime
  const end = new Date(Date.now() - 3 * H)
  const window = { start: new Date(end.getTime() - H), end }

  beforeAll(async () => {
    server = await startBadServer()
    const budget = new LocalRateBudget({ perSecond: 1000, perMinute: 100_000, inFlight: 4 })
    const noWait = () => Promise.resolve()
    const jstConfig = resolveConnectionConfig(jushuitan, {
      baseUrl: server.url,
      appKey: 'a'.repeat(32),
      appSecret: 'b'.repeat(32),
      accessToken: 'c'.repeat(32),
      refreshToken: 'd'.repeat(32),
      timeoutMs: 2000,
    })
    jst = await jushuitan.open({
      connectionId: 'jst-bad',
      config: jstConfig,
      credentials: new MemoryCredentialStore(),
      budget,
      log,
      sleep: noWait,
    })
    jdy = await kingdeeJdy.open({
      connectionId: 'jdy-bad',
      credentials: new MemoryCredentialStore(),
      budget,
      log,
      sleep: noWait,
      config: {
        baseUrl: server.url,
        clientId: '123456',
        clientSecret: 'e'.repeat(32),
        outerInstanceId: '1234567890123456789',
        appKey: 'abcdefgh',
        appSecret: 'f'.repeat(40),
        domain: 'https://tf.jdy.com',
      },
    })
  })
  afterAll(async () => {
    await jst.close()
    await jdy.close()
    await server.close()
  })

  const readCounts = () => rowsOf(jst.source!.read({ api: COUNT_API, window, params: { status: 'Confirmed' } }))

  const jstCases: [string, string, ErrorKind][] = [
    ['jst/html-page.html', 'ERR_HTTP_BAD_BODY', 'transient'],
    ['jst/truncated.json', 'ERR_HTTP_BAD_BODY', 'transient'],
    ['jst/wrong-types.json', 'ERR_JST_BAD_RESPONSE', 'transient'],
    ['jst/missing-data.json', 'ERR_JST_BAD_RESPONSE', 'transient'],
    ['jst/code-wrong-type.json', 'ERR_JST_BAD_RESPONSE', 'transient'],
    ['jst/absurd-page-count.json', 'ERR_JST_WINDOW_UNSTABLE', 'transient'],
  ]
  for (const [file, code, kind] of jstCases) {
    it(`JST count read of ${file} fails with ${code} (${kind})`, async () => {
      server.answer('*', served(file))
      expect(await rejection(readCounts())).toMatchObject({ code, kind })
    })
  }

  // scanPass stops after a few pages that bring no new id, whatever data_count claims.
  it('JST: endless pages that repeat one row with data_count 10^9 end in a coded error within a few calls', async () => {
    const row = { io_id: 1, modified: '2026-11-20 10:00:00', status: 'Confirmed', items: [] }
    const before = server.requests.length
    server.answer('*', (n) =>
      n > 1000
        ? { status: 500, body: 'cap' }
        : {
            body: JSON.stringify({
              code: 0,
              msg: 'ok',
              data: { page_index: n, page_size: 50, data_count: 1e9, page_count: 1e9, has_next: true, datas: [row] },
            }),
          },
    )
    expect((await rejection(readCounts())).kind).toBe('transient')
    expect(server.requests.length - before).toBeLessThan(100)
  })

  it('JST: a negative data_count is ignored as a count and the rows served are still read', async () => {
    server.answer('*', served('jst/negative-data-count.json'))
    expect((await readCounts()).map((r) => r.io_id)).toEqual([7001])
  })

  const jdyReads: [string, string, ErrorKind][] = [
    ['jdy/html-page.html', 'ERR_JDY_RESPONSE_INVALID', 'transient'],
    ['jdy/truncated.json', 'ERR_JDY_RESPONSE_INVALID', 'transient'],
    ['jdy/wrong-types.json', 'ERR_JDY_RESPONSE_INVALID', 'transient'],
    ['jdy/missing-data.json', 'ERR_JDY_RESPONSE_INVALID', 'transient'],
  ]
  for (const [file, code, kind] of jdyReads) {
    it(`JDY material list of ${file} fails with ${code} (${kind})`, async () => {
      server.answer('*', served(file))
      expect(await rejection(rowsOf(jdy.readers!.material!()))).toMatchObject({ code, kind })
    })
  }

  it('JDY: a negative count is not trusted as a total and the rows served are still read', async () => {
    server.answer('*', served('jdy/negative-count.json'))
    expect((await rowsOf(jdy.readers!.material!())).map((r) => r.id)).toEqual(['M9'])
  })

  // readList stops after a few pages that bring no new row, whatever total_page claims.
  it('JDY: an absurd total_page (10^9) yields a coded error instead of paging forever', async () => {
    server.answer('*', served('jdy/absurd-page-count.json'))
    expect(await rejection(rowsOf(jdy.readers!.material!()))).toMatchObject({ kind: 'transient' })
  })

  it('reconcile listing JDY bills under an absurd total_page (10^9) stops with a coded error after a few empty pages', async () => {
    server.answer(BILL, served('jdy/absurd-page-count.json'))
    const before = server.requests.length
    const view = jdyBillView(BILL, jdy.target!, jdy)
    const listing = (async () => {
      for await (const _row of view.list({ from: window.start, to: window.end })) {
        /* drain */
      }
    })()
    expect(await rejection(listing)).toMatchObject({ code: 'ERR_RECONCILE_LIST_RUNAWAY', kind: 'transient' })
    expect(server.requests.length - before).toBeLessThan(10)
  })

  for (const file of ['jdy/html-page.html', 'jdy/truncated.json', 'jdy/wrong-types.json', 'jdy/missing-data.json']) {
    it(`JDY bill save answered with ${file} is an unknown outcome (probe before any retry), never ok`, async () => {
      server.answer(DETAIL, { body: JSON.stringify({ errcode: 0, description: '成功', data: null }) })
      server.answer(BILL, served(file))
      const out = await jdy.target!.write({
        api: BILL,
        key: 'BAD-1',
        payload: {
          bill_no: 'BAD-1',
          bill_date: '2026-11-20',
          material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 1 }],
        },
      })
      expect(out).toMatchObject({ kind: 'unknown_outcome', code: 'ERR_JDY_UNKNOWN_OUTCOME' })
      expect(out.targetId).toBeUndefined()
    })
  }

  it('JDY probe answered with an HTML page throws a coded error instead of reporting "not found"', async () => {
    server.answer(DETAIL, served('jdy/html-page.html'))
    const err = await rejection(jdy.target!.probe(BILL, 'BAD-2'))
    expect(err.kind).toBe('transient')
    expect(err.code).toMatch(/^ERR_/)
  })

  it('a malformed page fails the source stage with a coded error and loses nothing already stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bad-input-'))
    const store = await openStore({ url: `sqlite:${join(dir, 'ferry.db')}`, masterKeyFile: join(dir, 'master.key') })
    try {
      const { compiled } = await loadCompiledScheme(join(examplesDir(), 'jst-count-to-jdy-check-loss.json'))
      const scheme = engineScheme(compiled, {
        sourceConnection: 'jst',
        lookups: { find: () => Promise.resolve(undefined) },
        start: new Date(end.getTime() - 3 * H),
      })
      const ports = store
      const kept = [
        {
          id: '5001',
          number: '5001',
          content: { io_id: 5001, remark: 'stored before', items: [{ sku_id: 'A1', qty: -1 }] },
        },
      ]
      await ports.ledger.upsertSourceRecords(scheme.id, kept, { idCheck: true, now: new Date() })
      const closed = { start: new Date(end.getTime() - 3 * H), end: new Date(end.getTime() - 2 * H) }
      await ports.windows.close(scheme.id, COUNT_API, closed)
      for (const file of [
        'jst/truncated.json',
        'jst/html-page.html',
        'jst/missing-data.json',
        'jst/wrong-types.json',
      ]) {
        server.answer('*', served(file))
        const r = await runSourceStage(
          { ports, clock: { now: () => end }, log: silentLogger, runtime: jst.source! },
          scheme,
          emptyCounters(),
        )
        expect(r.error?.code, file).toMatch(/^ERR_(HTTP_BAD_BODY|JST_BAD_RESPONSE)$/)
        expect(r.windowsClosed).toBe(0)
        expect((await ports.ledger.getRecord({ schemeId: scheme.id, recordId: '5001' }))?.content).toEqual(
          kept[0]!.content,
        )
        expect((await ports.ledger.counts(scheme.id)).waiting).toBe(1)
        expect(await ports.windows.lastSyncTime(scheme.id, COUNT_API, closed.start)).toEqual(closed.end)
      }
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
