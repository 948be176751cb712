/**
 * Target stage: claim due records, map them, check them, and write each document exactly once.
 *
 * Exactly-once rests on three rules: the business key comes from the mapped payload (so it is a
 * deterministic function of the source record); the ledger records a write intent (`unknown`)
 * before the request leaves, so a crash after sending is recovered by a probe; and any record
 * whose previous outcome is unknown is probed by its key before it may be written again.
 */
import { FerryError, toFerryError } from '../core/errors.js'
import type { TargetRuntime, WriteOutcome } from '../connectors/contract.js'
import { redact } from '../core/redact.js'
import {
  BusinessKeyMissing,
  GroupAlreadyWritten,
  OutcomeUnknown,
  RetriesExhausted,
  TargetConfig,
  TargetRateLimited,
  TargetRejected,
  TargetTransient,
} from './errors.js'
import { writeBatches } from './batch-writer.js'
import { pool } from './pool.js'
import { checkPayload, lookupError } from './quality.js'
import { nextAttemptAt, type RetryPolicy } from './retry.js'
import type {
  AfterWriteOutcome,
  Clock,
  EngineLogger,
  EnginePorts,
  EngineScheme,
  LedgerRecord,
  QualityChecks,
  RecordError,
  RunCounters,
  SchemeTarget,
  WriteUnit,
} from './ports.js'
import { pause } from '../core/sleep.js'
import { performance } from 'node:perf_hooks'
import type { LookupEvents } from './lookup-cache.js'

export interface TargetStageDeps {
  readonly ports: EnginePorts
  readonly clock: Clock
  readonly log: EngineLogger
  readonly runtime: TargetRuntime
  /**
   * Throws ERR_LEASE_LOST once the target lease no longer counts as held (lease-guard.ts): asked
   * before each write intent and right before each request leaves. The fenced store refuses a
   * stale holder's marks on its own; this stops the request, which the store cannot see.
   */
  readonly leaseCheck?: () => void
  /** Told before each claim, so lookups that missed are asked again for the new batch. */
  readonly lookups?: Pick<LookupEvents, 'batchClaimed'>
  readonly retry: RetryPolicy
  /** Writes in flight at once (the credential budget's in-flight limit). */
  readonly concurrency: number
  readonly batchSize?: number
  /** How long a claim holds; a crashed writer's records become claimable after it. */
  readonly claimTtlMs?: number
  readonly onUnit?: (c: RunCounters) => void
  readonly signal?: AbortSignal
  /** The run's checks of the scheme's `target.quality` rules, after the built-in ones. */
  readonly quality?: QualityChecks
  /** How the stage waits for throttled records (tests move a virtual clock); default a real timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface TargetStageOptions {
  /** True while the source stage may still add records; the stage waits for more until false. */
  readonly sourceRunning?: () => boolean
  /** Resolves when the source stage stored something new (or finished). */
  readonly nextSourceEvent?: () => Promise<void>
}

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

/**
 * Mark every record of a unit at once: on SQLite the marks of one event-loop turn share one commit
 * and one WAL sync, so a grouped document's intent costs one durable commit, not one per record.
 * Every mark is awaited before a failure is rethrown, so none is left running behind the caller.
 */
