/**
 * The target side: 盘亏单 `inv_check_loss_bill` written exactly once (spec §4.6), one call per bill.
 *
 * 1. bill_no is the engine's business key. The `[ext:<key>]` marker is opt-in (`remarkTag`).
 * 2. No read before the save by default: the engine's ledger, its durable write intent and its probe
 *    on an unknown outcome keep Ferry from saving a bill twice. Bills written outside Ferry are an
 *    explicit mode: `existingBills: bulk` (list reads per bill date) or `each` (a detail read per bill).
 * 3. Save. A transport failure or timeout after sending is `unknown_outcome` (the engine probes).
 * 4. A duplicate-number answer is never retried: the probe finds the existing bill and adopts it.
 * 5. The returned number is compared with bill_no; if JDY auto-numbered, that is reported and
 *    later probes also search by the remark marker (when one is configured).
 * 6. When operation_key asks for `audit`, the status comes from the save answer when it carries one,
 *    otherwise from bulk list reads (audit-sweep.ts); bills still `Z` are audited through
 *    common_operate. `auditCheck: each` keeps the older detail read per bill.
 */
import { toFerryError, type FerryError } from '../../core/errors.js'
import { redact } from '../../core/redact.js'
import type { ConnectorLogger, ProbeResult, TargetRuntime, WriteOutcome, WriteRequest } from '../contract.js'
import { outcomeOf } from '../http/classify.js'
import { classify, type JdyCatalogueEntry } from './catalogue.js'
import type { JdyApi } from './api.js'
import { int, isRecord, text, type JdyAnswer } from './envelope.js'
import { compareLines } from './verify.js'
import { AuditSweep } from './audit-sweep.js'
import { ExistingBills } from './existing-bills.js'
import {
  JdyAuditRejected,
  JdyBillNoNotHonoured,
  JdyBillNoTaken,
  JdyKeyMismatch,
  JdyUnknownOutcome,
  JdyUnsupported,
} from './errors.js'

export const BILL_API = '/jdy/v2/scm/inv_check_loss_bill'
export const BILL_DETAIL = '/jdy/v2/scm/inv_check_loss_bill_detail'
export const COMMON_OPERATE = '/jdy/v2/sys/common_operate'
export const BILL_ENTITY = 'inv_check_loss_bill'
/** Gateway codes on a save that mean the backend may already have run it. */
const SAVE_UNKNOWN_GATEWAY_CODES = new Set([5000, 5004, 5005])
const SUPPORTED_OPERATION_KEYS = ['audit']

export function isBillApi(api: string): boolean {
  return api === BILL_API || api === BILL_ENTITY
}

interface PreparedBill {
  readonly key: string
  readonly body: Record<string, unknown>
  readonly audit: boolean
  readonly billDate?: string
}

/** The marker a bill carries in its `remarkTag` field when that opt-in is on. */
export const markerOf = (key: string): string => `[ext:${key}]`

/** Quiet time after which a partly filled bulk audit check runs anyway. */
const AUDIT_LINGER_MS = 2_000
/** The longest a saved bill waits for its bulk audit check while saves keep coming. */
const AUDIT_MAX_LINGER_MS = 10_000

/** A status in the save answer, where a vendor build gives one (spec §4.2 shows none: [?]). */
function statusInAnswer(data: Record<string, unknown>, id: string): string | undefined {
  const map = isRecord(data.status_map) ? data.status_map : undefined
  return text(map?.[id]) ?? text(data.bill_status)
}

function outcomeOfError(e: unknown, targetId?: string): WriteOutcome {
  const err = toFerryError(e)
  const retry = Number((err.details as { retryAfterMs?: unknown }).retryAfterMs)
  const vendor = (err.details as { vendorCode?: unknown }).vendorCode
  return {
    kind: outcomeOf(err),
    code: err.code,
    message: err.message,
    ...(targetId === undefined ? {} : { targetId }),
    ...(typeof vendor === 'string' || typeof vendor === 'number' ? { vendorCode: vendor } : {}),
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfterMs: retry } : {}),
  }
}

export class CheckLossBills implements TargetRuntime {
  /** Set once JDY auto-numbered a bill we numbered: probes then also search the remark tag. */
  private billNoIgnored = false
  private readonly existing: ExistingBills | undefined
  private readonly sweep: AuditSweep

