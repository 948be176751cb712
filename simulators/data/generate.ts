/**
 * The deterministic dataset behind both simulators and the end-to-end oracle. One seed gives the
 * same JST count orders, SKUs and warehouses and the same JDY master data on every machine.
 *
 * Consistency rules (docs/sandbox.md relies on them):
 * - a JDY material's `number` equals a JST `sku_id`; `missingMaterialShare` of the SKUs have none;
 * - every material's `base_unit_id` is a measure unit id and has a material_unit row (index 0);
 * - a JDY store's `number` equals `String(wms_co_id)` of a JST partner; every count order carries
 *   one of those `wms_co_id`s;
 * - every count order has `io_date` ≤ `modified`, both inside [start, start + days).
 */
import { createRng, type Rng } from '../common/prng.js'
import { makeJdy } from './jdy-master.js'
import { formatShanghai, parseShanghai } from './shanghai-time.js'
import {
  JST_STATUSES,
  type Dataset,
  type JstCountItem,
  type JstCountOrder,
  type JstPartner,
  type JstSku,
  type JstStatus,
} from './types.js'

export interface GenerateOptions {
  readonly seed: number | string
  /** Number of count orders. */
  readonly orders: number
  /** Days the orders spread over, from `start`. */
  readonly days: number
  /** Range start: epoch ms, Date, or `yyyy-MM-dd HH:mm:ss` Shanghai. Default 2026-11-01 00:00:00 Shanghai. */
  readonly start?: number | Date | string
  /** JST warehouse partners (JDY stores). Default 4. */
  readonly warehouses?: number
  /** JST SKUs. Default 200. */
  readonly skus?: number
  /** Lines per order, inclusive range. Default [1, 6]. */
  readonly itemsPerOrder?: readonly [number, number]
  /** Share of lines whose `qty` (gain/loss delta) is negative. Default 0.5. */
  readonly negativeShare?: number
  /** Share of orders whose remark contains `包材` (they count packaging SKUs). Default 0.1. */
  readonly packagingShare?: number
  /** Share of SKUs without a JDY material. Default 0.02. */
  readonly missingMaterialShare?: number
  /** Statuses to draw from: a list (equal weights) or weights. Default weighted, all five. Each listed status appears at least once when orders allow. */
  readonly statuses?: readonly JstStatus[] | Partial<Record<JstStatus, number>>
}

/** Default range start: 2026-11-01 00:00:00 Asia/Shanghai. */
export const DEFAULT_START_MS = Date.UTC(2026, 9, 31, 16, 0, 0)

const DEFAULT_STATUS_WEIGHTS: Record<JstStatus, number> = {
  WaitConfirm: 15,
  Confirmed: 60,
  Archive: 10,
  Cancelled: 8,
  Delete: 7,
}
const COLORS = ['黑色', '白色', '红色', '蓝色', '灰色', '绿色']
const SIZES = ['S', 'M', 'L', 'XL']
const NAMES = ['T恤', '卫衣', '衬衫', '牛仔裤', '运动鞋', '帆布包', '毛衣', '羽绒服', '短裤', '棒球帽']
const PACKAGING = ['纸箱 大号', '纸箱 小号', '气泡膜', '快递袋', '封箱胶带', '吊牌']
const CATEGORIES = ['上装', '下装', '鞋', '配件']
const CREATORS = ['张三', '李四', '王芳', '赵敏', '陈晨']
const REMARKS = ['月末盘点', '季度盘点', '抽盘', '循环盘点', '']
const PACKAGING_REMARKS = ['包材月度盘点', '月末盘点-包材', '包材抽盘']
const WAREHOUSE_NAMES = ['华东总仓', '华南分仓', '华北分仓', '西南分仓', '华中分仓', '东北分仓', '西北分仓', '海外仓']
const WH_NAMES: Record<number, string> = { 1: '主仓', 2: '销退仓', 3: '进货仓', 4: '次品仓' }

function startMs(start: GenerateOptions['start']): number {
  if (start === undefined) return DEFAULT_START_MS
  if (typeof start === 'number') return start
  if (start instanceof Date) return start.getTime()
  const ms = parseShanghai(start, true) ?? Date.parse(start)
  if (!Number.isFinite(ms)) throw new RangeError(`start "${start}" is not a date (use yyyy-MM-dd HH:mm:ss or ISO 8601)`)
  return ms
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`)
}

function checkShare(name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${v}`)
}

