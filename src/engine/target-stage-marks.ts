/**
 * How the target stage records each unit's fate in the ledger (see target-stage.ts for the rules
 * of exactly-once these marks carry out).
 */
import { toFerryError, type FerryError } from '../core/errors.js'
import { redact } from '../core/redact.js'
import { OutcomeUnknown, RetriesExhausted } from './errors.js'
import { nextAttemptAt } from './retry.js'
import type { EngineScheme, LedgerRecord, RecordError, RunCounters, SchemeTarget } from './ports.js'
import { claimTtl, type TargetStageDeps } from './target-stage-deps.js'

/**
 * Mark every record of a unit at once: on SQLite the marks of one event-loop turn share one commit
 * and one WAL sync, so a grouped document's intent costs one durable commit, not one per record.
 * Every mark is awaited before a failure is rethrown, so none is left running behind the caller.
 */
export async function eachAtOnce<T>(items: readonly T[], fn: (t: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(items.map(fn))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}

/** Shortest and longest requeue after a throttle answer the connector could not absorb itself. */
const PACE_MIN_MS = 250
const PACE_MAX_MS = 60_000
/** Throttle requeues of one record within one run after which the run stops waiting for it. */
const PACES_PER_RUN = 30
/** A retry due within this long is a short backoff the run waits for rather than leaving behind. */
const SHORT_BACKOFF_MS = 30_000

/**
 * The ledger marks of the target stage: failed (on the retry ladder, pausing the scheme after a
 * configuration error), paced (throttled), written, unknown (probed later), the write intent made
 * under the claim, and parked after an afterWrite hook failed. The unit writer
 * (target-stage-writer.ts) decides which; these record it.
 */
export class TargetMarks {
  /** Set after a configuration error: the remaining units of the batch are not attempted. */
  stopped = false
  /** The latest time a record requeued by pacing in this run becomes due; the stage waits for it. */
  pacedUntil: Date | undefined
  private readonly paces = new Map<string, number>()

  constructor(
    protected readonly deps: TargetStageDeps,
    protected readonly scheme: EngineScheme,
    protected readonly target: SchemeTarget,
    protected readonly counters: RunCounters,
  ) {}

  protected get ledger() {
    return this.deps.ports.ledger
  }

  protected ref(r: LedgerRecord) {
    return { schemeId: this.scheme.id, recordId: r.id }
  }

  /** Records carry `attempts` including this attempt (the claim counted it). */
  protected async failAll(
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
      await this.deps.ports.schemes.pause(this.scheme.id, `${error.code} ${error.message}`)
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
  protected async paceAll(
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

  protected async doneAll(
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

  /**
   * The write landed but an afterWrite hook failed: park the records with the hook's error, keeping
   * the target id so a retry re-runs only afterWrite and never writes again.
   */
  protected async parkLanded(
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
}
