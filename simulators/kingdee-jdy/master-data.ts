/**
 * Master data of one book (商品, 计量单位, 商品单位, 仓库) and its list/detail endpoints (spec §5).
 * Rows are kept as given plus normalised flags; replies use the loose real types: `enable` is
 * "1"/"0", `count` is a string on material/unit lists and an integer on the store list (§5.3).
 */
import { businessError, ok, type Reply } from './envelope.js'
import { queryValue, type ParsedRequest } from './gateway.js'
import { enableFilter, isReply, paginate, readPage, timeFilter } from './paging.js'
import type { JdyMasterData, JdyMaterial, JdyMaterialUnit, JdyMeasureUnit, JdyStore, ListOptions } from './types.js'

export type MasterEntity = 'material' | 'measure_unit' | 'material_unit' | 'store'
export const MASTER_ENTITIES: readonly MasterEntity[] = ['material', 'measure_unit', 'material_unit', 'store']

interface Stamped {
  create_time: number
  modify_time: number
}
export type Material = JdyMaterial & Stamped & { enabled: boolean }
export type MeasureUnit = JdyMeasureUnit & Stamped & { enabled: boolean }
export type MaterialUnit = JdyMaterialUnit & Stamped
export type Store = JdyStore & Stamped & { enabled: boolean }

export function truthy(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === '') return fallback
  return v === true || v === 1 || v === '1' || v === 'true'
}

const flag = (b: boolean): string => (b ? '1' : '0')

export class MasterData {
  materials: Material[] = []
  units: MeasureUnit[] = []
  materialUnits: MaterialUnit[] = []
  stores: Store[] = []

  constructor(data: JdyMasterData, now: number) {
    this.load(data, now)
  }

  load(data: JdyMasterData, now: number): void {
    const stamp = <T extends object>(r: T): T & Stamped => ({ create_time: now, modify_time: now, ...r })
    this.materials = data.materials.map((m) => ({ ...stamp(m), enabled: truthy(m.enable, true) }))
    this.units = data.measureUnits.map((u) => ({ ...stamp(u), enabled: truthy(u.enable, true) }))
    this.materialUnits = data.materialUnits.map((mu) => stamp(mu))
    this.stores = data.stores.map((s) => ({ ...stamp(s), enabled: truthy(s.enable, true) }))
  }

  material(key: { id?: string; number?: string }): Material | undefined {
    return this.materials.find((m) => (key.id !== undefined ? m.id === key.id : m.number === key.number))
  }

  unit(key: { id?: string; number?: string }): MeasureUnit | undefined {
    return this.units.find((u) => (key.id !== undefined ? u.id === key.id : u.number === key.number))
  }

  store(key: { id?: string; number?: string }): Store | undefined {
    return this.stores.find((s) => (key.id !== undefined ? s.id === key.id : s.number === key.number))
  }

  /** The unit ids a bill line may use for this material: its base unit plus its material_unit rows. */
  unitIdsOf(material: Material): Set<string> {
    const ids = new Set([material.base_unit_id])
    for (const mu of this.materialUnits) if (mu.material_id === material.id) ids.add(mu.unit_id)
    return ids
  }

  /** Replace one field of one row (admin mutation helper, e.g. disable a material). */
  patch(entity: MasterEntity, id: string, fields: Record<string, unknown>): boolean {
    const list: Array<Record<string, unknown>> = this.#list(entity)
    const i = list.findIndex((r) => r.id === id)
    if (i < 0) return false
    const next: Record<string, unknown> = { ...list[i], ...fields }
    if ('enable' in fields) next.enabled = truthy(fields.enable, true)
    list[i] = next
    return true
  }

  /**
   * Add a row as a person would in the book (admin helper): stamped created/modified now, so an
   * incremental master-data read sees it. False when a row with this id exists.
   */
  add(entity: MasterEntity, row: Record<string, unknown> & { id: string }, now: number): boolean {
    const list = this.#list(entity)
    if (list.some((r) => r.id === row.id)) return false
    const next: Record<string, unknown> & { id: string } = { ...row, create_time: now, modify_time: now }
    if (entity !== 'material_unit') next.enabled = truthy(row.enable, true)
    list.push(next)
    return true
  }

