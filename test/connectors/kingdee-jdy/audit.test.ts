import { afterEach, describe, expect, it } from 'vitest'
import { billPayload, book, calls, smallMasterData, startHarness, type Harness } from './harness.js'

const BILL = '/jdy/v2/scm/inv_check_loss_bill'
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('JDY audit through operation_key (spec §4.1, §4.5, §4.6 step 6)', () => {
  it('sends operation_key=audit with the save and skips common_operate when JDY already audited it', async () => {
    h = await startHarness({ bills: { operationKeyAudit: 'save_and_audit' } })
    const out = await h.target.write({
      api: BILL,
      key: 'PK-A1',
      payload: billPayload('PK-A1', { operation_key: 'audit' }),
    })
    expect(out.kind).toBe('ok')
    expect(h.sim.bills.byNumber(book(h), 'PK-A1')?.bill_status).toBe('C')
    expect(calls(h.sim)).not.toContain('POST /jdy/v2/sys/common_operate')
    const save = h.sim.log.entries({ endpoint: BILL }).find((e) => e.method === 'POST')
    expect(JSON.stringify(save?.params)).toContain('operation_key')
  })

  it('confirms the audit in bulk when the save left the bill unaudited: one list call and one common_operate for the batch', async () => {
    h = await startHarness({ bills: { operationKeyAudit: 'ignore' } })
    for (const k of ['PK-A2a', 'PK-A2b', 'PK-A2c']) {
      expect(
        (await h.target.write({ api: BILL, key: k, payload: billPayload(k, { operation_key: 'audit' }) })).kind,
      ).toBe('ok')
    }
    expect(calls(h.sim).filter((c) => c.startsWith('GET /jdy/v2/scm'))).toEqual([])
    await (h.target as unknown as { flush(): Promise<void> }).flush()
    for (const k of ['PK-A2a', 'PK-A2b', 'PK-A2c']) expect(h.sim.bills.byNumber(book(h), k)?.bill_status).toBe('C')
    expect(calls(h.sim).filter((c) => c === `GET ${BILL}`)).toHaveLength(1)
    const operates = h.sim.log.entries({ endpoint: '/jdy/v2/sys/common_operate' })
    expect(operates).toHaveLength(1)
    expect((operates[0]?.params.body as { ids: string[] }).ids).toHaveLength(3)
    expect(calls(h.sim)).not.toContain('GET /jdy/v2/scm/inv_check_loss_bill_detail')
  })

  it('with auditCheck: each, reads the status after the save and audits through common_operate', async () => {
    h = await startHarness({ bills: { operationKeyAudit: 'ignore' } }, { auditCheck: 'each' })
    const out = await h.target.write({
      api: BILL,
      key: 'PK-A2',
      payload: billPayload('PK-A2', { operation_key: 'audit' }),
    })
    expect(out.kind).toBe('ok')
    expect(h.sim.bills.byNumber(book(h), 'PK-A2')?.bill_status).toBe('C')
    expect(calls(h.sim).filter((c) => c === 'POST /jdy/v2/sys/common_operate')).toHaveLength(1)
  })

  it('in strip mode never sends operation_key and audits through common_operate', async () => {
    h = await startHarness({ bills: { unknownOperationKey: 'reject' } }, { operationKeyMode: 'strip' })
    const out = await h.target.write({
      api: BILL,
      key: 'PK-A3',
      payload: billPayload('PK-A3', { operation_key: 'audit' }),
    })
    expect(out.kind).toBe('ok')
    const save = h.sim.log.entries({ endpoint: BILL }).find((e) => e.method === 'POST')
    expect(JSON.stringify(save?.params)).not.toContain('operation_key')
    await h.runtime.close()
    expect(h.sim.bills.byNumber(book(h), 'PK-A3')?.bill_status).toBe('C')
  })

  it('does not audit when the payload does not ask for it', async () => {
    h = await startHarness()
    await h.target.write({ api: BILL, key: 'PK-A4', payload: billPayload('PK-A4') })
    expect(h.sim.bills.byNumber(book(h), 'PK-A4')?.bill_status).toBe('Z')
    expect(calls(h.sim)).not.toContain('POST /jdy/v2/sys/common_operate')
  })

  it('with auditCheck: each, reports a refused audit as data with the saved bill id, then audits the same bill on re-push without a second save', async () => {
    const md = smallMasterData()
    const masterData = {
      ...md,
      stores: md.stores.map((st) => (st.id === 'S1' ? { ...st, allow_negative: false } : st)),
    }
    h = await startHarness(
      { masterData, bills: { operationKeyAudit: 'ignore', stock: { 'M1@S1': 1 } } },
      { auditCheck: 'each' },
    )
    const out = await h.target.write({
      api: BILL,
      key: 'PK-A5',
      payload: billPayload('PK-A5', { operation_key: 'audit' }),
    })
    const stored = h.sim.bills.byNumber(book(h), 'PK-A5')
    expect(out).toMatchObject({ kind: 'data', code: 'ERR_JDY_AUDIT_REJECTED', targetId: stored?.id })
    expect(stored?.bill_status).toBe('Z')
    h.sim.masterData.patch('store', 'S1', { allow_negative: true })
    const again = await h.target.write({
      api: BILL,
      key: 'PK-A5',
      payload: billPayload('PK-A5', { operation_key: 'audit' }),
    })
    expect(again).toMatchObject({ kind: 'already_exists', targetId: stored?.id })
    expect(h.sim.bills.byNumber(book(h), 'PK-A5')?.bill_status).toBe('C')
    expect(
      h.sim.log
        .entries({ endpoint: BILL })
        .filter((e) => e.method === 'POST')
        .map((e) => e.reason ?? 'ok'),
    ).toEqual(['ok', 'duplicate'])
    expect(h.sim.bills.list(book(h))).toHaveLength(1)
  })

  it('in bulk audit mode names the one refused bill of a batch in the log and audits the rest', async () => {
    const md = smallMasterData()
    const masterData = {
      ...md,
      stores: md.stores.map((st) => (st.id === 'S1' ? { ...st, allow_negative: false } : st)),
    }
    h = await startHarness({ masterData, bills: { operationKeyAudit: 'ignore', stock: { 'M1@S1': 4 } } })
    const small = (k: string) =>
      billPayload(k, {
        operation_key: 'audit',
        material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 1 }],
      })
    expect((await h.target.write({ api: BILL, key: 'PK-R1', payload: small('PK-R1') })).kind).toBe('ok')
    expect(
      (
        await h.target.write({
          api: BILL,
          key: 'PK-R2',
          payload: billPayload('PK-R2', {
            operation_key: 'audit',
            material_entity: [{ material_id: 'M1', stock_id: 'S1', unit_id: 'U1', qty: 9 }],
          }),
        })
      ).kind,
    ).toBe('ok')
    expect((await h.target.write({ api: BILL, key: 'PK-R3', payload: small('PK-R3') })).kind).toBe('ok')
    await h.runtime.close()
    expect(['PK-R1', 'PK-R2', 'PK-R3'].map((k) => h!.sim.bills.byNumber(book(h!), k)?.bill_status)).toEqual([
      'C',
      'Z',
      'C',
    ])
    const refused = h.lines.filter((l) => l.obj.code === 'ERR_JDY_AUDIT_REJECTED')
    expect(refused.map((l) => l.obj.key)).toEqual(['PK-R2'])
    expect(h.sim.log.entries({ endpoint: BILL }).filter((e) => e.method === 'POST')).toHaveLength(3)
  })

  it('re-push of an existing unaudited bill audits it once and answers already_exists', async () => {
    h = await startHarness({ bills: { operationKeyAudit: 'ignore' } })
    await h.target.write({ api: BILL, key: 'PK-A6', payload: billPayload('PK-A6') })
    const again = await h.target.write({
      api: BILL,
      key: 'PK-A6',
      payload: billPayload('PK-A6', { operation_key: 'audit' }),
    })
    expect(again.kind).toBe('already_exists')
    expect(h.sim.bills.byNumber(book(h), 'PK-A6')?.bill_status).toBe('C')
    const third = await h.target.write({
      api: BILL,
      key: 'PK-A6',
      payload: billPayload('PK-A6', { operation_key: 'audit' }),
    })
    expect(third.kind).toBe('already_exists')
    expect(calls(h.sim).filter((c) => c === 'POST /jdy/v2/sys/common_operate')).toHaveLength(1)
  })
})
