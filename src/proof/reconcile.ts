/**
 * Reconciliation: for a time range, list the source records again exactly as the source stage
 * would (same window planner, same request rendering, same condition/beatFlat), compute the
 * documents the scheme should have produced, and compare them with what the target holds by
 * business key. It only reads: finding a difference never changes the target or the ledger
 * (see repair.ts for queuing missing documents).
 *
 * The expected documents of the range are held in memory (one map entry per business key), so a
 * reconcile range is meant to be days or weeks, not the whole history.
 */
import type { SourceRuntime } from '../connectors/contract.js'
import { toFerryError } from '../core/errors.js'
import { checkPayload, lookupError } from '../engine/quality.js'
import type { EngineScheme, SchemeTarget, SourceRecord } from '../engine/ports.js'
import {
  ReconcileDuplicate,
  ReconcileExtra,
  ReconcileMismatch,
  ReconcileMissing,
  ReconcileNoTarget,
  ReconcileRange,
} from './errors.js'

/** What reconcile needs from the target: detail by business key, a list of the range, a comparison. */
export interface ReconcileTargetView {
  /** The document with this business key, as the target holds it (detail by number). */
  get(
    key: string,
    signal?: AbortSignal,
  ): Promise<{ exists: boolean; targetId?: string; document?: Record<string, unknown> }>
  /** The target's documents of the range (light rows: key and id). */
  list(range: { from: Date; to: Date }, signal?: AbortSignal): AsyncIterable<{ key: string; id?: string }>
  /** One line per difference between the mapped payload and the stored document; [] when they agree. */
  compare(expected: Readonly<Record<string, unknown>>, stored: Readonly<Record<string, unknown>>, key: string): string[]
}

export interface ReconcileInput {
  readonly scheme: EngineScheme
  readonly source: SourceRuntime
  readonly target: ReconcileTargetView
  readonly from: Date
  readonly to: Date
  /** "now" for request rendering and mapping templates. */
  readonly now: Date
  /**
   * True when a target document with this key is accounted for outside the range (e.g. the
   * ledger holds the record that wrote it, and its source record was modified outside the range).
   */
  readonly explained?: (key: string) => Promise<boolean>
  readonly signal?: AbortSignal
  /** Detail lookups in flight at once (default 4); the connection's budget still caps the rate. */
  readonly concurrency?: number
  /** Wait used between retries of a throttled or failed detail call (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>
}

export type FindingKind = 'missing' | 'extra' | 'mismatched' | 'duplicate'

export interface Finding {
  readonly kind: FindingKind
  /** The business key (e.g. bill_no). */
  readonly key: string
  /** Source record ids behind the key (empty for extras). */
  readonly recordIds: readonly string[]
  readonly targetId?: string
  /** `duplicate`: every document the target holds under the key, in list order. */
  readonly targetIds?: readonly string[]
  /** Stable code of the finding (ERR_RECONCILE_*). */
  readonly code: string
  /** One line a person can act on. */
  readonly reason: string
}

/** A source record the engine parks instead of writing (lookup missing, quality rule): expected absent. */
export interface ParkedExpectation {
  readonly key: string
  readonly recordIds: readonly string[]
  readonly code: string
  readonly reason: string
}

export interface ReconcileCounts {
  windows: number
  pages: number
  sourceRows: number
  records: number
  expected: number
  parked: number
  matched: number
  targetListed: number
  missing: number
  extra: number
  mismatched: number
  /** Business keys with more than one document in the target's list of the range. */
  duplicate: number
}

export interface ReconcileReport {
  readonly schemeId: string
  readonly from: Date
  readonly to: Date
  readonly counts: ReconcileCounts
  readonly findings: Finding[]
  readonly parked: ParkedExpectation[]
  /** Source records behind `missing` findings (for --repair); not part of the printed report. */
  readonly sources: ReadonlyMap<string, SourceRecord>
}

interface Expected {
  readonly payload: Record<string, unknown>
  readonly recordIds: string[]
}

/** Re-list the source records of [from, to) as the source stage would; later versions win. */
async function sourceRecords(input: ReconcileInput, counts: ReconcileCounts): Promise<Map<string, SourceRecord>> {
  const { scheme, source, from, to, now } = input
  const out = new Map<string, SourceRecord>()
  for (const window of source.planWindows(scheme.source.api, from, to)) {
    counts.windows++
    const params = await scheme.source.renderRequest({ lastSyncTime: window.start, currentTime: window.end, now })
    for await (const page of source.read({
      api: scheme.source.api,
      window,
      params,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    })) {
      counts.pages++
      counts.sourceRows += page.rows.length
      // Overlapping windows can return a record twice; the map keeps one per id.
      for (const r of await scheme.source.toRecords(page.rows)) out.set(r.id, r)
    }
  }
  counts.records = out.size
  return out
}

