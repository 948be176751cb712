/**
 * Ledger invariants (`ferry verify`). Each rule is what exactly-once rests on:
 * - every source record seen is settled (done, duplicate, or resolved by a person) or has a next
 *   attempt planned; otherwise nothing will ever move it. A parked record (error) is not
 *   settled: it has no document until a person acts, so it is reported too;
 * - one business key maps to one target document and one document to one key;
 * - every `done` record carries the target id and the response that proved the write;
 * - no time window before the cursor (LAST_SYNC_TIME) is missing from the closed-window set;
 * - with a target view: the ledger agrees with the target (verify-target.ts).
 *
 * Records are streamed page by page; only key → target id pairs are held in memory.
 */
import type { FerryError } from '../core/errors.js'
import type { TimeWindow } from '../connectors/contract.js'
import type { LedgerRecord } from '../store/index.js'
import {
  VerifyCursorGap,
  VerifyDoneWithoutProof,
  VerifyKeyTwoTargets,
  VerifyNotSettled,
  VerifyParked,
} from './errors.js'
import { TargetCheck, type TargetCheckInput } from './verify-target.js'

/** What verify reads from the store (the real Store satisfies it). */
export interface VerifyLedger {
  iterateRecords(schemeId: string): AsyncIterable<LedgerRecord>
}

export interface VerifyWindows {
  /** End of the contiguous closed run from `from` (LAST_SYNC_TIME). */
  lastSyncTime(schemeId: string, api: string, from: Date): Promise<Date>
  /** Parts of [from, to) not closed. */
  gaps(schemeId: string, api: string, from: Date, to: Date): Promise<TimeWindow[]>
  list(schemeId: string, api: string): Promise<TimeWindow[]>
}

export interface VerifyInput {
  readonly schemeId: string
  /** The source api whose windows form the cursor. */
  readonly api: string
  /** The scheme's configured start (first LAST_SYNC_TIME); default the earliest closed window. */
  readonly start?: Date
  readonly ledger: VerifyLedger
  readonly windows: VerifyWindows
  /**
   * The scheme's target, to check the ledger against it; absent: ledger only. Its duplicate
   * check covers [start, cursor) unless `range` is given.
   */
  readonly target?: Omit<TargetCheckInput, 'range'> & { readonly range?: TargetCheckInput['range'] }
}

export interface Violation {
  readonly code: string
  readonly rule:
    'settled_or_planned' | 'one_target_per_key' | 'done_has_proof' | 'cursor_covered' | 'ledger_matches_target'
  readonly recordId?: string
  readonly message: string
}

export interface VerifyReport {
  readonly schemeId: string
  readonly records: number
  readonly cursor?: Date
  /** Closed windows after a gap: the cursor waits at the gap, which is safe; shown for information. */
  readonly islands: TimeWindow[]
  readonly violations: Violation[]
  /** Set when the ledger was checked against the target: written keys looked up, documents listed. */
  readonly target?: { readonly keysChecked: number; readonly listed: number }
  /** Why the target was not checked although it was asked for (its connection cannot be opened here). */
  readonly targetSkipped?: string
}

const SETTLED = new Set(['done', 'duplicate'])

function violation(rule: Violation['rule'], e: FerryError, recordId?: string): Violation {
  return { code: e.code, rule, message: e.message, ...(recordId === undefined ? {} : { recordId }) }
}

/** A target id the engine made up because the target gave none (`key:<business key>`). */
const isPlaceholder = (targetId: string) => targetId.startsWith('key:')

const emptyResponse = (r: unknown) =>
  r === null || r === undefined || (typeof r === 'object' && Object.keys(r).length === 0)