  constructor(
    private readonly api: JdyApi,
    private readonly log: ConnectorLogger,
  ) {
    const tag = api.cfg.remarkTag === 'remark' ? markerOf : undefined
    this.existing = api.cfg.existingBills === 'bulk' ? new ExistingBills(api, BILL_API, log, tag) : undefined
    this.sweep = new AuditSweep(api, log, {
      listPath: BILL_API,
      operatePath: COMMON_OPERATE,
      entity: BILL_ENTITY,
      batch: api.cfg.auditBatch,
      lingerMs: AUDIT_LINGER_MS,
      maxLingerMs: AUDIT_MAX_LINGER_MS,
    })
  }

  async write(req: WriteRequest): Promise<WriteOutcome> {
    try {
      if (!isBillApi(req.api)) throw JdyUnsupported([`api ${req.api}`, BILL_API])
      const bill = this.prepare(req)
      // A book that ignores bill_no never answers "number exists": only a look-up (by the remark
      // marker, as the number is JDY's own) stops a second bill.
      if (this.api.cfg.existingBills === 'each' || (this.billNoIgnored && this.api.cfg.remarkTag === 'remark')) {
        const found = await this.probe(req.api, bill.key, req.signal)
        if (found.exists) return await this.finishExisting(found, bill, req.signal)
      } else if (this.existing !== undefined) {
        const listed = await this.existing.find(bill.key, bill.billDate, req.signal)
        // A list row has no lines: the bill is adopted as it stands (verify compares it in full).
        if (listed !== undefined) {
          return await this.finishExisting(
            { exists: true, targetId: listed.id, document: listed.row },
            bill,
            req.signal,
            'already_exists',
            false,
          )
        }
      }
      return await this.save(bill, req.signal, req.beforeSend)
    } catch (e) {
      return outcomeOfError(e)
    }
  }

  private prepare(req: WriteRequest): PreparedBill {
    const body: Record<string, unknown> = { ...req.payload }
    const billNo = text(body.bill_no)
    if (billNo !== undefined && billNo !== req.key)
      throw JdyKeyMismatch([billNo, req.key], { location: 'payload.bill_no' })
    // Always the string form: a numeric source id (io_id) must not reach JDY as a JSON number.
    body.bill_no = req.key
    const op = body.operation_key
    const audit = op === 'audit'
    if (op !== undefined && op !== null && op !== '' && !audit) {
      throw JdyUnsupported([`operation_key ${JSON.stringify(op)}`, SUPPORTED_OPERATION_KEYS.join(', ')], {
        location: 'payload.operation_key',
      })
    }
    if (this.api.cfg.operationKeyMode === 'strip' || !audit) delete body.operation_key
    const field = this.api.cfg.remarkTag
    if (field !== undefined) {
      const tag = markerOf(req.key)
      const remark = text(body[field]) ?? ''
      if (!remark.includes(tag)) body[field] = remark === '' ? tag : `${remark} ${tag}`
    }
    const billDate = text(body.bill_date)
    return { key: req.key, body, audit, ...(billDate === undefined ? {} : { billDate }) }
  }

  private async save(bill: PreparedBill, signal?: AbortSignal, beforeSend?: () => void): Promise<WriteOutcome> {
    let answer: JdyAnswer
    try {
      answer = await this.api.call({
        method: 'POST',
        path: BILL_API,
        body: bill.body,
        idempotent: false,
        signal,
        ...(beforeSend === undefined ? {} : { beforeSend }),
      })
    } catch (e) {
      const err = toFerryError(e)
      if (outcomeOf(err) !== 'unknown_outcome') throw err
      this.log.warn({ key: bill.key, code: err.code }, 'jdy save outcome unknown; the engine must probe')
      const unknown = JdyUnknownOutcome([bill.key, err.message], {
        cause: err,
        details: { outcome: 'unknown_outcome' },
      })
      return { kind: 'unknown_outcome', code: unknown.code, message: unknown.message }
    }
    if (answer.errcode === 0) return this.saved(bill, answer, signal)
    if (answer.status === 519 && SAVE_UNKNOWN_GATEWAY_CODES.has(answer.errcode)) {
      const unknown = JdyUnknownOutcome([bill.key, `gateway ${answer.errcode}: ${answer.description}`])
      return { kind: 'unknown_outcome', code: unknown.code, message: unknown.message, vendorCode: answer.errcode }
    }
    const entry = classify(answer)
    if (entry.outcome === 'already_exists') {
      const found = await this.probe(BILL_API, bill.key, signal)
      if (found.exists) return this.finishExisting(found, bill, signal)
      const err = JdyBillNoTaken([bill.key], { details: { vendorCode: answer.errcode } })
      return {
        kind: 'data',
        code: err.code,
        message: `${err.message} (${answer.description})`,
        vendorCode: answer.errcode,
      }
    }
    return this.rejected(answer, entry)
  }

