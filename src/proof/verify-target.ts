/**
 * The ledger checked against the target (`ferry verify`): what the chaos suite checks on its own.
 * - every written record (done / duplicate) with a business key and a real target id: the
 *   target's document for that key exists and is the one the ledger points at;
 * - over the closed range [start, cursor): no business key has two documents in the target.
 * One detail lookup per written key (records of one grouped document share it), a few in flight.
 */
import { toFerryError, type FerryError } from '../core/errors.js'
import type { LedgerRecord } from '../store/index.js'
import { VerifyTargetDuplicate, VerifyTargetMismatch, VerifyTargetMissing } from './errors.js'
import type { ReconcileTargetView } from './reconcile.js'

export interface TargetCheckInput {
  readonly view: Pick<ReconcileTargetView, 'get' | 'list'>
  /** The documents' range for the duplicate check (the closed windows); absent: not checked. */
  readonly range?: { readonly from: Date; readonly to: Date }
  readonly concurrency?: number
  readonly signal?: AbortSignal
  readonly sleep?: (ms: number) => Promise<void>
}

export interface TargetFinding {
  readonly error: FerryError
  readonly recordId?: string
}

const MAX_ATTEMPTS = 4

async function patiently<T>(o: TargetCheckInput, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      const err = toFerryError(e)
      if (
        attempt >= MAX_ATTEMPTS ||
        (err.kind !== 'rate_limited' && err.kind !== 'transient') ||
        o.signal?.aborted === true
      )
        throw err
      const asked = Number(err.details.retryAfterMs)
      await (o.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))))(
        Number.isFinite(asked) && asked > 0 ? asked : 500 * 2 ** attempt,
      )
    }
  }
}

/** Collects written records while verify streams the ledger, then checks them against the target. */
export class TargetCheck {
  /** business key → records and the target id the ledger gives them. */
  private readonly written = new Map<string, { targetId: string; recordIds: string[] }>()

  constructor(private readonly o: TargetCheckInput) {}

  see(r: LedgerRecord): void {
    if (r.status !== 'done' && r.status !== 'duplicate') return
    if (r.businessKey === null || r.targetId === null || r.targetId === '' || r.targetId.startsWith('key:')) return
    const w = this.written.get(r.businessKey)
    // A key with two target ids is verify's own one-target-per-key violation; check the first.
    if (w === undefined) this.written.set(r.businessKey, { targetId: r.targetId, recordIds: [r.id] })
    else w.recordIds.push(r.id)
  }

  /** `range`: the documents' range for the duplicate check (default the one given at construction). */
  async run(range = this.o.range): Promise<{ findings: TargetFinding[]; keysChecked: number; listed: number }> {
    const findings: TargetFinding[] = []
    const queue = [...this.written.entries()]
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [key, w] = next
        const got = await patiently(this.o, () => this.o.view.get(key, this.o.signal))
        const first = w.recordIds[0]!
        if (!got.exists)
          findings.push({ recordId: first, error: VerifyTargetMissing([w.recordIds.join(', '), key, w.targetId]) })
        else if (got.targetId !== undefined && got.targetId !== w.targetId) {
          findings.push({
            recordId: first,
            error: VerifyTargetMismatch([w.recordIds.join(', '), key, w.targetId, got.targetId]),
          })
        }
      }
    }
    const n = Math.max(1, Math.min(this.o.concurrency ?? 4, queue.length))
    try {
      await Promise.all(Array.from({ length: n }, worker))
    } finally {
      queue.length = 0
    }
    let listed = 0
    if (range !== undefined) {
      const byKey = new Map<string, string[]>()
      for await (const row of this.o.view.list(range, this.o.signal)) {
        listed++
        const ids = byKey.get(row.key)
        if (ids === undefined) byKey.set(row.key, [row.id ?? '(no id)'])
        else ids.push(row.id ?? '(no id)')
      }
      for (const [key, ids] of byKey) {
        if (ids.length < 2) continue
        const recordId = this.written.get(key)?.recordIds[0]
        findings.push({
          ...(recordId === undefined ? {} : { recordId }),
          error: VerifyTargetDuplicate([key, `${ids.length} documents (${ids.join(', ')})`]),
        })
      }
    }
    return { findings, keysChecked: this.written.size, listed }
  }
}
