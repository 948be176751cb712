/**
 * One unit through the target: map it and check it (built-in checks, then the scheme's quality
 * rules), probe when an earlier attempt may have landed, make the write intent, send it while the
 * lease and the claim still hold, and settle the answer (afterWrite hooks, already-exists probes).
 */
import { performance } from 'node:perf_hooks'
import { FerryError, toFerryError } from '../core/errors.js'
import type { WriteOutcome } from '../connectors/contract.js'
import { redact } from '../core/redact.js'
import {
  BusinessKeyMissing,
  OutcomeUnknown,
  TargetConfig,
  TargetRateLimited,
  TargetRejected,
  TargetTransient,
} from './errors.js'
import { checkPayload, lookupError } from './quality.js'
import type { AfterWriteOutcome, LedgerRecord, WriteUnit } from './ports.js'
import { claimTtl } from './target-stage-deps.js'
import { TargetMarks, eachAtOnce } from './target-stage-marks.js'

function outcomeError(o: WriteOutcome, key: string): FerryError {
  const msg = o.message ?? `vendor code ${String(o.vendorCode ?? 'none')}`
  const details = {
    ...(o.vendorCode === undefined ? {} : { vendorCode: o.vendorCode }),
    ...(o.code === undefined ? {} : { connectorCode: o.code }),
  }
  switch (o.kind) {
    case 'data':
      return TargetRejected([msg], { details })
    case 'config':
      return TargetConfig([msg], { details })
    case 'rate_limited':
      return TargetRateLimited([msg], { details: { ...details, retryAfterMs: o.retryAfterMs } })
    case 'unknown_outcome':
      return OutcomeUnknown([key, msg], { details })
    case 'transient':
    case 'ok':
    case 'already_exists':
      return TargetTransient([msg], { details })
  }
}

export class UnitWriter extends TargetMarks {
  /** Probe by key; true when the unit is settled (found, or probe failed and was rescheduled). */
  async settleByProbe(
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
  ): Promise<boolean> {
    this.counters.probed++
    try {
      const found = await this.deps.runtime.probe(this.target.api, key, this.deps.signal)
      if (!found.exists) return false
      await this.doneAll(records, payload, key, found.targetId, {
        probedExisting: true,
        document: found.document ?? null,
      })
      this.counters.alreadyExisted += records.length
      return true
    } catch (e) {
      const err = toFerryError(e)
      await this.unknownAll(records, payload, key, OutcomeUnknown([key, `probe failed: ${err.message}`]), true)
      this.counters.unknown += records.length
      return true
    }
  }

  /** Map (or take the edited payload) and check it; undefined when the unit was parked. */
  async prepare(
    unit: WriteUnit,
    records: readonly LedgerRecord[],
  ): Promise<{ payload: Record<string, unknown>; key: string } | undefined> {
    const first = records[0]
    let payload: Record<string, unknown>
    if (records.length === 1 && first?.payloadEdited === true && first.payload !== null) {
      payload = first.payload
    } else {
      let mapped
      try {
        mapped = await this.target.map(unit, this.deps.clock.now())
      } catch (e) {
        const err = toFerryError(e)
        if (err.kind === 'system') throw err
        if (err.kind === 'rate_limited') await this.paceAll(records, err)
        else await this.failAll(records, err, err.kind === 'transient')
        return undefined
      }
      const missing = mapped.unresolved[0]
      if (missing !== undefined) {
        await this.failAll(records, lookupError(missing, this.scheme.collectionTitles), false, mapped.payload)
        return undefined
      }
      payload = mapped.payload
    }
    const problem =
      checkPayload(payload, this.target.quality)[0] ??
      (await this.deps.quality?.check(
        payload,
        records.map((r) => r.id),
      ))
    if (problem !== undefined) {
      await this.failAll(records, problem, false, payload)
      return undefined
    }
    const rawKey = payload[this.target.businessKeyField]
    const key = typeof rawKey === 'string' || typeof rawKey === 'number' ? String(rawKey) : ''
    if (key.trim() === '') {
      await this.failAll(
        records,
        BusinessKeyMissing([this.target.businessKeyField], { location: this.target.businessKeyField }),
        false,
        payload,
      )
      return undefined
    }
    return { payload, key }
  }

  async process(unit: WriteUnit, records: readonly LedgerRecord[]): Promise<void> {
    if (records.length === 0) return
    if (await this.settleLanded(unit, records)) return
    const prepared = await this.prepare(unit, records)
    if (prepared === undefined) return
    const { payload, key } = prepared
    // A previous attempt may have reached the target: look before writing again.
    if (records.some((r) => r.status === 'unknown') && (await this.settleByProbe(records, payload, key))) return

    // Write intent: if this process dies after sending, the restart probes instead of writing blind.
    if (!(await this.intent(records, payload, key, 'write sent, outcome not recorded yet'))) return
    // The intent renewed the claim for claimTtlMs. A request still waiting (for its budget, or a
    // stalled process) when less than a third of that is left is not sent: once the claim expires
    // another writer may claim and probe, and the target must have had the write before then.
    const deadline = performance.now() + claimTtl(this.deps) - Math.floor(claimTtl(this.deps) / 3)
    let late = false
    let outcome: WriteOutcome
    const leaseCheck = this.deps.leaseCheck
    try {
      leaseCheck?.()
      outcome = await this.deps.runtime.write({
        api: this.target.api,
        payload,
        key,
        // Both checks run as the request leaves: the lease is still this process's, and the
        // claim has time left (see the deadline above).
        beforeSend: () => {
          leaseCheck?.()
          if (performance.now() <= deadline) return
          late = true
          throw new Error('the claim of these records runs out before the request could leave; not sent')
        },
        ...(this.deps.signal === undefined ? {} : { signal: this.deps.signal }),
      })
    } catch (e) {
      if (late) return this.notSent(key)
      // A thrown write is treated as unknown: the request may have left.
      const err = toFerryError(e)
      outcome = { kind: 'unknown_outcome', message: err.message, code: err.code }
    }
    // A connector that answered instead of rethrowing what beforeSend threw: still nothing left.
    if (late) return this.notSent(key)
    await this.settle(unit, records, payload, key, outcome)
  }