  remove(entity: MasterEntity, id: string): boolean {
    const list: Array<{ id: string }> = this.#list(entity)
    const i = list.findIndex((r) => r.id === id)
    if (i >= 0) list.splice(i, 1)
    return i >= 0
  }

  // The four row types differ, but patch/remove only need `id` and field replacement.
  #list(entity: MasterEntity): Array<Record<string, unknown> & { id: string }> {
    const lists = {
      material: this.materials,
      measure_unit: this.units,
      material_unit: this.materialUnits,
      store: this.stores,
    }
    return lists[entity] as unknown as Array<Record<string, unknown> & { id: string }>
  }

  materialUnitRow(mu: MaterialUnit): Record<string, unknown> {
    const unit = this.unit({ id: mu.unit_id })
    const material = this.material({ id: mu.material_id })
    const base = material === undefined ? undefined : this.unit({ id: material.base_unit_id })
    return {
      id: mu.id,
      material_id: mu.material_id,
      index: mu.index ?? 0,
      is_default: mu.is_default ?? false,
      is_float: false,
      coefficient: String(mu.coefficient ?? 1),
      unit_id: mu.unit_id,
      unit_name: unit?.name ?? '',
      conversion_unit_id: base?.id ?? '',
      conversion_unit_name: base?.name ?? '',
    }
  }

  materialRow(m: Material, detail: boolean, withUnits: boolean): Record<string, unknown> {
    const base = this.unit({ id: m.base_unit_id })
    const { enabled: _e, enable: _en, create_time, modify_time, ...given } = m
    const row: Record<string, unknown> = {
      model: '',
      parent_id: '',
      parent_name: '',
      parent_number: '',
      is_multi_unit: false,
      is_serial: false,
      is_asst_attr: false,
      is_weight: false,
      is_kf_period: false,
      is_batch: false,
      barcode: '',
      url: '',
      is_show_aux_barcode: false,
      mul_label: '',
      check_type: 1,
      brand_id: '',
      brand_name: '',
      brand_number: '',
      producing_pace: '',
      help_code: '',
      remark: '',
      ...given,
      base_unit_number: base?.number ?? '',
      base_unit_name: base?.name ?? '',
    }
    if (withUnits)
      row.units = this.materialUnits.filter((mu) => mu.material_id === m.id).map((mu) => this.materialUnitRow(mu))
    if (detail) {
      Object.assign(row, {
        enable: flag(m.enabled),
        stock_id: row.stock_id ?? '',
        space_id: '',
        purchase_unit_id: m.base_unit_id,
        sale_unit_id: m.base_unit_id,
        store_unit_id: m.base_unit_id,
        inv_mgr_type: '1',
        cost_method: '1',
        create_time: String(create_time),
        modify_time: String(modify_time),
      })
    }
    return row
  }

  unitRow(u: MeasureUnit, detail: boolean): Record<string, unknown> {
    const row: Record<string, unknown> = { id: u.id, number: u.number, name: u.name, precision: u.precision ?? 0 }
    if (detail) {
      Object.assign(row, {
        enable: flag(u.enabled),
        conversion_type: '0',
        is_leaf: true,
        level: 1,
        long_number: u.number,
        create_time: String(u.create_time),
        modify_time: String(u.modify_time),
        precision_account: u.precision ?? 0,
      })
    }
    return row
  }

  storeRow(s: Store, detail: boolean): Record<string, unknown> {
    const { enabled: _e, enable: _en, is_allow_freight, allow_negative, create_time, modify_time, ...given } = s
    const row: Record<string, unknown> = {
      sale_type: '',
      remark: '',
      contact: '',
      telephone: '',
      region: '',
      address: '',
      group_id: '',
      group_number: '',
      group_name: '',
      location_id: '',
      location_number: '',
      location_name: '',
      sale_dept_id: '',
      sale_dept_number: '',
      sale_dept_name: '',
      lng: '',
      lat: '',
      ...given,
      enable: flag(s.enabled),
      create_time: String(create_time),
      modify_time: String(modify_time),
    }
    if (detail) {
      Object.assign(row, {
        allow_negative: String(truthy(allow_negative, true)),
        is_allow_freight: truthy(is_allow_freight, false),
        storekeeper_id: '',
        storekeeper_name: '',
        storekeeper_number: '',
        province_name: '',
        city_name: '',
        district_name: '',
      })
    }
    return row
  }
}