  private rejected(answer: JdyAnswer, entry: JdyCatalogueEntry, targetId?: string): WriteOutcome {
    const err = this.api.failure(answer, BILL_API, entry)
    return {
      kind: entry.outcome,
      code: err.code,
      message: err.message,
      vendorCode: answer.errcode,
      ...(targetId === undefined ? {} : { targetId }),
      ...(entry.outcome === 'rate_limited' ? { retryAfterMs: this.api.waitFor(answer, entry) } : {}),
      response: redact({ errcode: answer.errcode, description: answer.description }),
    }
  }

  private async saved(bill: PreparedBill, answer: JdyAnswer, signal?: AbortSignal): Promise<WriteOutcome> {
    const data = isRecord(answer.data) ? answer.data : {}
    const id = (Array.isArray(data.ids) ? text(data.ids[0]) : undefined) ?? text(data.id)
    if (id === undefined) {
      // Success without an id: the bill exists, the probe knows its id.
      const found = await this.probe(BILL_API, bill.key, signal)
      if (!found.exists) {
        const u = JdyUnknownOutcome([bill.key, 'save answered success without a bill id, and the bill is not found'])
        return { kind: 'unknown_outcome', code: u.code, message: u.message }
      }
      return this.finishExisting(found, bill, signal, 'ok')
    }
    const map = isRecord(data.id_number_map) ? data.id_number_map : {}
    const number = text(map[id])
    let notHonoured: FerryError | undefined
    if (number !== undefined && number !== bill.key) {
      this.billNoIgnored = true
      notHonoured = JdyBillNoNotHonoured([bill.key, number])
      this.log.warn(
        { key: bill.key, number, code: notHonoured.code },
        this.api.cfg.remarkTag === undefined
          ? 'jdy ignored bill_no and no remarkTag is configured: a lost answer for such a bill cannot be probed; set remarkTag'
          : 'jdy ignored bill_no; probing falls back to the remark tag',
      )
    }
    const status = statusInAnswer(data, id)
    this.existing?.remember(bill.billDate, {
      id,
      billNo: number ?? bill.key,
      row: { id, bill_no: number ?? bill.key, ...(status === undefined ? {} : { bill_status: status }) },
      ...(status === undefined ? {} : { status }),
    })
    let auditCheck: string | undefined
    if (bill.audit && status !== 'C') {
      if (status !== undefined || this.api.cfg.auditCheck === 'each') {
        const audited = await this.ensureAudited(id, bill.key, status, signal)
        if (audited !== undefined) return audited
      } else {
        await this.sweep.add({ id, key: bill.key, ...(bill.billDate === undefined ? {} : { billDate: bill.billDate }) })
        auditCheck = 'bulk'
      }
    }
    return {
      kind: 'ok',
      targetId: id,
      response: redact(auditCheck === undefined ? answer.data : { ...data, auditCheck }),
      ...(notHonoured === undefined ? {} : { code: notHonoured.code, message: notHonoured.message }),
    }
  }

  private async finishExisting(
    found: ProbeResult,
    bill: PreparedBill,
    signal?: AbortSignal,
    kind: 'ok' | 'already_exists' = 'already_exists',
    hasLines = true,
  ): Promise<WriteOutcome> {
    const id = found.targetId!
    if (bill.audit) {
      const audited = await this.ensureAudited(id, bill.key, text(found.document?.bill_status), signal)
      if (audited !== undefined) return audited
    }
    const doc = found.document ?? {}
    const differences = kind === 'already_exists' && hasLines ? compareLines(bill.body, doc) : undefined
    if (differences !== undefined && differences.length > 0) {
      this.log.warn(
        { key: bill.key, targetId: id, differences },
        'jdy bill exists with different lines; not written again',
      )
    }
    return {
      kind,
      targetId: id,
      response: redact({
        id,
        bill_no: doc.bill_no,
        bill_status: doc.bill_status,
        ...(differences === undefined ? {} : { linesMatch: differences.length === 0 }),
        ...(differences !== undefined && differences.length > 0 ? { differences } : {}),
      }),
      ...(differences !== undefined && differences.length > 0
        ? { message: `bill ${bill.key} already exists with different lines` }
        : {}),
    }
  }