async function eachAtOnce<T>(items: readonly T[], fn: (t: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(items.map(fn))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}

/** How long a claim holds (and a write intent renews it for). */
function claimTtl(deps: TargetStageDeps): number {
  return deps.claimTtlMs ?? 300_000
}

/** Shortest and longest requeue after a throttle answer the connector could not absorb itself. */
const PACE_MIN_MS = 250
const PACE_MAX_MS = 60_000
/** Throttle requeues of one record within one run after which the run stops waiting for it. */
const PACES_PER_RUN = 30
/** A retry due within this long is a short backoff the run waits for rather than leaving behind. */
const SHORT_BACKOFF_MS = 30_000

export class UnitWriter {
  /** Set after a configuration error: the remaining units of the batch are not attempted. */
  stopped = false
  /** The latest time a record requeued by pacing in this run becomes due; the stage waits for it. */
  pacedUntil: Date | undefined
  private readonly paces = new Map<string, number>()

  constructor(
    private readonly deps: TargetStageDeps,
    private readonly scheme: EngineScheme,
    private readonly target: SchemeTarget,
    private readonly counters: RunCounters,
  ) {}

  private get ledger() {
    return this.deps.ports.ledger
  }

  private ref(r: LedgerRecord) {
    return { schemeId: this.scheme.id, recordId: r.id }
  }

  /** Records carry `attempts` including this attempt (the claim counted it). */
  private async failAll(
    records: readonly LedgerRecord[],
    error: FerryError,
    retry: boolean,
    payload?: Record<string, unknown>,
  ): Promise<void> {
    const now = this.deps.clock.now()
    await eachAtOnce(records, async (r) => {
      const attempts = Math.max(1, r.attempts)
      let next: Date | undefined
      let err = error
      if (retry) {
        const hint = typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : undefined
        next = nextAttemptAt(this.deps.retry, attempts, now, hint)
        if (next === undefined) err = RetriesExhausted([attempts, `${error.code} ${error.message}`])
      }
      await this.ledger.markFailed(
        this.ref(r),
        { kind: err.kind, code: err.code, message: err.message, nextAttemptAt: next ?? null },
        payload === undefined ? undefined : { payload },
      )
      if (next !== undefined) this.waitIfShort(next, now)
      if (next === undefined) this.counters.failed++
      else this.counters.retrying++
    })
    if (error.kind === 'config') {
      this.stopped = true
      await this.deps.ports.schemeState.pause(this.scheme.id, `${error.code} ${error.message}`)
      this.deps.log.error({ scheme: this.scheme.id, code: error.code }, 'scheme paused after a configuration error')
    }
  }

  /**
   * A retry this run scheduled on a short rung (the ladder's first, 20 s by default) is waited for
   * within the run, so a backfill does not return with records a few seconds from done. Each wait
   * spends a rung, so the ladder bounds it; longer rungs are left for a later run and reported.
   */
  private waitIfShort(due: Date, now: Date): void {
    if (due.getTime() - now.getTime() > SHORT_BACKOFF_MS) return
    if (this.pacedUntil === undefined || due > this.pacedUntil) this.pacedUntil = due
  }

  /**
   * Throttled: pacing, not failure. The record goes back to the queue for a short wait with the
   * claim's attempt given back, so it never climbs the retry ladder, and the stage waits for it
   * within this run. Only a record throttled again and again in one run is left for a later run.
   */
  private async paceAll(
    records: readonly LedgerRecord[],
    error: FerryError,
    payload?: Record<string, unknown>,
  ): Promise<void> {
    const now = this.deps.clock.now().getTime()
    const hint = typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : 1_000
    const wait = Math.min(PACE_MAX_MS, Math.max(PACE_MIN_MS, hint))
    let waitFor = false
    await eachAtOnce(records, async (r) => {
      const n = (this.paces.get(r.id) ?? 0) + 1
      this.paces.set(r.id, n)
      const at = new Date(now + (n > PACES_PER_RUN ? PACE_MAX_MS : wait))
      if (n <= PACES_PER_RUN) waitFor = true
      await this.ledger.markFailed(
        this.ref(r),
        { kind: error.kind, code: error.code, message: error.message, nextAttemptAt: at, uncount: true },
        payload === undefined ? undefined : { payload },
      )
    })
    this.counters.paced += records.length
    const due = new Date(now + wait)
    if (waitFor && (this.pacedUntil === undefined || due > this.pacedUntil)) this.pacedUntil = due
  }

  private async doneAll(
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    targetId: string | undefined,
    response: unknown,
  ): Promise<void> {
    const proof = {
      payload,
      businessKey: key,
      targetId: targetId ?? `key:${key}`,
      response: redact(response ?? { ok: true }),
    }
    await eachAtOnce(records, (r) => this.ledger.markWritten(this.ref(r), proof))
  }

  async unknownAll(
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    error: FerryError,
    retryLater: boolean,
  ): Promise<void> {
    const now = this.deps.clock.now()
    // The last store write before a request leaves: a worker whose lease is overdue stops here.
    this.deps.leaseCheck?.()
    await eachAtOnce(records, async (r) => {
      const probeAt = retryLater
        ? (nextAttemptAt(this.deps.retry, Math.max(1, r.attempts), now) ?? new Date(now.getTime() + 3_600_000))
        : now
      await this.ledger.markUnknown(
        this.ref(r),
        { code: error.code, message: error.message, probeAt },
        { payload, businessKey: key },
      )
      if (retryLater) this.waitIfShort(probeAt, now)
    })
  }

  /**
   * The write intent of a unit, made under the claim that handed its records out: the store
   * records it only while each record is still claimed by that claim, and keeps the claim until the
   * outcome is marked. False when another writer claimed a record since (its claim expired while
   * this writer stalled, e.g. another part of a split stage took it): the unit is skipped, neither
   * sent nor marked failed; its records are that writer's now (one already carrying this intent is
   * probed by whoever claims it next, as every unknown outcome is).
   */
  async intent(
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    message: string,
  ): Promise<boolean> {
    const now = this.deps.clock.now()
    const until = new Date(now.getTime() + claimTtl(this.deps))
    // Code and message only, stored with the intent: no error object (its stack) per bill.
    const error = { code: OutcomeUnknown.code, message: OutcomeUnknown.text([key, message]) }
    // The last store write before a request leaves: a worker whose lease is overdue stops here.
    this.deps.leaseCheck?.()
    const results = await Promise.allSettled(
      records.map((r) =>
        this.ledger.markUnknown(
          this.ref(r),
          {
            code: error.code,
            message: error.message,
            probeAt: now,
            ...(r.claimToken === null ? {} : { claim: { token: r.claimToken, until } }),
          },
          { payload, businessKey: key },
        ),
      ),
    )
    let lost = false
    for (const r of results) {
      if (r.status === 'fulfilled') continue
      if (toFerryError(r.reason).code !== 'ERR_STORE_CLAIM_LOST') throw r.reason
      lost = true
    }
    if (lost) {
      this.deps.log.warn(
        { scheme: this.scheme.id, key, records: records.map((r) => r.id) },
        'another writer claimed these records since this one did: skipped, not sent',
      )
    }
    return !lost
  }

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
   * The write landed but an afterWrite hook failed: park the records with the hook's error, keeping
   * the target id so a retry re-runs only afterWrite and never writes again.
   */
  private async parkLanded(
    records: readonly LedgerRecord[],
    payload: Record<string, unknown>,
    key: string,
    targetId: string,
    response: unknown,
    error: RecordError,
  ): Promise<void> {
    const proof = {
      payload,
      businessKey: key,
      targetId,
      response: redact(response ?? { ok: true }),
      error: { kind: error.kind, code: error.code, message: error.message },
    }
    await eachAtOnce(records, (r) => this.ledger.markWrittenParked(this.ref(r), proof))
    this.counters.failed += records.length
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

/**
 * Wait until every record this run requeued for pacing is due again; false when there is none.
 * A clock that does not move while the stage waits (a frozen test clock) ends the wait: the
 * records stay queued for the next run rather than the stage spinning.
 */
async function waitForPaced(deps: TargetStageDeps, writer: UnitWriter): Promise<boolean> {
  const due = writer.pacedUntil
  if (due === undefined) return false
  writer.pacedUntil = undefined
  const before = deps.clock.now().getTime()
  const wait = due.getTime() - before
  if (wait <= 0) return true
  await (deps.sleep ?? pause)(wait, deps.signal)
  return deps.clock.now().getTime() > before
}

/**
 * Claim up to `batch` due records. Grouped schemes (groupCalculate) claim whole header groups
 * (`claimGroups`, which also returns members whose document was already written, parked here): a
 * group split across batches would be planned twice under one business key and the second document
 * answered `already_exists`, its rows lost.
 */
async function claimBatch(
  deps: TargetStageDeps,
  scheme: EngineScheme,
  batch: number,
  grouped: boolean,
  counters: RunCounters,
): Promise<LedgerRecord[]> {
  const ledger = deps.ports.ledger
  const opts = () => ({ now: deps.clock.now(), ttlMs: claimTtl(deps) })
  deps.lookups?.batchClaimed()
  if (grouped) {
    // Whole groups only; loop past claims that held nothing but late members.
    for (;;) {
      const { records, late } = await ledger.claimGroups(scheme.id, batch, opts())
      for (const l of late) {
        const err = GroupAlreadyWritten([
          l.record.id,
          l.writtenAs.businessKey ?? `(group of ${l.writtenAs.recordId})`,
          l.writtenAs.targetId ?? 'unknown',
        ])
        await ledger.markFailed(
          { schemeId: scheme.id, recordId: l.record.id },
          { kind: err.kind, code: err.code, message: err.message, nextAttemptAt: null },
        )
        counters.failed++
      }
      if (records.length > 0 || late.length === 0) return records
    }
  }
  return (await ledger.claimReady(scheme.id, batch, opts())).records
}

/**
 * Drain due records in batches until none is due and the source stage has finished. Returns
 * the first system error (a bug) if one occurred; record-level failures are in the ledger.
 */
export async function runTargetStage(
  deps: TargetStageDeps,
  scheme: EngineScheme,
  counters: RunCounters,
  opts: TargetStageOptions = {},
): Promise<FerryError | undefined> {
  const target = scheme.target
  if (target === undefined) return undefined
  const writer = new UnitWriter(deps, scheme, target, counters)
  const batch = deps.batchSize ?? 100
  const groupKey = target.groupKey
  const grouped = groupKey !== undefined
  let keysFresh = groupKey === undefined
  for (;;) {
    if (deps.signal?.aborted === true) return undefined
    if ((await deps.ports.schemeState.pausedReason(scheme.id)) !== undefined) return undefined
    const sourceRunning = opts.sourceRunning?.() ?? false
    const wake = sourceRunning ? opts.nextSourceEvent?.() : undefined
    if (grouped && sourceRunning) {
      // A header group's records may still be arriving: group only once the source has finished.
      await (wake ?? new Promise((r) => setTimeout(r, 50)))
      continue
    }
    if (!keysFresh && groupKey !== undefined) {
      // Records stored before group keys existed, or under an older headerGroup, get today's key.
      await deps.ports.ledger.refreshGroupKeys(scheme.id, groupKey.prefix, (c) => groupKey.of(c))
      keysFresh = true
    }
    const claimed = await claimBatch(deps, scheme, batch, grouped, counters)
    if (claimed.length === 0) {
      if (!sourceRunning) {
        // A backfill is done only when nothing waits on pacing: wait for throttled records here.
        if (await waitForPaced(deps, writer)) continue
        return undefined
      }
      await (wake ?? new Promise((r) => setTimeout(r, 50)))
      continue
    }
    const byId = new Map(claimed.map((r) => [r.id, r]))
    const units = target.plan(claimed)
    if (target.batch !== undefined) {
      // operation batchArraySave: several units per call (src/engine/batch-writer.ts).
      const e = await writeBatches({ writer, deps, target, batch: target.batch, units, byId, counters })
      if (e !== undefined) return e
      if (writer.stopped) return undefined
      continue
    }
    try {
      await pool(units, deps.concurrency, async (unit) => {
        if (writer.stopped) return
        const records = unit.recordIds.map((id) => byId.get(id)).filter((r): r is LedgerRecord => r !== undefined)
        await writer.process(unit, records)
        deps.onUnit?.(counters)
      })
    } catch (e) {
      return toFerryError(e)
    }
    if (writer.stopped) return undefined
  }
}