function matchesSearch(search: string | undefined, ...fields: Array<string | undefined>): boolean {
  if (search === undefined || search === '') return true
  const s = search.toLowerCase()
  return fields.some((f) => f !== undefined && f.toLowerCase().includes(s))
}

/** `GET /jdy/v2/bd/<entity>`: filters of §5.2, paging of §5.4. */
export function listMasterData(
  md: MasterData,
  entity: MasterEntity,
  req: ParsedRequest,
  o: ListOptions,
  errcode: number,
): Reply {
  const p = readPage(req, o, errcode)
  if (isReply(p)) return p
  const byTime = timeFilter(req, errcode)
  if (isReply(byTime)) return byTime
  const search = queryValue(req, 'search')
  if (entity === 'material_unit') {
    const ids = new Set(
      req.query
        .filter(([k]) => k === 'material_id' || k === 'material_id[]')
        .flatMap(([, v]) => v.split(','))
        .filter((v) => v !== ''),
    )
    const rows = md.materialUnits
      .filter((mu) => (ids.size === 0 || ids.has(mu.material_id)) && byTime(mu))
      .map((mu) => md.materialUnitRow(mu))
      .filter((r) => matchesSearch(search, r.unit_name as string))
    const all = queryValue(req, 'un_page') === 'true' || queryValue(req, 'un_page') === '1'
    return ok(
      paginate(
        rows,
        all ? { page: 1, requested: Math.max(rows.length, 1), served: Math.max(rows.length, 1) } : p,
        o,
        true,
      ),
    )
  }
  const enabled = enableFilter(req, errcode)
  if (isReply(enabled)) return enabled
  if (entity === 'material') {
    const ids = new Set(
      req.query
        .filter(([k]) => k === 'ids' || k === 'ids[]')
        .flatMap(([, v]) => v.split(','))
        .filter((v) => v !== ''),
    )
    const showUnits = queryValue(req, 'show_units') === 'true'
    const rows = md.materials
      .filter(
        (m) =>
          enabled(m.enabled) &&
          byTime(m) &&
          (ids.size === 0 || ids.has(m.id)) &&
          matchesSearch(search, m.name, m.number),
      )
      .map((m) => md.materialRow(m, false, showUnits))
    return ok(paginate(rows, p, o, true))
  }
  if (entity === 'measure_unit') {
    const rows = md.units
      .filter((u) => enabled(u.enabled) && byTime(u) && matchesSearch(search, u.name, u.number))
      .map((u) => md.unitRow(u, false))
    return ok(paginate(rows, p, o, true))
  }
  const rows = md.stores
    .filter((s) => enabled(s.enabled) && byTime(s) && matchesSearch(search, s.name, s.number))
    .map((s) => md.storeRow(s, false))
  return ok(paginate(rows, p, o, false))
}

/** `GET /jdy/v2/bd/<entity>_detail?id=|number=` (material_unit: by id only). */
export function masterDetail(
  md: MasterData,
  entity: MasterEntity,
  req: ParsedRequest,
  notFound: 'error' | 'null',
  errcode: number,
): Reply {
  const id = queryValue(req, 'id')
  const number = entity === 'material_unit' ? undefined : queryValue(req, 'number')
  const key = id !== undefined && id !== '' ? { id } : number !== undefined && number !== '' ? { number } : undefined
  if (key === undefined)
    return businessError(errcode, entity === 'material_unit' ? 'id不能为空' : 'id与number不能同时为空', 'validation')
  let row: Record<string, unknown> | undefined
  if (entity === 'material') {
    const m = md.material(key)
    row = m && md.materialRow(m, true, true)
  } else if (entity === 'measure_unit') {
    const u = md.unit(key)
    row = u && md.unitRow(u, true)
  } else if (entity === 'store') {
    const s = md.store(key)
    row = s && md.storeRow(s, true)
  } else {
    const mu = md.materialUnits.find((r) => r.id === key.id)
    row = mu && md.materialUnitRow(mu)
  }
  if (row !== undefined) return ok(row)
  if (notFound === 'null') return ok(null)
  const [k, v] = 'id' in key ? ['id', key.id] : ['number', key.number]
  return businessError(errcode, `参数${k}[${v}]不存在`, 'not_found')
}