/** Generate a dataset. Same options → deep-equal result. Throws RangeError on impossible options. */
export function generateDataset(opts: GenerateOptions): Dataset {
  const warehouses = opts.warehouses ?? 4
  const skuCount = opts.skus ?? 200
  const [kMin, kMax] = opts.itemsPerOrder ?? [1, 6]
  const negativeShare = opts.negativeShare ?? 0.5
  const packagingShare = opts.packagingShare ?? 0.1
  const missingShare = opts.missingMaterialShare ?? 0.02
  checkCount('orders', opts.orders, 0)
  if (!(opts.days > 0)) throw new RangeError(`days must be > 0, got ${opts.days}`)
  checkCount('warehouses', warehouses, 1)
  checkCount('skus', skuCount, 1)
  checkCount('itemsPerOrder[0]', kMin, 1)
  checkCount('itemsPerOrder[1]', kMax, kMin)
  checkShare('negativeShare', negativeShare)
  checkShare('packagingShare', packagingShare)
  checkShare('missingMaterialShare', missingShare)
  const weights = statusWeights(opts.statuses)

  const rng = createRng(opts.seed)
  const from = startMs(opts.start)
  const to = from + Math.round(opts.days * 86_400_000)
  const coId = 10_000_000 + rng.fork('co').int(0, 8_999_999)

  const partners = makePartners(rng.fork('partners'), warehouses, coId)
  const skus = makeSkus(rng.fork('skus'), skuCount, from)
  const packagingSkuIds = skus.filter((s) => s.item_type === '包材').map((s) => s.sku_id)
  const missingRng = rng.fork('missing')
  const missingCount = Math.round(skuCount * missingShare)
  const missingMaterialSkuIds = missingRng
    .shuffle(skus.map((s) => s.sku_id))
    .slice(0, missingCount)
    .sort()
  const countOrders = makeOrders(rng.fork('orders'), {
    orders: opts.orders,
    from,
    to,
    kMin,
    kMax,
    negativeShare,
    packagingShare,
    weights,
    partners,
    skuList: skus,
    coId,
  })
  const jdy = makeJdy(rng.fork('jdy'), skus, new Set(missingMaterialSkuIds), partners, from)
  return {
    jst: { countOrders, skus, partners },
    jdy,
    meta: { seed: opts.seed, startMs: from, endMs: to, missingMaterialSkuIds, packagingSkuIds, coId },
  }
}

function statusWeights(s: GenerateOptions['statuses']): [JstStatus, number][] {
  if (s === undefined) return Object.entries(DEFAULT_STATUS_WEIGHTS) as [JstStatus, number][]
  const entries: [JstStatus, number][] = Array.isArray(s)
    ? (s as readonly JstStatus[]).map((k) => [k, 1])
    : (Object.entries(s) as [JstStatus, number][])
  for (const [k, w] of entries) {
    if (!JST_STATUSES.includes(k))
      throw new RangeError(`unknown status "${k}"; expected one of ${JST_STATUSES.join(', ')}`)
    if (!(w >= 0)) throw new RangeError(`status weight for ${k} must be ≥ 0`)
  }
  const live = entries.filter(([, w]) => w > 0)
  if (live.length === 0) throw new RangeError('statuses must name at least one status with a positive weight')
  return live
}

function makePartners(rng: Rng, n: number, coId: number): JstPartner[] {
  const out: JstPartner[] = []
  let wms = 10_000_000 + rng.int(0, 999_999)
  for (let i = 0; i < n; i++) {
    wms += rng.int(1, 5000)
    out.push({
      name: WAREHOUSE_NAMES[i] ?? `分仓${i + 1}`,
      co_id: coId,
      wms_co_id: wms,
      is_main: i === 0,
      status: '生效',
      remark1: '',
      remark2: '',
    })
  }
  return out
}

function makeSkus(rng: Rng, n: number, from: number): JstSku[] {
  const packagingCount = Math.max(1, Math.round(n * 0.05))
  const out: JstSku[] = []
  for (let i = 0; i < n; i++) {
    const packaging = i >= n - packagingCount
    const styleNo = 1000 + Math.floor(i / 6)
    const color = COLORS[i % COLORS.length] as string
    const size = SIZES[Math.floor(i / COLORS.length) % SIZES.length] as string
    const iId = packaging ? `BC${styleNo}` : `ST${styleNo}`
    const skuId = packaging ? `BC${String(i + 1).padStart(5, '0')}` : `${iId}-${String(i + 1).padStart(4, '0')}`
    const base = packaging
      ? (PACKAGING[i % PACKAGING.length] as string)
      : (NAMES[Math.floor(i / 6) % NAMES.length] as string)
    const cost = rng.int(100, 20_000)
    const created = from - rng.int(30, 400) * 86_400_000 - rng.int(0, 86_399) * 1000
    out.push({
      sku_id: skuId,
      i_id: iId,
      name: packaging ? base : `${base} ${color}${size}`,
      short_name: base,
      properties_value: packaging ? '' : `${color};${size}`,
      color: packaging ? '' : color,
      sku_code: `69${String(rng.int(0, 99_999_999_999)).padStart(11, '0')}`,
      sku_codes: '',
      autoid: 100_000 + i,
      sale_price: Math.round(cost * 1.8) / 100,
      cost_price: cost / 100,
      market_price: Math.round(cost * 2.2) / 100,
      c_id: packaging ? 9 : 1 + (i % CATEGORIES.length),
      category: packaging ? '包材' : (CATEGORIES[i % CATEGORIES.length] as string),
      brand: packaging ? '' : 'Ferry',
      vc_name: '',
      sku_type: 'normal',
      item_type: packaging ? '包材' : '成品',
      labels: '',
      enabled: 1,
      weight: rng.int(1, 200) / 100,
      unit: packaging ? '个' : '件',
      supplier_id: rng.int(1, 30),
      supplier_name: `供应商${rng.int(1, 30)}`,
      creator: rng.pick(CREATORS),
      created: formatShanghai(created),
      modified: formatShanghai(created + rng.int(0, 20) * 86_400_000),
      remark: '',
      pic: '',
    })
  }
  return out
}