/** The documents the scheme should have produced, by business key, and the ones it parks. */
async function expectedDocuments(
  scheme: EngineScheme,
  target: SchemeTarget,
  records: Map<string, SourceRecord>,
  now: Date,
): Promise<{ expected: Map<string, Expected>; parked: ParkedExpectation[] }> {
  const expected = new Map<string, Expected>()
  const parked: ParkedExpectation[] = []
  const units = target.plan([...records.values()])
  for (const unit of units) {
    const ids = [...unit.recordIds]
    let payload: Record<string, unknown>
    try {
      const mapped = await target.map(unit, now)
      payload = mapped.payload
      const missing = mapped.unresolved[0]
      const problem =
        missing !== undefined ? lookupError(missing, scheme.collectionTitles) : checkPayload(payload, target.quality)[0]
      if (problem !== undefined) {
        parked.push({
          key: keyOf(payload, target) ?? ids.join(','),
          recordIds: ids,
          code: problem.code,
          reason: problem.message,
        })
        continue
      }
    } catch (e) {
      const err = toFerryError(e)
      if (err.kind === 'system') throw err
      parked.push({ key: ids.join(','), recordIds: ids, code: err.code, reason: err.message })
      continue
    }
    const key = keyOf(payload, target)
    if (key === undefined) {
      parked.push({
        key: ids.join(','),
        recordIds: ids,
        code: 'ERR_BUSINESS_KEY_MISSING',
        reason: `payload has no ${target.businessKeyField}`,
      })
      continue
    }
    const prior = expected.get(key)
    // Two units with one key: the target can hold only one document, so the engine writes the
    // first and settles the rest as duplicates. Compare against the first, keep every record id.
    if (prior !== undefined) prior.recordIds.push(...ids)
    else expected.set(key, { payload, recordIds: ids })
  }
  return { expected, parked }
}

function keyOf(payload: Record<string, unknown>, target: SchemeTarget): string | undefined {
  const raw = payload[target.businessKeyField]
  const key = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : ''
  return key === '' ? undefined : key
}

const MAX_ATTEMPTS = 4
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * A detail call that was throttled or failed transiently is repeated after the wait the target
 * asked for (or a doubling back-off): one throttled key must not abort a reconcile of thousands.
 */
async function patiently<T>(input: ReconcileInput, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      const err = toFerryError(e)
      if (
        attempt >= MAX_ATTEMPTS ||
        (err.kind !== 'rate_limited' && err.kind !== 'transient') ||
        input.signal?.aborted === true
      )
        throw err
      const asked = Number(err.details.retryAfterMs)
      await (input.sleep ?? defaultSleep)(Number.isFinite(asked) && asked > 0 ? asked : 500 * 2 ** attempt)
    }
  }
}

export async function reconcile(input: ReconcileInput): Promise<ReconcileReport> {
  const { scheme, from, to } = input
  if (!(from.getTime() < to.getTime())) throw ReconcileRange([from.toISOString(), to.toISOString()])
  if (scheme.target === undefined) throw ReconcileNoTarget([scheme.id, 'it has no target'])
  const counts: ReconcileCounts = {
    windows: 0,
    pages: 0,
    sourceRows: 0,
    records: 0,
    expected: 0,
    parked: 0,
    matched: 0,
    targetListed: 0,
    missing: 0,
    extra: 0,
    mismatched: 0,
    duplicate: 0,
  }
  const records = await sourceRecords(input, counts)
  const { expected, parked } = await expectedDocuments(scheme, scheme.target, records, input.now)
  counts.expected = expected.size
  counts.parked = parked.length

  const findings: Finding[] = []
  const keyField = scheme.target.businessKeyField
  const check = async (key: string, exp: Expected): Promise<void> => {
    const got = await patiently(input, () => input.target.get(key, input.signal))
    if (!got.exists) {
      const f = ReconcileMissing([key, `no document with ${keyField} ${key} in the target`])
      findings.push({ kind: 'missing', key, recordIds: exp.recordIds, code: f.code, reason: f.message })
      return
    }
    const diffs = input.target.compare(exp.payload, got.document ?? {}, key)
    if (diffs.length === 0) {
      counts.matched++
      return
    }
    const f = ReconcileMismatch([key, diffs.join('; ')])
    findings.push({
      kind: 'mismatched',
      key,
      recordIds: exp.recordIds,
      ...(got.targetId === undefined ? {} : { targetId: got.targetId }),
      code: f.code,
      reason: f.message,
    })
  }
  // A few lookups in flight at once; the connection's budget still decides the actual rate.
  const queue = [...expected.entries()]
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      try {
        await check(next[0], next[1])
      } catch (e) {
        // Stop the other workers too: no lookup runs on after reconcile has failed.
        queue.length = 0
        throw e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 4, queue.length)) }, worker))

  const parkedKeys = new Set(parked.map((p) => p.key))
  // Every document of the range, per key: a second document under one key is a breach to report
  // with its id, never a row to skip.
  const listed = new Map<string, string[]>()
  for await (const row of input.target.list({ from, to }, input.signal)) {
    counts.targetListed++
    const ids = listed.get(row.key)
    if (ids !== undefined) {
      ids.push(row.id ?? '(no id)')
      continue
    }
    listed.set(row.key, [row.id ?? '(no id)'])
    if (expected.has(row.key) || parkedKeys.has(row.key)) continue
    if (input.explained !== undefined && (await input.explained(row.key))) continue
    const f = ReconcileExtra([row.key, 'no source record of the range and no ledger record explains it'])
    findings.push({
      kind: 'extra',
      key: row.key,
      recordIds: [],
      ...(row.id === undefined ? {} : { targetId: row.id }),
      code: f.code,
      reason: f.message,
    })
  }
  for (const [key, ids] of listed) {
    if (ids.length < 2) continue
    const f = ReconcileDuplicate([
      key,
      `${ids.length} documents with ${keyField} ${key} in the target: ${ids.join(', ')}`,
    ])
    findings.push({
      kind: 'duplicate',
      key,
      recordIds: expected.get(key)?.recordIds ?? [],
      targetIds: ids,
      code: f.code,
      reason: f.message,
    })
  }
  for (const f of findings) counts[f.kind]++
  findings.sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key))
  const sources = new Map<string, SourceRecord>()
  for (const f of findings) {
    if (f.kind !== 'missing') continue
    for (const id of f.recordIds) {
      const r = records.get(id)
      if (r !== undefined) sources.set(id, r)
    }
  }
  return { schemeId: scheme.id, from, to, counts, findings, parked, sources }
}
