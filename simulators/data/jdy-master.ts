/**
 * The JDY half of the generated dataset: master data that mirrors the JST SKUs and warehouses
 * (rules in generate.ts and docs/sandbox.md).
 */
import type { Rng } from '../common/prng.js'
import type { Dataset, JdyMaterial, JdyMaterialUnit, JdyMeasureUnit, JdyStore, JstPartner, JstSku } from './types.js'

const UNITS = [
  { number: 'JIAN', name: '件', precision: 0 },
  { number: 'GE', name: '个', precision: 0 },
  { number: 'XIANG', name: '箱', precision: 0 },
  { number: 'JUAN', name: '卷', precision: 0 },
  { number: 'TAO', name: '套', precision: 0 },
]

/** Long numeric string ids like JDY's (19 digits, increasing). */
function idMaker(rng: Rng, base: bigint): () => string {
  let cur = base
  return () => {
    cur += BigInt(rng.int(1, 999_999))
    return cur.toString()
  }
}

/** JDY master data for the given SKUs (except `missing`) and warehouses; ids drawn from `rng`. */
export function makeJdy(
  rng: Rng,
  skus: JstSku[],
  missing: Set<string>,
  partners: JstPartner[],
  from: number,
): Dataset['jdy'] {
  const nextId = idMaker(rng, 1_780_000_000_000_000_000n)
  const created = from - 500 * 86_400_000
  const measureUnits: JdyMeasureUnit[] = UNITS.map((u) => ({
    id: nextId(),
    ...u,
    enable: '1',
    create_time: created,
    modify_time: created,
  }))
  const unitByName = new Map(measureUnits.map((u) => [u.name, u]))
  const box = unitByName.get('箱') as JdyMeasureUnit
  const materials: JdyMaterial[] = []
  const materialUnits: JdyMaterialUnit[] = []
  for (const sku of skus) {
    if (missing.has(sku.sku_id)) continue
    const base = unitByName.get(sku.unit) ?? box
    const multi = sku.item_type !== '包材' && rng.chance(0.3)
    const m: JdyMaterial = {
      id: nextId(),
      number: sku.sku_id,
      name: sku.name,
      model: sku.properties_value,
      parent_id: `${1_700_000_000_000_000_000n + BigInt(sku.c_id)}`,
      parent_name: sku.category,
      parent_number: `CAT${sku.c_id}`,
      base_unit_id: base.id,
      base_unit_number: base.number,
      base_unit_name: base.name,
      is_multi_unit: multi,
      is_serial: false,
      is_asst_attr: false,
      is_weight: false,
      is_kf_period: false,
      is_batch: false,
      barcode: sku.sku_code,
      check_type: 1,
      enable: '1',
      remark: '',
      create_time: created,
      modify_time: created,
    }
    materials.push(m)
    materialUnits.push({
      id: nextId(),
      material_id: m.id,
      index: 0,
      is_default: true,
      is_float: false,
      coefficient: 1,
      unit_id: base.id,
      unit_name: base.name,
      conversion_unit_id: base.id,
      conversion_unit_name: base.name,
    })
    if (multi) {
      materialUnits.push({
        id: nextId(),
        material_id: m.id,
        index: 1,
        is_default: false,
        is_float: false,
        coefficient: 12,
        unit_id: box.id,
        unit_name: box.name,
        conversion_unit_id: base.id,
        conversion_unit_name: base.name,
      })
    }
  }
  const groupId = nextId()
  const stores: JdyStore[] = partners.map((p) => ({
    id: nextId(),
    number: String(p.wms_co_id),
    name: p.name,
    sale_type: '1',
    remark: '',
    contact: '',
    telephone: '',
    address: '',
    enable: '1',
    allow_negative: 'true',
    is_allow_freight: false,
    group_id: groupId,
    group_number: 'CK',
    group_name: '仓库',
    create_time: created,
    modify_time: created,
  }))
  return { materials, measureUnits, materialUnits, stores }
}