  /** Audit while the bill is `Z`; undefined when it is (now) audited, else the failed outcome. */
  private async ensureAudited(
    id: string,
    key: string,
    knownStatus: string | undefined,
    signal?: AbortSignal,
  ): Promise<WriteOutcome | undefined> {
    try {
      let status = knownStatus
      if (status === undefined) {
        // Fresh status: save with operation_key may already have audited it (spec §4.1 [?]).
        const doc = await this.api.get(BILL_DETAIL, { id }, signal)
        status = isRecord(doc) ? text(doc.bill_status) : undefined
      }
      if (status !== 'Z') return undefined
      const answer = await this.api.call({
        method: 'POST',
        path: COMMON_OPERATE,
        idempotent: true,
        signal,
        body: { entity_number: BILL_ENTITY, operate_type: 'audit', ids: [id] },
      })
      if (answer.errcode === 0) return undefined
      // Someone (or a concurrent run) may have audited it in between: the goal state counts.
      const after = await this.api.get(BILL_DETAIL, { id }, signal)
      if (isRecord(after) && text(after.bill_status) === 'C') return undefined
      const entry = classify(answer)
      if (entry.outcome === 'rate_limited' || entry.outcome === 'transient' || entry.outcome === 'config')
        return this.rejected(answer, entry, id)
      const err = JdyAuditRejected([key, answer.errcode, answer.description], {
        details: { vendorCode: answer.errcode },
      })
      return { kind: 'data', targetId: id, code: err.code, message: err.message, vendorCode: answer.errcode }
    } catch (e) {
      // The audit is repeatable (status check first), so a lost answer is only transient here.
      const out = outcomeOfError(e, id)
      return out.kind === 'unknown_outcome' ? { ...out, kind: 'transient' } : out
    }
  }

  async probe(api: string, key: string, signal?: AbortSignal): Promise<ProbeResult> {
    if (!isBillApi(api)) throw JdyUnsupported([`api ${api}`, BILL_API])
    const answer = await this.api.call({
      method: 'GET',
      path: BILL_DETAIL,
      params: { number: key },
      idempotent: true,
      signal,
    })
    if (answer.errcode !== 0) {
      const entry = classify(answer)
      // Not-found shape is unverified (spec §4.4 [?]): any answer that is not a throttle, outage or
      // auth problem means "no bill with this number".
      if (entry.outcome === 'rate_limited' || entry.outcome === 'transient' || entry.outcome === 'config') {
        throw this.api.failure(answer, BILL_DETAIL, entry)
      }
    } else if (isRecord(answer.data)) {
      const id = text(answer.data.id)
      const number = text(answer.data.bill_no)
      if (id !== undefined && (number === undefined || number === key))
        return { exists: true, targetId: id, document: answer.data }
    }
    if (this.billNoIgnored && this.api.cfg.remarkTag === 'remark') return this.probeByRemark(key, signal)
    return { exists: false }
  }

  /** Find a bill by its `[ext:<key>]` remark tag when JDY does not keep our bill numbers. */
  private async probeByRemark(key: string, signal?: AbortSignal): Promise<ProbeResult> {
    const tag = markerOf(key)
    for (let page = 1, total = 1; page <= total; page++) {
      const data = await this.api.get(BILL_API, { search: key, page, page_size: 100 }, signal)
      if (!isRecord(data) || !Array.isArray(data.rows)) break
      total = int(data.total_page) ?? 1
      for (const row of data.rows) {
        if (isRecord(row) && (text(row.remark) ?? '').includes(tag) && text(row.id) !== undefined) {
          const doc = await this.api.get(BILL_DETAIL, { id: text(row.id)! }, signal)
          return { exists: true, targetId: text(row.id)!, document: isRecord(doc) ? doc : row }
        }
      }
    }
    return { exists: false }
  }

  /** Run the bulk audit check of every bill still queued (at close, and by tests). */
  flush(signal?: AbortSignal): Promise<void> {
    return this.sweep.flush(signal)
  }
}
