/**
 * Record shapes of the generated dataset, in the vendors' own field names (JST spec §6–7,
 * JDY spec §5.3). Both simulators serve these records; the e2e oracle reads them.
 */

export const JST_STATUSES = ['WaitConfirm', 'Confirmed', 'Archive', 'Cancelled', 'Delete'] as const
export type JstStatus = (typeof JST_STATUSES)[number]

/** A count-order line (JST §6.2 CountOrderItem). `qty` is the gain/loss delta, `r_qty` the counted amount. */
export interface JstCountItem {
  io_id: number
  ioi_id: number
  sku_id: string
  i_id: string
  name: string
  properties_value: string
  r_qty: number
  qty: number
  batch_id: string
  product_date: string
  supplier_id: number
  expiration_date: string
}

export interface JstCountBatch {
  batch_no: string
  sku_id: string
  qty: number
  product_date: string
  supplier_id: number
  supplier_name: string
  expiration_date: string
  ioi_id: number
}

export interface JstCountSn {
  sku_id: string
  sn: string
  qty: number
}

/** A count order (JST §6.2 CountOrder). Date-times are `yyyy-MM-dd HH:mm:ss` Asia/Shanghai. */
export interface JstCountOrder {
  type: string
  io_id: number
  io_date: string
  status: JstStatus
  warehouse: string
  creator_name: string
  remark: string
  wh_id: number
  wms_co_id: number
  modified: string
  f_status: 'WaitConfirm' | 'Confirmed'
  lock_wh_id: number
  lock_wh_name: string
  labels: string
  items: JstCountItem[]
  batchs: JstCountBatch[]
  sns: JstCountSn[]
  /** Owner company (JST §6.1 `owner_co_id`); not returned by the real API's field list, kept for filtering. */
  owner_co_id: number
  /**
   * Fields beyond the documented list, rendered as they are: real answers grow undocumented
   * fields, and any key (`__proto__` included) must reach Ferry as data.
   */
  extra?: Record<string, unknown>
}

/** A row of `/open/sku/query` (JST §7.2; the subset a mapping needs plus common descriptive fields). */
export interface JstSku {
  sku_id: string
  i_id: string
  name: string
  short_name: string
  properties_value: string
  color: string
  sku_code: string
  sku_codes: string
  autoid: number
  sale_price: number
  cost_price: number
  market_price: number
  c_id: number
  category: string
  brand: string
  vc_name: string
  sku_type: string
  item_type: '成品' | '半成品' | '原材料' | '包材'
  labels: string
  enabled: number
  weight: number
  unit: string
  supplier_id: number
  supplier_name: string
  creator: string
  created: string
  modified: string
  remark: string
  pic: string
}

/** A row of `/open/wms/partner/query` (JST §7.1). */
export interface JstPartner {
  name: string
  co_id: number
  wms_co_id: number
  is_main: boolean
  status: string
  remark1: string
  remark2: string
}

/** JDY material list row (JDY §5.3) plus the detail fields Ferry uses. Ids are long numeric strings. */
export interface JdyMaterial {
  id: string
  number: string
  name: string
  model: string
  parent_id: string
  parent_name: string
  parent_number: string
  base_unit_id: string
  base_unit_number: string
  base_unit_name: string
  is_multi_unit: boolean
  is_serial: boolean
  is_asst_attr: boolean
  is_weight: boolean
  is_kf_period: boolean
  is_batch: boolean
  barcode: string
  check_type: number
  enable: '1' | '0'
  remark: string
  create_time: number
  modify_time: number
}

export interface JdyMeasureUnit {
  id: string
  number: string
  name: string
  precision: number
  enable: '1' | '0'
  create_time: number
  modify_time: number
}

export interface JdyMaterialUnit {
  id: string
  material_id: string
  index: number
  is_default: boolean
  is_float: boolean
  coefficient: number
  unit_id: string
  unit_name: string
  conversion_unit_id: string
  conversion_unit_name: string
}

export interface JdyStore {
  id: string
  number: string
  name: string
  sale_type: string
  remark: string
  contact: string
  telephone: string
  address: string
  enable: '1' | '0'
  allow_negative: 'true' | 'false'
  is_allow_freight: boolean
  group_id: string
  group_number: string
  group_name: string
  create_time: number
  modify_time: number
}

export interface Dataset {
  readonly jst: { countOrders: JstCountOrder[]; skus: JstSku[]; partners: JstPartner[] }
  readonly jdy: {
    materials: JdyMaterial[]
    measureUnits: JdyMeasureUnit[]
    materialUnits: JdyMaterialUnit[]
    stores: JdyStore[]
  }
  /** What the generator did, for oracles and docs. */
  readonly meta: {
    readonly seed: number | string
    /** Range of `modified`/`io_date`: [start, end) in epoch ms. */
    readonly startMs: number
    readonly endMs: number
    /** JST sku_ids that deliberately have no JDY material. */
    readonly missingMaterialSkuIds: readonly string[]
    /** JST sku_ids of packaging goods (item_type 包材). */
    readonly packagingSkuIds: readonly string[]
    /** The merchant's company id (`co_id` of every partner, `owner_co_id` of every order). */
    readonly coId: number
  }
}
