import { describe, expect, it } from 'vitest'
import type { StoreFactory } from './harness.js'
import { freshStore, order, writeOne } from './setup.js'

/** The ledger contract's claims and outcomes (part of describeLedger in ledger.contract.ts). */
export function describeLedgerClaims(factory: StoreFactory): void {
  describe('record ledger: claiming and outcomes', () => {
    const c = freshStore(factory)
    const ref = (id: string) => ({ schemeId: c.scheme, recordId: id })

    it('claims a due record once: a second claimer gets none of it', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2), order(3)])
      const first = await c.store.ledger.claimReady(c.scheme, 2)
      const second = await c.store.ledger.claimReady(c.scheme, 10)
      expect(first.records.map((r) => r.id)).toEqual(['1', '2'])
      expect(second.records.map((r) => r.id)).toEqual(['3'])
      expect(first.records[0]).toMatchObject({ attempts: 1, inFlight: true, claimToken: first.token })
    })

    it('hands a record to another writer when its claim expires', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10, { ttlMs: 60_000 })
      c.clock.advance(60_000)
      const again = await c.store.ledger.claimReady(c.scheme, 10)
      expect(again.records.map((r) => [r.id, r.attempts])).toEqual([['1', 2]])
    })

    it('gives two store instances disjoint claims on the same database', async () => {
      await c.store.ledger.upsertSourceRecords(
        c.scheme,
        Array.from({ length: 40 }, (_, i) => order(i + 1)),
      )
      const other = await c.db.open({ now: c.clock.now })
      const claims = await Promise.all([
        c.store.ledger.claimReady(c.scheme, 15),
        other.ledger.claimReady(c.scheme, 15),
        c.store.ledger.claimReady(c.scheme, 15),
        other.ledger.claimReady(c.scheme, 15),
      ])
      const ids = claims.flatMap((cl) => cl.records.map((r) => r.id))
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBe(40)
    })

    it('marks a written record done with its target id and response', async () => {
      await writeOne(c, '1')
      const r = await c.store.ledger.getRecord(ref('1'))
      expect(r).toMatchObject({
        status: 'done',
        targetId: 'T-1',
        response: { ok: true },
        businessKey: 'BK-1',
        inFlight: false,
      })
      expect(r?.doneAt).toEqual(new Date(c.clock.now()))
    })

    it('refuses to mark a record done without a target id or response', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await expect(
        c.store.ledger.markWritten(ref('1'), { targetId: '', response: { ok: true } }),
      ).rejects.toMatchObject({ code: 'ERR_LEDGER_WRITE_WITHOUT_PROOF' })
      await expect(c.store.ledger.markWritten(ref('1'), { targetId: 'T', response: undefined })).rejects.toMatchObject({
        code: 'ERR_LEDGER_WRITE_WITHOUT_PROOF',
      })
    })

    it('refuses a target id that a record with another business key already maps to', async () => {
      await writeOne(c, '1')
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(2), order(3)])
      await expect(
        c.store.ledger.markWritten(ref('2'), { targetId: 'T-1', response: { ok: true }, businessKey: 'BK-2' }),
      ).rejects.toMatchObject({ code: 'ERR_LEDGER_TARGET_ID_TAKEN', kind: 'data' })
      await expect(
        c.store.ledger.markWritten(ref('3'), { targetId: 'T-1', response: { ok: true } }),
      ).rejects.toMatchObject({ code: 'ERR_LEDGER_TARGET_ID_TAKEN', kind: 'data' })
      expect((await c.store.ledger.getRecord(ref('2')))?.status).toBe('waiting')
      expect((await c.store.ledger.getRecord(ref('3')))?.status).toBe('waiting')
    })

    it('lets the records of one grouped document share its target id and business key', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      const proof = { targetId: 'T-G', response: { ok: true }, businessKey: 'G-1' }
      expect(await c.store.ledger.markWritten(ref('1'), proof)).toBe(true)
      expect(await c.store.ledger.markWritten(ref('2'), proof)).toBe(true)
      expect(await c.store.ledger.getRecord(ref('2'))).toMatchObject({
        status: 'done',
        targetId: 'T-G',
        businessKey: 'G-1',
      })
      expect(await c.store.ledger.checkInvariants(c.scheme)).toEqual([])
    })

    it('lets only one of two processes map a target id when both write at once', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      const other = await c.db.open({ now: c.clock.now })
      const results = await Promise.allSettled([
        c.store.ledger.markWritten(ref('1'), { targetId: 'T-X', response: { ok: true } }),
        other.ledger.markWritten(ref('2'), { targetId: 'T-X', response: { ok: true } }),
      ])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const rejected = results.find((r) => r.status === 'rejected')
      expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_LEDGER_TARGET_ID_TAKEN' })
      expect(await c.store.ledger.checkInvariants(c.scheme)).toEqual([])
    })

    it('flags a target id that records with different business keys map to', async () => {
      await writeOne(c, '1')
      await writeOne(c, '2')
      await c.store.db
        .updateTable('records')
        .set({ target_id: 'T-1' })
        .where('scheme_id', '=', c.scheme)
        .where('record_id', '=', '2')
        .execute()
      expect(await c.store.ledger.checkInvariants(c.scheme)).toMatchObject([{ rule: 'target_id_one_business_key' }])
    })

    it('queues a transient failure for its next attempt time and not before', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10)
      const next = new Date(c.clock.now() + 20_000)
      await c.store.ledger.markFailed(ref('1'), {
        kind: 'transient',
        code: 'ERR_HTTP_503',
        message: 'busy',
        nextAttemptAt: next,
      })
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({
        status: 'queued',
        nextAttemptAt: next,
        inFlight: false,
        lastError: { code: 'ERR_HTTP_503', kind: 'transient', message: 'busy' },
      })
      c.clock.advance(19_999)
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records).toEqual([])
      c.clock.advance(1)
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records.map((r) => r.attempts)).toEqual([2])
    })

    it('gives the claim its attempt back when a throttled attempt is marked uncounted', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10)
      const next = new Date(c.clock.now() + 1_000)
      await c.store.ledger.markFailed(ref('1'), {
        kind: 'rate_limited',
        code: 'ERR_TARGET_RATE_LIMITED',
        message: 'slow down',
        nextAttemptAt: next,
        uncount: true,
      })
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({
        status: 'queued',
        attempts: 0,
        nextAttemptAt: next,
      })
      c.clock.advance(1_000)
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records.map((r) => r.attempts)).toEqual([1])
    })

    it('parks a data error in the failed-record queue until it is requeued', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      await c.store.ledger.claimReady(c.scheme, 10)
      await c.store.ledger.markFailed(ref('1'), {
        kind: 'data',
        code: 'ERR_LOOKUP',
        message: 'JDY material not found for sku 3001-RED',
        nextAttemptAt: null,
      })
      c.clock.advance(10 ** 9)
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records.map((r) => r.id)).toEqual(['2'])
      const rq = await c.store.ledger.requeue(c.scheme, { allFailed: true })
      expect(rq.requeued).toEqual(['1'])
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records.map((r) => [r.id, r.status, r.attempts])).toEqual([
        ['1', 'waiting', 1],
      ])
    })

    it('parks a record whose write landed with its target id and answer, and keeps them when it is requeued', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10)
      await c.store.ledger.markWrittenParked(ref('1'), {
        targetId: 'T-1',
        response: { id: 'T-1' },
        payload: { bill_no: 'NO-1' },
        businessKey: 'NO-1',
        error: { kind: 'data', code: 'ERR_PROCESSOR_HOOK', message: 'processor p hook afterWrite failed: down' },
      })
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({
        status: 'error',
        targetId: 'T-1',
        response: { id: 'T-1' },
        businessKey: 'NO-1',
        lastError: { code: 'ERR_PROCESSOR_HOOK' },
      })
      expect((await c.store.ledger.requeue(c.scheme, { ids: ['1'] })).requeued).toEqual(['1'])
      const [again] = (await c.store.ledger.claimReady(c.scheme, 10)).records
      expect(again).toMatchObject({ id: '1', status: 'waiting', targetId: 'T-1', response: { id: 'T-1' } })
    })

    it('refuses to park a landed write without its proof, and never parks a done record', async () => {
      const hookFailed = { kind: 'data' as const, code: 'ERR_PROCESSOR_HOOK', message: 'down' }
      const saved = { payload: { bill_no: 'NO-1' }, businessKey: 'NO-1', error: hookFailed }
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await expect(
        c.store.ledger.markWrittenParked(ref('1'), { ...saved, targetId: '', response: { id: 'T-1' } }),
      ).rejects.toMatchObject({ code: 'ERR_LEDGER_WRITE_WITHOUT_PROOF' })
      await writeOne(c, '2')
      const applied = await c.store.ledger.markWrittenParked(ref('2'), { ...saved, targetId: 'T-9', response: {} })
      expect(applied).toBe(false)
      expect(await c.store.ledger.getRecord(ref('2'))).toMatchObject({ status: 'done', targetId: 'T-2' })
    })

    it('never downgrades a done record when a late failure arrives', async () => {
      await writeOne(c, '1')
      const applied = await c.store.ledger.markFailed(ref('1'), {
        kind: 'transient',
        code: 'ERR_X',
        message: 'late',
        nextAttemptAt: null,
      })
      expect(applied).toBe(false)
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({ status: 'done', lastError: null })
    })

    it('keeps an unknown outcome unknown so the writer probes before retrying', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.claimReady(c.scheme, 10)
      await c.store.ledger.markUnknown(ref('1'), {
        code: 'ERR_TIMEOUT',
        message: 'no answer',
        probeAt: new Date(c.clock.now() + 1000),
      })
      await c.store.ledger.markFailed(ref('1'), {
        kind: 'transient',
        code: 'ERR_HTTP_503',
        message: 'probe failed',
        nextAttemptAt: new Date(c.clock.now() + 1000),
      })
      c.clock.advance(1000)
      expect((await c.store.ledger.claimReady(c.scheme, 10)).records.map((r) => r.status)).toEqual(['unknown'])
    })

    it('records a duplicate answer with the existing document id', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.markDuplicate(ref('1'), { targetId: 'T-9', response: { exists: true } })
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({ status: 'duplicate', targetId: 'T-9' })
      expect((await c.store.ledger.requeue(c.scheme, { ids: ['1'] })).skipped).toEqual([
        { id: '1', reason: 'already duplicate' },
      ])
    })

    it('sends an edited payload as edited: a later mapping does not overwrite it', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.savePayload(ref('1'), { qty: 1 }, 'BK-1')
      await c.store.ledger.editPayload(ref('1'), { qty: 2 })
      expect(await c.store.ledger.savePayload(ref('1'), { qty: 1 })).toBe(false)
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({
        payload: { qty: 2 },
        payloadEdited: true,
        businessKey: 'BK-1',
      })
    })

    it('stores the payload with the write intent and the outcome, never over an edited payload', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1), order(2)])
      const probeAt = new Date(c.clock.now() + 1000)
      await c.store.ledger.markUnknown(
        ref('1'),
        { code: 'ERR_SENT', message: 'sent', probeAt },
        { payload: { qty: 1 }, businessKey: 'BK-1' },
      )
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({
        status: 'unknown',
        payload: { qty: 1 },
        businessKey: 'BK-1',
      })
      await c.store.ledger.editPayload(ref('2'), { qty: 5 })
      await c.store.ledger.markFailed(
        ref('2'),
        { kind: 'data', code: 'ERR_X', message: 'bad', nextAttemptAt: null },
        { payload: { qty: 1 }, businessKey: 'BK-2' },
      )
      expect(await c.store.ledger.getRecord(ref('2'))).toMatchObject({
        status: 'error',
        payload: { qty: 5 },
        payloadEdited: true,
      })
      await c.store.ledger.markDuplicate(
        ref('1'),
        { targetId: 'T-1', response: { exists: true } },
        { payload: { qty: 3 }, businessKey: 'BK-1' },
      )
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({
        status: 'duplicate',
        targetId: 'T-1',
        payload: { qty: 3 },
      })
    })

    it('refuses to edit the payload of a done record with ERR_LEDGER_RECORD_SETTLED', async () => {
      await writeOne(c, '1')
      await expect(c.store.ledger.editPayload(ref('1'), { qty: 2 })).rejects.toMatchObject({
        code: 'ERR_LEDGER_RECORD_SETTLED',
      })
      await expect(c.store.ledger.editPayload(ref('nope'), {})).rejects.toMatchObject({
        code: 'ERR_LEDGER_RECORD_NOT_FOUND',
      })
    })

    it('refuses an edited payload nested past the limit or too large, saving nothing', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      let deep: Record<string, unknown> = { qty: 1 }
      for (let i = 0; i < 10_000; i++) deep = { a: deep }
      await expect(c.store.ledger.editPayload(ref('1'), deep)).rejects.toMatchObject({
        code: 'ERR_LEDGER_PAYLOAD_LIMIT',
        kind: 'user',
      })
      await expect(c.store.ledger.editPayload(ref('1'), { blob: 'x'.repeat(2 * 1024 * 1024) })).rejects.toMatchObject({
        code: 'ERR_LEDGER_PAYLOAD_LIMIT',
      })
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({ payloadEdited: false })
    })

    it('rejects a source record nested past the limit and keeps the others of the batch', async () => {
      let deep: Record<string, unknown> = { qty: 1 }
      for (let i = 0; i < 10_000; i++) deep = { a: deep }
      const res = await c.store.ledger.upsertSourceRecords(c.scheme, [
        order(1),
        { id: 2, number: 'NO-2', content: deep },
      ])
      expect(res.outcomes.find((o) => o.id === '2')).toMatchObject({
        effect: 'rejected',
        error: { code: 'ERR_LEDGER_BAD_SOURCE_RECORD' },
      })
      expect((await c.store.ledger.counts(c.scheme)).waiting).toBe(1)
    })

    it('takes a resolved record out of the queue and clears its changed flag', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.markFailed(ref('1'), { kind: 'data', code: 'ERR_X', message: 'bad', nextAttemptAt: null })
      await c.store.ledger.resolve(ref('1'), 'entered by hand in JDY')
      expect((await c.store.ledger.requeue(c.scheme, { allFailed: true })).requeued).toEqual([])
      expect(await c.store.ledger.getRecord(ref('1'))).toMatchObject({ resolvedNote: 'entered by hand in JDY' })
      expect((await c.store.ledger.counts(c.scheme)).resolved).toBe(1)
    })

    it('keeps a history of each record: stored, claimed outcome, requeue', async () => {
      await c.store.ledger.upsertSourceRecords(c.scheme, [order(1)])
      await c.store.ledger.markFailed(ref('1'), { kind: 'data', code: 'ERR_X', message: 'bad', nextAttemptAt: null })
      await c.store.ledger.requeue(c.scheme, { ids: ['1'] })
      expect((await c.store.ledger.events(ref('1'))).map((e) => e.event)).toEqual(['stored', 'failed', 'requeued'])
    })
  })
}
