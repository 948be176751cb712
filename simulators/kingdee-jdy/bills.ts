/**
 * 盘亏单 storage and its endpoints (spec §4, §7): save/update, list, detail, common_operate.
 * Bills are kept per book; a saved bill is `Z` until audited (or `C` with `operation_key: "audit"`).
 */
import { Decimal } from 'decimal.js'
import type { SimClock } from '../common/clock.js'
import { billDetail, CREATOR } from './bill-detail.js'
import { BillMap } from './bill-map.js'
import { validateSave, isValidDate, type ResolvedLine } from './bill-save.js'
import { businessError, ok, type Reply } from './envelope.js'
import { queryValue, type ParsedRequest } from './gateway.js'
import { truthy, type MasterData } from './master-data.js'
import { isReply, paginate, readPage, timeFilter } from './paging.js'
import type { BillOptions, ListOptions, StoredBill, StoredBillLine } from './types.js'

export const DUPLICATE_TEXT = (billNo: string): string =>
  `单据编号[${billNo}]："单据编号"组合值与其他表单重复，请修改后再保存`
const BILL_ID_BASE = 1789000000000000000n
const LINE_ID_BASE = 1790000000000000000n
const CHINA_OFFSET_MS = 8 * 3600_000

export class BillStore {
  readonly bills = new BillMap()
  #billSeq = 0
  #lineSeq = 0
  #stock = new Map<string, Decimal>()

  constructor(
    private readonly o: BillOptions,
    private readonly clock: SimClock,
  ) {
    this.resetStock()
  }

  resetStock(): void {
    this.#stock = new Map(Object.entries(this.o.stock ?? {}).map(([k, v]) => [k, new Decimal(v)]))
  }

  clear(): void {
    this.bills.clear()
    this.resetStock()
  }

  byNumber(book: string, billNo: string): StoredBill | undefined {
    return this.bills.byNumber(book, billNo)
  }

  list(book?: string): StoredBill[] {
    return [...this.bills.values()].filter((b) => book === undefined || b.book === book)
  }

  #newBillId(): string {
    return String(BILL_ID_BASE + BigInt(++this.#billSeq))
  }

  #autoNumber(book: string): string {
    const day = new Date(this.clock.now() + CHINA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '')
    for (let i = 1; ; i++) {
      const no = `PK-${day}-${String(i).padStart(4, '0')}`
      if (this.byNumber(book, no) === undefined) return no
    }
  }

  #lines(lines: readonly ResolvedLine[]): StoredBillLine[] {
    return lines.map((l, i) => {
      const {
        material_id: _m,
        stock_id: _s,
        unit_id: _u,
        qty: _q,
        material_number: _mn,
        stock_number: _sn,
        unit_number: _un,
        id: _id,
        ...rest
      } = l.raw
      return {
        ...rest,
        seq: i + 1,
        id: String(LINE_ID_BASE + BigInt(++this.#lineSeq)),
        material_id: l.material.id,
        stock_id: l.store.id,
        unit_id: l.unitId,
        qty: l.qty.toString(),
      }
    })
  }

  /** Stock deltas of auditing (negative) or unauditing (positive) a bill, checked before any change. */
  #stockProblem(md: MasterData, lines: readonly StoredBillLine[]): string | undefined {
    if (this.o.stock === undefined) return undefined
    const need = new Map<string, Decimal>()
    for (const l of lines) {
      const key = `${l.material_id}@${l.stock_id}`
      need.set(key, (need.get(key) ?? new Decimal(0)).plus(this.#baseQty(md, l)))
    }
    for (const [key, qty] of need) {
      const [materialId, storeId] = key.split('@') as [string, string]
      const store = md.store({ id: storeId })
      if (store === undefined || truthy(store.allow_negative, true)) continue
      if ((this.#stock.get(key) ?? new Decimal(0)).lt(qty)) {
        const m = md.material({ id: materialId })
        return `商品[${m?.number ?? materialId}]在仓库[${store.number}]的库存不足，仓库不允许负库存，审核失败`
      }
    }
    return undefined
  }

  #baseQty(md: MasterData, l: StoredBillLine): Decimal {
    const mu = md.materialUnits.find((r) => r.material_id === l.material_id && r.unit_id === l.unit_id)
    return new Decimal(l.qty).times(new Decimal(mu?.coefficient ?? 1))
  }

  #moveStock(md: MasterData, bill: StoredBill, sign: 1 | -1): void {
    if (this.o.stock === undefined) return
    for (const l of bill.material_entity) {
      const key = `${l.material_id}@${l.stock_id}`
      this.#stock.set(key, (this.#stock.get(key) ?? new Decimal(0)).plus(this.#baseQty(md, l).times(sign)))
    }
  }

  /** `POST /jdy/v2/scm/inv_check_loss_bill`. */
  save(book: string, body: unknown, md: MasterData): Reply {
    const o = this.o
    const input = validateSave(body, md, o.billNoMaxLength)
    if (typeof input === 'string') return businessError(o.validationErrcode, input, 'validation')
    let audit = false
    if (input.operationKey !== undefined) {
      if (input.operationKey === 'audit') audit = o.operationKeyAudit === 'save_and_audit'
      else if (o.unknownOperationKey === 'reject') {
        return businessError(o.validationErrcode, `不支持的操作operation_key[${input.operationKey}]`, 'validation')
      }
    }
    const existing = input.id === undefined ? undefined : this.bills.get(input.id)
    if (input.id !== undefined && (existing === undefined || existing.book !== book)) {
      return businessError(o.validationErrcode, `单据id[${input.id}]不存在`, 'not_found')
    }
    if (existing !== undefined && existing.bill_status !== 'Z') {
      return businessError(o.validationErrcode, `单据[${existing.bill_no}]已审核，不能修改`, 'state')
    }
    const wanted = o.ignoreBillNo ? undefined : input.billNo
    if (wanted !== undefined) {
      const other = this.byNumber(book, wanted)
      if (other !== undefined && other !== existing)
        return businessError(o.duplicateErrcode, DUPLICATE_TEXT(wanted), 'duplicate')
    }
    const lines = this.#lines(input.lines)
    if (audit) {
      const problem = this.#stockProblem(md, lines)
      if (problem !== undefined) return businessError(o.validationErrcode, problem, 'stock')
    }
    const now = this.clock.now()
    const bill: StoredBill = existing ?? {
      id: this.#newBillId(),
      bill_no: '',
      bill_date: '',
      bill_status: 'Z',
      remark: '',
      create_time: now,
      modify_time: now,
      audit_time: null,
      custom_field: {},
      material_entity: [],
      book,
    }
    bill.bill_no = wanted ?? existing?.bill_no ?? this.#autoNumber(book)
    bill.bill_date = input.billDate
    bill.remark = input.remark
    bill.custom_field = input.customField
    bill.material_entity = lines
    bill.modify_time = now
    this.bills.set(bill.id, bill)
    if (audit) this.#audit(md, bill)
    return ok({ ids: [bill.id], id_number_map: { [bill.id]: bill.bill_no } })
  }

  #audit(md: MasterData, bill: StoredBill): void {
    bill.bill_status = 'C'
    bill.audit_time = this.clock.now()
    this.#moveStock(md, bill, -1)
  }

