/**
 * Validation of a check-loss bill save (spec §4.1, §7 "inv_check_loss_bill"), in the style of JDY's
 * error texts. Returns the resolved lines, or the first problem as JDY reports one problem at a time.
 */
import { Decimal } from 'decimal.js'
import { truthy, type MasterData, type Material, type Store } from './master-data.js'

export interface ResolvedLine {
  readonly material: Material
  readonly store: Store
  readonly unitId: string
  readonly qty: Decimal
  readonly raw: Record<string, unknown>
}

export interface SaveInput {
  readonly id?: string
  readonly billNo?: string
  readonly billDate: string
  readonly remark: string
  readonly customField: Record<string, string>
  readonly operationKey?: string
  readonly lines: ResolvedLine[]
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined

/** How a wrong value is quoted back in an error text. */
function shown(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))
}

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/** Parse and check a save body against master data. A string is the JDY-style error text. */
export function validateSave(body: unknown, md: MasterData, billNoMaxLength: number): SaveInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return '请求参数格式错误：请求体应为JSON对象'
  const b = body as Record<string, unknown>
  const id = text(b.id)
  const billNo = text(b.bill_no)
  if (b.bill_no !== undefined && b.bill_no !== null && b.bill_no !== '' && billNo === undefined)
    return '单据编号bill_no格式错误'
  if (billNo !== undefined && billNo.length > billNoMaxLength)
    return `单据编号[${billNo}]长度不能超过${billNoMaxLength}个字符`
  if (b.bill_date === undefined || b.bill_date === null || b.bill_date === '') return '单据日期bill_date不能为空'
  if (typeof b.bill_date !== 'string' || !isValidDate(b.bill_date))
    return `单据日期bill_date[${shown(b.bill_date)}]格式错误，应为yyyy-MM-dd`
  if (b.remark !== undefined && b.remark !== null && typeof b.remark !== 'string') return '备注remark格式错误'
  const customField: Record<string, string> = {}
  if (b.custom_field !== undefined && b.custom_field !== null) {
    if (typeof b.custom_field !== 'object' || Array.isArray(b.custom_field)) return '自定义字段custom_field格式错误'
    for (const [k, v] of Object.entries(b.custom_field)) customField[k] = String(v)
  }
  const operationKey =
    b.operation_key === undefined || b.operation_key === null || b.operation_key === ''
      ? undefined
      : shown(b.operation_key)
  const entries = b.material_entity
  if (!Array.isArray(entries) || entries.length === 0) return '商品分录material_entity不能为空，至少需要一行'
  const lines: ResolvedLine[] = []
  for (let i = 0; i < entries.length; i++) {
    const line = validateLine(entries[i], i + 1, md)
    if (typeof line === 'string') return line
    lines.push(line)
  }
  return {
    id,
    billNo,
    billDate: b.bill_date,
    remark: typeof b.remark === 'string' ? b.remark : '',
    customField,
    operationKey,
    lines,
  }
}

function validateLine(entry: unknown, n: number, md: MasterData): ResolvedLine | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `第${n}行分录格式错误：应为JSON对象`
  const e = entry as Record<string, unknown>

  const materialId = text(e.material_id)
  const materialNumber = text(e.material_number)
  if (materialId === undefined && materialNumber === undefined) return `第${n}行基础资料"material"字段不能为空`
  const material = materialId !== undefined ? md.material({ id: materialId }) : md.material({ number: materialNumber })
  if (material === undefined)
    return materialId !== undefined ? `参数id[${materialId}]不存在` : `参数number[${materialNumber}]不存在`
  if (!material.enabled) return `第${n}行商品[${material.number}]已禁用，不能使用`

  const stockId = text(e.stock_id)
  const stockNumber = text(e.stock_number)
  if (stockId === undefined && stockNumber === undefined) return `第${n}行基础资料"stock"字段不能为空`
  const store = stockId !== undefined ? md.store({ id: stockId }) : md.store({ number: stockNumber })
  if (store === undefined)
    return stockId !== undefined ? `参数id[${stockId}]不存在` : `参数number[${stockNumber}]不存在`
  if (!store.enabled) return `第${n}行仓库[${store.number}]已禁用，不能使用`

  const unitIdGiven = text(e.unit_id)
  const unitNumber = text(e.unit_number)
  const unit =
    unitIdGiven !== undefined
      ? md.unit({ id: unitIdGiven })
      : unitNumber !== undefined
        ? md.unit({ number: unitNumber })
        : undefined
  if (unit === undefined) return `第${n}行基础资料"unit"字段不能为空`
  if (!md.unitIdsOf(material).has(unit.id))
    return `第${n}行商品[${material.number}]的单位[${unit.name}]不是该商品关联的单位`

  let qty: Decimal
  try {
    if (typeof e.qty !== 'number' && typeof e.qty !== 'string') throw new TypeError('not a number')
    qty = new Decimal(e.qty)
    if (!qty.isFinite()) throw new TypeError('not finite')
  } catch {
    return `第${n}行盘亏数量qty[${shown(e.qty)}]格式错误`
  }
  if (qty.lte(0)) return `第${n}行盘亏数量必须大于0`

  if (truthy(material.is_batch, false) && text(e.batch_no) === undefined)
    return `第${n}行商品[${material.number}]启用了批次管理，批次号不能为空`
  if (truthy(store.is_allow_freight, false) && text(e.sp_id) === undefined)
    return `第${n}行仓库[${store.number}]启用了仓位管理，仓位不能为空`
  return { material, store, unitId: unit.id, qty, raw: e }
}