  /** Nothing left: the records keep their intent, and whoever claims them next probes first. */
  private notSent(key: string): void {
    this.deps.log.warn({ scheme: this.scheme.id, key }, 'claim ran out before the request left: not sent')
  }

  /**
   * A record that already has a target id was written (its afterWrite hook failed and it was
   * parked, then retried): it is never sent again. Only afterWrite runs again, on the answer kept
   * as proof, and the record settles under the same target id. False when no record has one.
   */
  async settleLanded(unit: WriteUnit, records: readonly LedgerRecord[]): Promise<boolean> {
    const landed = records.find((r) => r.targetId !== null)
    if (landed === undefined || landed.targetId === null) return false
    const answer: WriteOutcome = {
      kind: 'ok',
      targetId: landed.targetId,
      ...(landed.response === undefined || landed.response === null ? {} : { response: landed.response }),
    }
    await this.settle(unit, records, landed.payload ?? {}, landed.businessKey ?? '', answer, landed.targetId)
    return true
  }

  /**
   * Record what the target answered for one unit (also used per row of a batch call). `landedAs`:
   * the target id of an earlier write of these records, which no hook may change.
   */
  async settle(
    unit: WriteUnit,
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    answered: WriteOutcome,
    landedAs?: string,
  ): Promise<void> {
    let outcome: AfterWriteOutcome = answered
    if (this.target.afterWrite !== undefined)
      outcome = await this.target.afterWrite({ recordIds: unit.recordIds, payload, key, outcome })
    if (landedAs !== undefined) outcome = { ...outcome, targetId: landedAs }
    const hookError = outcome.hookError
    if (hookError !== undefined && outcome.kind !== 'ok' && outcome.kind !== 'already_exists') {
      // The answer says nothing landed (or is unknown: probed as ever, the hook's failure logged).
      if (outcome.kind !== 'unknown_outcome') {
        const err = new FerryError(hookError.code, hookError.kind, hookError.message, {
          ...(hookError.location === undefined ? {} : { location: hookError.location }),
        })
        await this.failAll(records, err, false, payload)
        return
      }
    }
    switch (outcome.kind) {
      case 'ok':
        if (hookError !== undefined) {
          const id = outcome.targetId ?? `key:${key}`
          await this.parkLanded(records, payload, key, id, outcome.response, hookError)
          return
        }
        await this.doneAll(records, payload, key, outcome.targetId, outcome.response)
        this.counters.written += records.length
        return
      case 'already_exists': {
        let targetId = outcome.targetId
        let response = outcome.response
        if (targetId === undefined) {
          this.counters.probed++
          try {
            const found = await this.deps.runtime.probe(this.target.api, key, this.deps.signal)
            if (found.exists) {
              targetId = found.targetId
              response = {
                answer: redact(outcome.response ?? outcome.message ?? null),
                document: found.document ?? null,
              }
            }
          } catch (e) {
            await this.unknownAll(
              records,
              payload,
              key,
              OutcomeUnknown([key, `target says it exists; probe failed: ${toFerryError(e).message}`]),
              true,
            )
            return
          }
        }
        if (hookError !== undefined) {
          const answer = response ?? { message: outcome.message ?? 'already exists' }
          await this.parkLanded(records, payload, key, targetId ?? `key:${key}`, answer, hookError)
          return
        }
        await eachAtOnce(records, (r) =>
          this.ledger.markDuplicate(
            this.ref(r),
            {
              response: redact(response ?? { message: outcome.message ?? 'already exists' }),
              ...(targetId === undefined ? {} : { targetId }),
              ...(outcome.message === undefined ? {} : { message: outcome.message }),
            },
            { payload, businessKey: key },
          ),
        )
        this.counters.alreadyExisted += records.length
        return
      }
      case 'unknown_outcome': {
        if (await this.settleByProbe(records, payload, key)) return
        // Probe says it is not there: schedule a retry that probes again first.
        await this.unknownAll(records, payload, key, outcomeError(outcome, key), true)
        this.counters.unknown += records.length
        return
      }
      case 'rate_limited':
        await this.paceAll(records, outcomeError(outcome, key), payload)
        return
      case 'transient':
        await this.failAll(records, outcomeError(outcome, key), true, payload)
        return
      case 'data':
      case 'config':
        await this.failAll(records, outcomeError(outcome, key), false, payload)
        return
    }
  }
}
