/**
 * `auditCheck: bulk`: the save answer carries no bill status (spec §4.2: `ids`, `id_number_map`),
 * and whether `operation_key: audit` audits on save is [?] (§4.1). Instead of a detail read per
 * bill, bills saved with an audit request are collected and checked together: one list call per
 * page of still-unaudited (`bill_status=Z`) bills over their bill dates, then one common_operate
 * for those of them still `Z`. In the common case (the save audited) that is one list call per
 * `auditBatch` bills.
 *
 * A bill is already saved when it is checked, so its record is already written: a refused audit is
 * reported in the log (ERR_JDY_AUDIT_REJECTED with the bill number) and by `ferry verify`, which
 * compares the bill status with the payload's operation_key; re-pushing the record audits it.
 */
import { toFerryError } from '../../core/errors.js'
import type { ConnectorLogger } from '../contract.js'
import type { JdyApi } from './api.js'
import { text } from './envelope.js'
import { JdyAuditRejected } from './errors.js'
import { readList } from './readers.js'

export interface PendingAudit {
  readonly id: string
  readonly key: string
  readonly billDate?: string
}

export interface AuditSweepOptions {
  readonly listPath: string
  readonly operatePath: string
  readonly entity: string
  readonly batch: number
  /** A save that fills no batch is checked after this quiet time (and always at close). */
  readonly lingerMs: number
  /** ... or at the latest this long after the oldest unchecked save, while saves keep coming. */
  readonly maxLingerMs: number
}

export class AuditSweep {
  private pending: PendingAudit[] = []
  private running: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  /** When the oldest save not yet checked was queued. */
  private oldestAt = 0

  constructor(
    private readonly api: JdyApi,
    private readonly log: ConnectorLogger,
    private readonly o: AuditSweepOptions,
  ) {}

  /** Queue a saved bill; the save that fills a batch waits for that batch's check. */
  async add(p: PendingAudit): Promise<void> {
    const now = Date.now()
    if (this.pending.length === 0) this.oldestAt = now
    this.pending.push(p)
    if (this.pending.length >= this.o.batch) {
      await this.flush()
      return
    }
    // The check waits for quiet (or a full batch): a timer counted from the first save checked
    // every lingerMs whatever the pace, so a process writing 11 bills/s (one of three workers on
    // one book) listed every 22 bills instead of every auditBatch.
    if (this.timer !== undefined) clearTimeout(this.timer)
    const wait = Math.max(0, Math.min(this.o.lingerMs, this.oldestAt + this.o.maxLingerMs - now))
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, wait)
    this.timer.unref()
  }

  /** Check every queued bill; never throws (a failed check is logged and the bills stay queued once). */
  flush(signal?: AbortSignal): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    this.running = this.running.then(() => this.sweep(signal))
    return this.running
  }

  private async sweep(signal?: AbortSignal): Promise<void> {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    let unaudited: Set<string>
    try {
      unaudited = await this.listUnaudited(batch, signal)
    } catch (e) {
      const err = toFerryError(e)
      this.log.warn(
        { code: err.code, bills: batch.length, message: err.message },
        'jdy bulk audit check failed; the bills are checked again with the next batch',
      )
      this.pending.push(...batch)
      return
    }
    const todo = batch.filter((b) => unaudited.has(b.id))
    for (let i = 0; i < todo.length; i += this.o.batch) await this.audit(todo.slice(i, i + this.o.batch), signal)
    this.log.debug({ checked: batch.length, audited: todo.length }, 'jdy bulk audit check')
  }

  private async listUnaudited(batch: readonly PendingAudit[], signal?: AbortSignal): Promise<Set<string>> {
    const dates = batch.map((b) => b.billDate)
    const bounded = dates.every((d): d is string => d !== undefined)
    const params: Record<string, unknown> = { bill_status: 'Z' }
    if (bounded) {
      const sorted = [...dates].sort()
      params.start_bill_date = sorted[0]
      params.end_bill_date = sorted[sorted.length - 1]
    }
    const out = new Set<string>()
    for await (const page of readList(this.api, this.o.listPath, params, signal)) {
      // The status filter is [I] (spec §4.3): the row's own status decides.
      for (const row of page.rows)
        if (text(row.bill_status) === 'Z' && text(row.id) !== undefined) out.add(text(row.id)!)
    }
    return out
  }

  /** One common_operate for the group; when JDY refuses it (all or nothing), one per bill to name the refused ones. */
  private async audit(group: readonly PendingAudit[], signal?: AbortSignal): Promise<void> {
    const once = async (ids: string[]) =>
      this.api.call({
        method: 'POST',
        path: this.o.operatePath,
        idempotent: true,
        signal,
        body: { entity_number: this.o.entity, operate_type: 'audit', ids },
      })
    try {
      const answer = await once(group.map((g) => g.id))
      if (answer.errcode === 0 || group.length === 1) {
        if (answer.errcode !== 0) this.refused(group[0]!, answer.errcode, answer.description)
        return
      }
      for (const g of group) {
        const one = await once([g.id])
        if (one.errcode !== 0) this.refused(g, one.errcode, one.description)
      }
    } catch (e) {
      const err = toFerryError(e)
      this.log.warn(
        { code: err.code, bills: group.map((g) => g.key), message: err.message },
        'jdy bulk audit failed; verify reports these bills as unaudited',
      )
    }
  }

  private refused(g: PendingAudit, vendorCode: number, description: string): void {
    const err = JdyAuditRejected([g.key, vendorCode, description])
    this.log.warn({ code: err.code, key: g.key, targetId: g.id, vendorCode }, err.message)
  }
}
