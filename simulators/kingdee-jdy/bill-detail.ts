/** The detail reply of a check-loss bill (spec §4.4): header plus lines enriched from master data. */
import { Decimal } from 'decimal.js'
import { truthy, type MasterData } from './master-data.js'
import type { StoredBill } from './types.js'

/** Every bill is created, modified and audited by one fixed open-platform user. */
export const CREATOR = { id: '1789000000000000999', name: '开放平台', number: 'openapi' }

/** The detail `data` of §4.4, lines enriched from master data. */
export function billDetail(bill: StoredBill, md: MasterData): Record<string, unknown> {
  const audited = bill.audit_time !== null
  return {
    id: bill.id,
    bill_no: bill.bill_no,
    bill_date: bill.bill_date,
    bill_status: bill.bill_status,
    remark: bill.remark,
    create_time: String(bill.create_time),
    modify_time: String(bill.modify_time),
    audit_time: audited ? String(bill.audit_time) : '',
    creator_id: CREATOR.id,
    creator_name: CREATOR.name,
    creator_number: CREATOR.number,
    modifier_id: CREATOR.id,
    modifier_name: CREATOR.name,
    modifier_number: CREATOR.number,
    auditor_id: audited ? CREATOR.id : '',
    auditor_name: audited ? CREATOR.name : '',
    auditor_number: audited ? CREATOR.number : '',
    voucher_no: '',
    voucher_period: '',
    voucher_id: '',
    custom_field: bill.custom_field,
    material_entity: bill.material_entity.map((l) => {
      const m = md.material({ id: l.material_id })
      const s = md.store({ id: l.stock_id })
      const u = md.unit({ id: l.unit_id })
      const base = m === undefined ? undefined : md.unit({ id: m.base_unit_id })
      const mu = md.materialUnits.find((r) => r.material_id === l.material_id && r.unit_id === l.unit_id)
      const coefficient = new Decimal(mu?.coefficient ?? 1)
      const qty = new Decimal(l.qty)
      return {
        ...l,
        qty: qty.toNumber(),
        material_name: m?.name ?? '',
        material_number: m?.number ?? '',
        material_model: m?.model ?? '',
        material_is_batch: truthy(m?.is_batch, false),
        material_is_kf_period: truthy(m?.is_kf_period, false),
        material_is_serial: truthy(m?.is_serial, false),
        material_is_asst_attr: truthy(m?.is_asst_attr, false),
        material_is_multi_unit: truthy(m?.is_multi_unit, false),
        stock_name: s?.name ?? '',
        stock_number: s?.number ?? '',
        stock_is_allow_freight: truthy(s?.is_allow_freight, false),
        unit_name: u?.name ?? '',
        unit_number: u?.number ?? '',
        base_unit_id: base?.id ?? '',
        base_unit_name: base?.name ?? '',
        base_unit_number: base?.number ?? '',
        coefficient: coefficient.toNumber(),
        base_qty: qty.times(coefficient).toNumber(),
        cost: l.cost === undefined ? 0 : new Decimal(String(l.cost)).toNumber(),
        unit_cost: l.unit_cost === undefined ? 0 : new Decimal(String(l.unit_cost)).toNumber(),
        price: 0,
        comment: l.comment ?? '',
        batch_no: l.batch_no ?? '',
        sp_id: l.sp_id ?? '',
      }
    }),
  }
}