interface OrderCtx {
  orders: number
  from: number
  to: number
  kMin: number
  kMax: number
  negativeShare: number
  packagingShare: number
  weights: [JstStatus, number][]
  partners: JstPartner[]
  skuList: JstSku[]
  coId: number
}

function drawStatus(rng: Rng, weights: [JstStatus, number][]): JstStatus {
  const total = weights.reduce((a, [, w]) => a + w, 0)
  let x = rng.next() * total
  for (const [s, w] of weights) {
    x -= w
    if (x < 0) return s
  }
  return (weights[weights.length - 1] as [JstStatus, number])[0]
}

function makeOrders(rng: Rng, c: OrderCtx): JstCountOrder[] {
  const span = c.to - c.from
  const created = Array.from({ length: c.orders }, () => c.from + Math.floor(rng.next() * span)).sort((a, b) => a - b)
  // Every status appears at least once (when there are enough orders): place them at random positions.
  const statuses = created.map(() => drawStatus(rng, c.weights))
  rng
    .shuffle(created.map((_, i) => i))
    .slice(0, c.weights.length)
    .forEach((pos, k) => {
      statuses[pos] = (c.weights[k] as [JstStatus, number])[0]
    })
  const packaging = c.skuList.filter((s) => s.item_type === '包材')
  const goods = c.skuList.filter((s) => s.item_type !== '包材')
  let ioId = 100_000 + rng.int(0, 99_999)
  let ioiId = 5_000_000 + rng.int(0, 999_999)
  return created.map((t, idx) => {
    ioId += rng.int(1, 40)
    const isPackaging = rng.chance(c.packagingShare) && packaging.length > 0
    const pool = isPackaging || goods.length === 0 ? packaging : goods
    const k = Math.min(rng.int(c.kMin, c.kMax), pool.length)
    const chosen = rng.shuffle(pool).slice(0, k)
    const partner = rng.pick(c.partners)
    const whId = rng.chance(0.7) ? 1 : rng.int(2, 4)
    // `modified` trails `io_date` by up to 6 h but never leaves the range.
    const modified = Math.min(c.to - 1000, t + rng.int(0, 6 * 3600) * 1000)
    const items: JstCountItem[] = chosen.map((sku) => {
      const magnitude = rng.int(1, 20)
      const qty = rng.chance(c.negativeShare) ? -magnitude : magnitude
      const book = rng.int(Math.max(0, -qty), Math.max(0, -qty) + 200)
      const productDate = formatShanghai(t - rng.int(30, 300) * 86_400_000).slice(0, 10)
      return {
        io_id: ioId,
        ioi_id: ++ioiId,
        sku_id: sku.sku_id,
        i_id: sku.i_id,
        name: sku.name,
        properties_value: sku.properties_value,
        r_qty: book + qty,
        qty,
        batch_id: `B${productDate.replace(/-/g, '')}`,
        product_date: productDate,
        supplier_id: sku.supplier_id,
        expiration_date: formatShanghai(t + rng.int(180, 720) * 86_400_000).slice(0, 10),
      }
    })
    return {
      type: '盘点',
      io_id: ioId,
      io_date: formatShanghai(t),
      status: statuses[idx] as JstStatus,
      warehouse: WH_NAMES[whId] ?? '主仓',
      creator_name: rng.pick(CREATORS),
      remark: isPackaging ? rng.pick(PACKAGING_REMARKS) : rng.pick(REMARKS),
      wh_id: whId,
      wms_co_id: partner.wms_co_id,
      modified: formatShanghai(modified),
      f_status: rng.chance(0.5) ? 'Confirmed' : 'WaitConfirm',
      lock_wh_id: 0,
      lock_wh_name: '',
      labels: '',
      items,
      batchs: items.map((it) => ({
        batch_no: it.batch_id,
        sku_id: it.sku_id,
        qty: it.qty,
        product_date: it.product_date,
        supplier_id: it.supplier_id,
        supplier_name: `供应商${it.supplier_id}`,
        expiration_date: it.expiration_date,
        ioi_id: it.ioi_id,
      })),
      sns: items.filter(() => rng.chance(0.1)).map((it) => ({ sku_id: it.sku_id, sn: `SN${it.ioi_id}`, qty: 1 })),
      owner_co_id: c.coId,
    }
  })
}
