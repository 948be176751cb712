import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../../../simulators/common/clock.js'
import { billPayload, book, calls, startHarness, type Harness } from './harness.js'

const BILL = '/jdy/v2/scm/inv_check_loss_bill'
const SAVE = `POST ${BILL}`
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('JDY check-loss bill writes (spec §4.6)', () => {
  it('authorises, fetches a token and saves one bill with one business call, its remark unchanged', async () => {
    h = await startHarness()
    const out = await h.target.write({ api: BILL, key: 'PK-0001', payload: billPayload('PK-0001') })
    expect(out.kind).toBe('ok')
    const bill = h.sim.bills.byNumber(book(h), 'PK-0001')
    expect(bill?.id).toBe(out.targetId)
    expect(bill?.remark).toBe('月度盘点')
    expect(bill?.bill_status).toBe('Z')
    expect(calls(h.sim)).toEqual([
      'POST /jdyconnector/app_management/push_app_authorize',
      'GET /jdyconnector/app_management/kingdee_auth_token',
      SAVE,
    ])
  })

  it('appends the [ext:<key>] marker only when remarkTag names the field', async () => {
    h = await startHarness({}, { remarkTag: 'remark' })
    await h.target.write({ api: BILL, key: 'PK-T1', payload: billPayload('PK-T1') })
    expect(h.sim.bills.byNumber(book(h), 'PK-T1')?.remark).toBe('月度盘点 [ext:PK-T1]')
  })

  it('uses the business key as bill_no (as a string) when the payload has none or a number, and refuses a payload bill_no that differs', async () => {
    h = await startHarness()
    const { bill_no: _drop, ...noNumber } = billPayload('x')
    const ok = await h.target.write({ api: BILL, key: 'PK-KEY', payload: noNumber })
    expect(ok.kind).toBe('ok')
    expect(h.sim.bills.byNumber(book(h), 'PK-KEY')?.id).toBe(ok.targetId)
    const numeric = await h.target.write({
      api: BILL,
      key: '20261120',
      payload: billPayload('x', { bill_no: 20261120 }),
    })
    expect(numeric.kind).toBe('ok')
    const save = h.sim.log
      .entries({ endpoint: BILL })
      .filter((e) => e.method === 'POST')
      .at(-1)
    expect((save?.params.body as Record<string, unknown>).bill_no).toBe('20261120')
    const bad = await h.target.write({ api: BILL, key: 'PK-A', payload: billPayload('PK-B') })
    expect(bad).toMatchObject({ kind: 'config', code: 'ERR_JDY_KEY_MISMATCH' })
    expect(h.sim.bills.byNumber(book(h), 'PK-B')).toBeUndefined()
  })

  it('with existingBills: each, answers already_exists with the existing id when the pre-check finds the bill, without saving again', async () => {
    h = await startHarness({}, { existingBills: 'each' })
    const first = await h.target.write({ api: BILL, key: 'PK-0002', payload: billPayload('PK-0002') })
    const saves = h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST').length
    const second = await h.target.write({ api: BILL, key: 'PK-0002', payload: billPayload('PK-0002') })
    expect(second).toMatchObject({ kind: 'already_exists', targetId: first.targetId })
    expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST').length).toBe(saves)
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it("compares a found bill's lines with the payload and reports drift without writing again", async () => {
    h = await startHarness({}, { existingBills: 'each' })
    await h.target.write({ api: BILL, key: 'PK-V', payload: billPayload('PK-V') })
    const same = await h.target.write({ api: BILL, key: 'PK-V', payload: billPayload('PK-V') })
    expect(same.response).toMatchObject({ linesMatch: true })
    const drifted = billPayload('PK-V', {
      material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 5 }],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-V', payload: drifted })
    expect(out).toMatchObject({ kind: 'already_exists', message: 'bill PK-V already exists with different lines' })
    expect(out.response).toMatchObject({
      linesMatch: false,
      differences: [{ line: 'M1/S1/U1', sent: '5', stored: '3' }],
    })
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('classifies a duplicate bill_no answer as already_exists and resolves the existing id through the probe', async () => {
    h = await startHarness()
    const first = await h.target.write({ api: BILL, key: 'PK-0003', payload: billPayload('PK-0003') })
    const second = await h.target.write({ api: BILL, key: 'PK-0003', payload: billPayload('PK-0003') })
    expect(second).toMatchObject({ kind: 'already_exists', targetId: first.targetId })
    const saves = h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')
    expect(saves.map((e) => e.reason ?? 'ok')).toEqual(['ok', 'duplicate'])
    expect(calls(h.sim).slice(-2)).toEqual([SAVE, 'GET /jdy/v2/scm/inv_check_loss_bill_detail'])
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('lets two concurrent writes of one bill race safely: one ok, one already_exists with the same id', async () => {
    h = await startHarness()
    const outs = await Promise.all(
      [1, 2].map(() => h!.target.write({ api: BILL, key: 'PK-RACE', payload: billPayload('PK-RACE') })),
    )
    expect(outs.map((o) => o.kind).sort()).toEqual(['already_exists', 'ok'])
    expect(outs[0]!.targetId).toBe(outs[1]!.targetId)
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('classifies a timeout after the save committed as unknown_outcome; probe then finds the bill and a retry creates no duplicate', async () => {
    h = await startHarness(
      { faults: [{ endpoint: SAVE, when: { calls: [1] }, fault: { kind: 'hang', ms: 5000, afterCommit: true } }] },
      { timeoutMs: 1500 },
    )
    const out = await h.target.write({ api: BILL, key: 'PK-0004', payload: billPayload('PK-0004') })
    expect(out).toMatchObject({ kind: 'unknown_outcome', code: 'ERR_JDY_UNKNOWN_OUTCOME' })
    const stored = h.sim.bills.byNumber(book(h), 'PK-0004')
    expect(stored).toBeDefined()
    const probe = await h.target.probe(BILL, 'PK-0004')
    expect(probe).toMatchObject({ exists: true, targetId: stored!.id })
    expect(probe.document?.bill_no).toBe('PK-0004')
    const retry = await h.target.write({ api: BILL, key: 'PK-0004', payload: billPayload('PK-0004') })
    expect(retry).toMatchObject({ kind: 'already_exists', targetId: stored!.id })
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it.each([
    ['a connection reset after commit', { kind: 'reset', afterCommit: true }],
    ['an HTML 502 page after commit', { kind: 'http_error', status: 502, afterCommit: true }],
    ['a truncated body', { kind: 'truncated' }],
    ['a non-JSON body', { kind: 'non_json' }],
  ] as const)('classifies %s on save as unknown_outcome, never as retryable', async (_name, fault) => {
    h = await startHarness({ faults: [{ endpoint: SAVE, when: { calls: [1] }, fault }] })
    const out = await h.target.write({ api: BILL, key: 'PK-0005', payload: billPayload('PK-0005') })
    expect(out.kind).toBe('unknown_outcome')
    const probe = await h.target.probe(BILL, 'PK-0005')
    expect(probe.exists).toBe(true)
    expect(probe.targetId).toBe(h.sim.bills.byNumber(book(h), 'PK-0005')?.id)
  })

  it('classifies a save answered with JSON nested past the limit as unknown_outcome; the probe finds the bill', async () => {
    let deep: unknown = { end: true }
    for (let i = 0; i < 150; i++) deep = { a: deep }
    h = await startHarness({
      faults: [
        {
          endpoint: SAVE,
          when: { calls: [1] },
          fault: { kind: 'vendor', body: { errcode: 0, description: '', data: deep }, afterCommit: true },
        },
      ],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-D1', payload: billPayload('PK-D1') })
    expect(out).toMatchObject({ kind: 'unknown_outcome', code: 'ERR_JDY_UNKNOWN_OUTCOME' })
    expect(out.message).toMatch(/nested deeper than 100 levels at data\.a\.a/)
    const probe = await h.target.probe(BILL, 'PK-D1')
    expect(probe).toMatchObject({ exists: true, targetId: h.sim.bills.byNumber(book(h), 'PK-D1')?.id })
  })

  it('treats a 4xx page without a JDY answer on save as a definitive refusal, not as unknown', async () => {
    h = await startHarness({
      faults: [{ endpoint: SAVE, when: { calls: [1] }, fault: { kind: 'http_error', status: 404 } }],
    })
    const out = await h.target.write({ api: BILL, key: 'PK-F1', payload: billPayload('PK-F1') })
    expect(out).toMatchObject({ kind: 'config', code: 'ERR_JDY_GATEWAY_REJECTED' })
  })

  it('rejects a body larger than the gateway accepts as a data outcome for that record', async () => {
    h = await startHarness({ maxBodyBytes: 300 })
    const lines = Array.from({ length: 20 }, () => ({ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 1 }))
    const out = await h.target.write({
      api: BILL,
      key: 'PK-F2',
      payload: billPayload('PK-F2', { material_entity: lines }),
    })
    expect(out.kind).toBe('data')
    expect(h.sim.bills.list(book(h))).toHaveLength(0)
  })

  it('reports unknown_outcome when the save was never committed, and the probe says absent so the retry saves once', async () => {
    h = await startHarness({ faults: [{ endpoint: SAVE, when: { calls: [1] }, fault: { kind: 'reset' } }] })
    const out = await h.target.write({ api: BILL, key: 'PK-0006', payload: billPayload('PK-0006') })
    expect(out.kind).toBe('unknown_outcome')
    expect(await h.target.probe(BILL, 'PK-0006')).toEqual({ exists: false })
    const retry = await h.target.write({ api: BILL, key: 'PK-0006', payload: billPayload('PK-0006') })
    expect(retry.kind).toBe('ok')
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('probe answers exists=false for an unknown number under both not-found shapes', async () => {
    h = await startHarness({ bills: { detailNotFound: 'null' } })
    expect(await h.target.probe(BILL, 'NOPE-1')).toEqual({ exists: false })
    await h.close()
    h = await startHarness({ bills: { detailNotFound: 'error' } })
    expect(await h.target.probe(BILL, 'NOPE-2')).toEqual({ exists: false })
  })

  it.each([
    [
      'an unknown material id',
      { material_id: 'NOPE', stock_id: 'S1', unit_id: 'U1', qty: 1 },
      'ERR_JDY_MASTER_DATA_MISSING',
    ],
    [
      'an unknown store id',
      { material_id: 'M1', stock_id: 'NOPE', unit_id: 'U1', qty: 1 },
      'ERR_JDY_MASTER_DATA_MISSING',
    ],
    ['a missing unit', { material_id: 'M1', stock_id: 'S1', qty: 1 }, 'ERR_JDY_MASTER_DATA_MISSING'],
    [
      "a unit that is not the material's",
      { material_id: 'M1', stock_id: 'S1', unit_id: 'U2', qty: 1 },
      'ERR_JDY_MASTER_DATA_MISSING',
    ],
    ['a zero quantity', { material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 0 }, 'ERR_JDY_BILL_REJECTED'],
    [
      'a batch material without batch_no',
      { material_id: 'M3', stock_id: 'S1', unit_id: 'U2', qty: 1 },
      'ERR_JDY_BILL_REJECTED',
    ],
    [
      'a bin-managed store without sp_id',
      { material_id: 'M1', stock_id: 'S2', unit_id: 'U1', qty: 1 },
      'ERR_JDY_BILL_REJECTED',
    ],
  ])('rejects a line with %s as a data outcome', async (_name, line, code) => {
    h = await startHarness()
    const out = await h.target.write({
      api: BILL,
      key: 'PK-D',
      payload: billPayload('PK-D', { material_entity: [line] }),
    })
    expect(out).toMatchObject({ kind: 'data', code, vendorCode: 1010001001 })
    expect(out.message).toMatch(/JDY/)
    expect(h.sim.bills.list(book(h))).toHaveLength(0)
  })

  it('refuses an unsupported api or operation_key locally, before any request', async () => {
    h = await startHarness()
    expect(await h.target.write({ api: '/jdy/v2/scm/sal_out_bound', key: 'K', payload: {} })).toMatchObject({
      kind: 'config',
      code: 'ERR_JDY_UNSUPPORTED',
    })
    expect(
      await h.target.write({ api: BILL, key: 'K', payload: billPayload('K', { operation_key: 'submit' }) }),
    ).toMatchObject({ kind: 'config', code: 'ERR_JDY_UNSUPPORTED' })
    expect(h.sim.log.entries()).toHaveLength(0)
  })
})

describe('JDY bill_no not honoured (spec §4.6 step 5, §9 q1)', () => {
  it('reports the auto-numbered bill and finds it afterwards by its remark tag (remarkTag opted in)', async () => {
    h = await startHarness({ bills: { ignoreBillNo: true } }, { remarkTag: 'remark' })
    const out = await h.target.write({ api: BILL, key: 'PK-N1', payload: billPayload('PK-N1') })
    expect(out).toMatchObject({ kind: 'ok', code: 'ERR_JDY_BILL_NO_NOT_HONOURED' })
    expect(h.lines.some((l) => l.obj.code === 'ERR_JDY_BILL_NO_NOT_HONOURED')).toBe(true)
    const probe = await h.target.probe(BILL, 'PK-N1')
    expect(probe).toMatchObject({ exists: true, targetId: out.targetId })
    const again = await h.target.write({ api: BILL, key: 'PK-N1', payload: billPayload('PK-N1') })
    expect(again).toMatchObject({ kind: 'already_exists', targetId: out.targetId })
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })
})

describe('JDY one call per bill (issue 11)', () => {
  it('adopts a bill written outside Ferry from the duplicate-number answer: probed once, never saved twice', async () => {
    h = await startHarness()
    const outside = h.sim.bills.insert(book(h), {
      bill_no: 'PK-OUT1',
      bill_date: '2026-11-20',
      bill_status: 'C',
      material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 3 }],
    })
    const out = await h.target.write({
      api: BILL,
      key: 'PK-OUT1',
      payload: billPayload('PK-OUT1', { operation_key: 'audit' }),
    })
    expect(out).toMatchObject({ kind: 'already_exists', targetId: outside.id })
    const saves = h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')
    expect(saves.map((e) => e.reason ?? 'ok')).toEqual(['duplicate'])
    expect(calls(h.sim).slice(2)).toEqual([SAVE, 'GET /jdy/v2/scm/inv_check_loss_bill_detail'])
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('existingBills: bulk finds bills written outside Ferry with one list call per page per bill date, not one read per bill', async () => {
    h = await startHarness()
    const outside = Array.from({ length: 150 }, (_, i) =>
      h!.sim.bills.insert(book(h!), {
        bill_no: `PK-M${i + 1}`,
        bill_date: '2026-11-20',
        bill_status: 'C',
        material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 3 }],
      }),
    )
    h.sim.bills.insert(book(h), { bill_no: 'PK-OTHERDAY', bill_date: '2026-11-19' })
    const bulk = await h.reopen({ existingBills: 'bulk' })
    const keys = [...Array.from({ length: 150 }, (_, i) => `PK-M${i + 1}`), 'PK-NEW1', 'PK-NEW2']
    const outs = []
    for (const k of keys)
      outs.push(await bulk.target!.write({ api: BILL, key: k, payload: billPayload(k, { operation_key: 'audit' }) }))
    expect(outs.slice(0, 150).every((o, i) => o.kind === 'already_exists' && o.targetId === outside[i]!.id)).toBe(true)
    expect(outs.slice(150).map((o) => o.kind)).toEqual(['ok', 'ok'])
    const lists = h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'GET')
    // 151 bills on 2026-11-20 → two pages of 100; nothing per bill.
    expect(lists).toHaveLength(2)
    expect(
      lists.every(
        (e) =>
          (e.params as { query?: Record<string, string> }).query?.start_bill_date === '2026-11-20' ||
          JSON.stringify(e.params).includes('2026-11-20'),
      ),
    ).toBe(true)
    expect(h.sim.log.entries({ endpoint: '/jdy/v2/scm/inv_check_loss_bill_detail' })).toHaveLength(0)
    expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')).toHaveLength(2)
    expect(h.sim.bills.list(book(h))).toHaveLength(153)
  })

  it('existingBills: bulk fails the attempt of a bill whose list read failed, saves nothing, and reads that date again for the next bill', async () => {
    h = await startHarness(
      {
        // A refusal no transport layer retries, so the attempt itself must fail.
        faults: [
          {
            endpoint: `GET ${BILL}`,
            when: { calls: [1] },
            fault: { kind: 'vendor', body: { errcode: 1010001001, description: '参数page_size格式错误' } },
          },
        ],
      },
      { existingBills: 'bulk' },
    )
    h.sim.bills.insert(book(h), { bill_no: 'PK-F-OUT', bill_date: '2026-11-20' })
    const first = await h.target.write({ api: BILL, key: 'PK-F-OUT', payload: billPayload('PK-F-OUT') })
    expect(first.kind).not.toMatch(/ok|already_exists|unknown_outcome/)
    expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')).toHaveLength(0)
    const again = await h.target.write({ api: BILL, key: 'PK-F-OUT', payload: billPayload('PK-F-OUT') })
    expect(again.kind).toBe('already_exists')
    expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')).toHaveLength(0)
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('writes N bills in steady state with at most 1.02 JDY calls per bill, counted in the simulator', async () => {
    h = await startHarness({ clock: createClock({ frozen: true, start: Date.UTC(2026, 10, 20, 2, 0, 0) }) })
    const n = 300
    for (let i = 1; i <= n; i++) {
      const k = `PK-S${i}`
      const out = await h.target.write({
        api: BILL,
        key: k,
        payload: billPayload(k, {
          operation_key: 'audit',
          bill_date: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`,
        }),
      })
      expect(out.kind).toBe('ok')
    }
    await h.runtime.close()
    const business = h.sim.log.entries().filter((e) => e.endpoint.startsWith('/jdy/'))
    expect(h.sim.bills.list(book(h)).filter((b) => b.bill_status === 'C')).toHaveLength(n)
    expect(business.length / n).toBeLessThanOrEqual(1.02)
  })
})