export async function verifyLedger(input: VerifyInput): Promise<VerifyReport> {
  const { schemeId } = input
  const violations: Violation[] = []
  const keyToTarget = new Map<string, { targetId: string; recordId: string }>()
  const targetToKey = new Map<string, { key: string; recordId: string }>()
  let records = 0
  const check = input.target === undefined ? undefined : new TargetCheck(input.target)
  for await (const r of input.ledger.iterateRecords(schemeId)) {
    records++
    check?.see(r)
    if (r.status === 'error' && r.resolvedAt === null) {
      violations.push(
        violation(
          'settled_or_planned',
          VerifyParked([
            r.id,
            r.lastError === null ? 'no error recorded' : `${r.lastError.code}: ${r.lastError.message}`,
          ]),
          r.id,
        ),
      )
    } else if (!SETTLED.has(r.status) && r.status !== 'error' && r.resolvedAt === null && r.nextAttemptAt === null) {
      violations.push(violation('settled_or_planned', VerifyNotSettled([r.id, r.status]), r.id))
    }
    if (r.status === 'done') {
      if (r.targetId === null || r.targetId === '')
        violations.push(violation('done_has_proof', VerifyDoneWithoutProof([r.id, 'a target id']), r.id))
      else if (isPlaceholder(r.targetId))
        violations.push(
          violation(
            'done_has_proof',
            VerifyDoneWithoutProof([r.id, `a real target id (it has the placeholder ${r.targetId})`]),
            r.id,
          ),
        )
      if (emptyResponse(r.response))
        violations.push(
          violation('done_has_proof', VerifyDoneWithoutProof([r.id, 'the target response that proved it']), r.id),
        )
    }
    if (
      SETTLED.has(r.status) &&
      r.businessKey !== null &&
      r.targetId !== null &&
      r.targetId !== '' &&
      !isPlaceholder(r.targetId)
    ) {
      const byKey = keyToTarget.get(r.businessKey)
      if (byKey === undefined) keyToTarget.set(r.businessKey, { targetId: r.targetId, recordId: r.id })
      else if (byKey.targetId !== r.targetId) {
        violations.push(
          violation(
            'one_target_per_key',
            VerifyKeyTwoTargets([
              `key ${r.businessKey} maps to target ${byKey.targetId} (record ${byKey.recordId}) and to target ${r.targetId} (record ${r.id})`,
            ]),
            r.id,
          ),
        )
      }
      const byTarget = targetToKey.get(r.targetId)
      if (byTarget === undefined) targetToKey.set(r.targetId, { key: r.businessKey, recordId: r.id })
      else if (byTarget.key !== r.businessKey) {
        violations.push(
          violation(
            'one_target_per_key',
            VerifyKeyTwoTargets([
              `target ${r.targetId} is the document of key ${byTarget.key} (record ${byTarget.recordId}) and of key ${r.businessKey} (record ${r.id})`,
            ]),
            r.id,
          ),
        )
      }
    }
  }

  const closed = await input.windows.list(schemeId, input.api)
  const start = input.start ?? closed[0]?.start
  let cursor: Date | undefined
  const islands: TimeWindow[] = []
  if (start !== undefined) {
    cursor = await input.windows.lastSyncTime(schemeId, input.api, start)
    for (const gap of await input.windows.gaps(schemeId, input.api, start, cursor)) {
      violations.push(
        violation(
          'cursor_covered',
          VerifyCursorGap([input.api, `[${gap.start.toISOString()}, ${gap.end.toISOString()})`, cursor.toISOString()]),
        ),
      )
    }
    for (const w of closed) if (w.start.getTime() > cursor.getTime()) islands.push(w)
  }
  let target: VerifyReport['target']
  if (check !== undefined && input.target !== undefined) {
    const range =
      input.target.range ??
      (start !== undefined && cursor !== undefined && start < cursor ? { from: start, to: cursor } : undefined)
    const t = await check.run(range)
    for (const f of t.findings) violations.push(violation('ledger_matches_target', f.error, f.recordId))
    target = { keysChecked: t.keysChecked, listed: t.listed }
  }
  return {
    schemeId,
    records,
    ...(cursor === undefined ? {} : { cursor }),
    islands,
    violations,
    ...(target === undefined ? {} : { target }),
  }
}