  /** `GET /jdy/v2/scm/inv_check_loss_bill`: §4.3 filters, newest first. */
  listReply(book: string, req: ParsedRequest, lists: ListOptions): Reply {
    const errcode = this.o.validationErrcode
    const p = readPage(req, lists, errcode)
    if (isReply(p)) return p
    const byTime = timeFilter(req, errcode)
    if (isReply(byTime)) return byTime
    const status = queryValue(req, 'bill_status') ?? ''
    if (status !== '' && status !== 'C' && status !== 'Z')
      return businessError(errcode, `参数bill_status[${status}]不合法，可选值为C、Z`, 'validation')
    const from = queryValue(req, 'start_bill_date') ?? ''
    const to = queryValue(req, 'end_bill_date') ?? ''
    for (const [k, v] of [
      ['start_bill_date', from],
      ['end_bill_date', to],
    ] as const) {
      if (v !== '' && !isValidDate(v))
        return businessError(errcode, `参数${k}[${v}]格式错误，应为yyyy-MM-dd`, 'validation')
    }
    const search = (queryValue(req, 'search') ?? '').toLowerCase()
    const rows = this.list(book)
      .filter(
        (b) =>
          (status === '' || b.bill_status === status) &&
          (from === '' || b.bill_date >= from) &&
          (to === '' || b.bill_date <= to) &&
          byTime(b) &&
          (search === '' || this.o.searchFields.some((f) => b[f].toLowerCase().includes(search))),
      )
      .sort((a, b) => b.create_time - a.create_time || (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .map((b) => ({
        id: b.id,
        bill_no: b.bill_no,
        bill_date: b.bill_date,
        bill_status: b.bill_status,
        remark: b.remark,
        create_time: String(b.create_time),
        audit_time: b.audit_time === null ? '' : String(b.audit_time),
        creator_id: CREATOR.id,
        creator_name: CREATOR.name,
        creator_number: CREATOR.number,
        auditor_id: b.audit_time === null ? '' : CREATOR.id,
        auditor_name: b.audit_time === null ? '' : CREATOR.name,
        auditor_number: b.audit_time === null ? '' : CREATOR.number,
      }))
    return ok(paginate(rows, p, lists, false))
  }

  /** `GET /jdy/v2/scm/inv_check_loss_bill_detail?id=|number=`. */
  detailReply(book: string, req: ParsedRequest, md: MasterData): Reply {
    const id = queryValue(req, 'id') ?? ''
    const number = queryValue(req, 'number') ?? ''
    if (id === '' && number === '')
      return businessError(this.o.validationErrcode, 'id与number不能同时为空', 'validation')
    const found = id !== '' ? this.bills.get(id) : this.byNumber(book, number)
    const bill = found?.book === book ? found : undefined
    if (bill === undefined) {
      if (this.o.detailNotFound === 'null') return ok(null)
      return businessError(
        this.o.validationErrcode,
        id !== '' ? `单据id[${id}]不存在` : `单据编号[${number}]不存在`,
        'not_found',
      )
    }
    return ok(billDetail(bill, md))
  }

  /** `POST /jdy/v2/sys/common_operate` for `inv_check_loss_bill`: all-or-nothing over the given bills. */
  operate(book: string, body: unknown, md: MasterData): Reply {
    const errcode = this.o.validationErrcode
    const fail = (text: string, reason = 'validation'): Reply => businessError(errcode, text, reason)
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return fail('请求参数格式错误：请求体应为JSON对象')
    const b = body as Record<string, unknown>
    if (b.entity_number !== 'inv_check_loss_bill')
      return fail(`不支持的业务对象entity_number[${String(b.entity_number)}]`)
    const op = b.operate_type
    if (op !== 'audit' && op !== 'unaudit' && op !== 'delete')
      return fail(`不支持的操作类型operate_type[${String(op)}]`)
    const ids = Array.isArray(b.ids) ? b.ids.map(String) : []
    const numbers = Array.isArray(b.numbers) ? b.numbers.map(String) : []
    if (ids.length === 0 && numbers.length === 0) return fail('ids与numbers不能同时为空')
    const targets: StoredBill[] = []
    for (const id of ids) {
      const bill = this.bills.get(id)
      if (bill?.book !== book) return fail(`单据id[${id}]不存在`, 'not_found')
      targets.push(bill)
    }
    for (const no of numbers) {
      const bill = this.byNumber(book, no)
      if (bill === undefined) return fail(`单据编号[${no}]不存在`, 'not_found')
      if (!targets.includes(bill)) targets.push(bill)
    }
    for (const bill of targets) {
      if (op === 'audit' && bill.bill_status !== 'Z') return fail(`单据[${bill.bill_no}]已审核，不能重复审核`, 'state')
      if (op === 'unaudit' && bill.bill_status !== 'C') return fail(`单据[${bill.bill_no}]未审核，不能反审核`, 'state')
      if (op === 'delete' && bill.bill_status !== 'Z') return fail(`单据[${bill.bill_no}]已审核，不能删除`, 'state')
    }
    if (op === 'audit') {
      const problem = this.#stockProblem(
        md,
        targets.flatMap((t) => t.material_entity),
      )
      if (problem !== undefined) return fail(problem, 'stock')
    }
    const now = this.clock.now()
    for (const bill of targets) {
      if (op === 'audit') this.#audit(md, bill)
      else if (op === 'unaudit') {
        bill.bill_status = 'Z'
        bill.audit_time = null
        this.#moveStock(md, bill, 1)
      } else this.bills.delete(bill.id)
      bill.modify_time = now
    }
    return ok({
      ids: targets.map((t) => t.id),
      id_number_map: Object.fromEntries(targets.map((t) => [t.id, t.bill_no])),
    })
  }

  /** Admin helper: store a bill as given, bypassing validation (to stage drift behind the client's back). */
  insert(
    book: string,
    input: {
      bill_no?: string
      bill_date?: string
      bill_status?: 'Z' | 'C'
      remark?: string
      material_entity?: ReadonlyArray<Record<string, unknown>>
    },
  ): StoredBill {
    const now = this.clock.now()
    const bill: StoredBill = {
      id: this.#newBillId(),
      bill_no: input.bill_no ?? this.#autoNumber(book),
      bill_date: input.bill_date ?? new Date(now + CHINA_OFFSET_MS).toISOString().slice(0, 10),
      bill_status: input.bill_status ?? 'Z',
      remark: input.remark ?? '',
      create_time: now,
      modify_time: now,
      audit_time: input.bill_status === 'C' ? now : null,
      custom_field: {},
      book,
      material_entity: (input.material_entity ?? []).map((l, i) => ({
        ...l,
        seq: i + 1,
        id: String(LINE_ID_BASE + BigInt(++this.#lineSeq)),
        material_id: idText(l.material_id),
        stock_id: idText(l.stock_id),
        unit_id: idText(l.unit_id),
        qty: new Decimal(typeof l.qty === 'number' || typeof l.qty === 'string' ? l.qty : 0).toString(),
      })),
    }
    this.bills.set(bill.id, bill)
    return bill
  }

  /** Admin helper: change one line's quantity (drift the client must detect on verification). */
  setQty(id: string, seq: number, qty: string | number): boolean {
    const line = this.bills.get(id)?.material_entity.find((l) => l.seq === seq)
    if (line === undefined) return false
    line.qty = new Decimal(qty).toString()
    return true
  }
}

function idText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : ''
}
