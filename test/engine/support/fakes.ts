/* eslint-disable @typescript-eslint/require-await -- in-memory fakes implement async ports synchronously */
/**
 * Small in-process source and target runtimes with fault switches, and a scheme shaped like the
 * count→loss case, for driving the pipeline without HTTP. End-to-end suites use the simulators.
 */
import type {
  Page,
  ProbeResult,
  ReadRequest,
  SourceRuntime,
  TargetRuntime,
  TimeWindow,
  WriteOutcome,
  WriteRequest,
} from '../../../src/connectors/contract.js'
import { FerryError } from '../../../src/core/errors.js'
import type { EngineScheme, LedgerRecord, MappedDocument, WriteUnit } from '../../../src/engine/ports.js'

export interface Doc {
  io_id: string
  modified: Date
  remark: string
  items: { sku_id: string; qty: number }[]
}

export class FakeSource implements SourceRuntime {
  readonly reads: ReadRequest[] = []
  /** Window starts (ms) whose read throws after the first page. */
  readonly failWindows = new Set<number>()
  constructor(
    public docs: Doc[],
    private readonly pageSize = 2,
    private readonly spanMs = 86_400_000,
  ) {}

  planWindows(_api: string, from: Date, to: Date): TimeWindow[] {
    const out: TimeWindow[] = []
    for (let t = from.getTime(); t < to.getTime(); t += this.spanMs)
      out.push({ start: new Date(t), end: new Date(Math.min(t + this.spanMs, to.getTime())) })
    return out
  }

  async *read(req: ReadRequest): AsyncIterable<Page> {
    this.reads.push(req)
    const begin = new Date(String(req.params.modified_begin)).getTime()
    const end = new Date(String(req.params.modified_end)).getTime()
    const rows = this.docs.filter((d) => d.modified.getTime() >= begin && d.modified.getTime() < end)
    for (let i = 0, p = 1; i === 0 || i < rows.length; i += this.pageSize, p++) {
      if (p === 2 && req.window !== undefined && this.failWindows.has(req.window.start.getTime())) {
        throw new FerryError('ERR_HTTP_SERVER', 'transient', 'server error 502 on page 2')
      }
      const slice = rows
        .slice(i, i + this.pageSize)
        .map((d) => ({ ...d, modified: d.modified.toISOString(), items: d.items.map((x) => ({ ...x })) }))
      yield { rows: slice, pageIndex: p, hasNext: i + this.pageSize < rows.length }
      if (rows.length === 0) break
    }
  }
}

/** A source whose read stops after its first page until `open()` is called (a source run still reading). */
export class GatedSource extends FakeSource {
  private release!: () => void
  private readonly gate = new Promise<void>((r) => (this.release = r))
  open(): void {
    this.release()
  }
  override async *read(req: ReadRequest): AsyncIterable<Page> {
    let first = true
    for await (const page of super.read(req)) {
      if (!first) await this.gate
      first = false
      yield page
    }
  }
}

export type Fault =
  | 'transient'
  | 'rate_limited'
  | 'data'
  | 'config'
  | 'unknown_after_store'
  | 'unknown_before_store'
  | 'throw_after_store'
  | 'already_exists'

export class FakeTarget implements TargetRuntime {
  readonly bills = new Map<string, Record<string, unknown>>()
  readonly writes: WriteRequest[] = []
  readonly probes: string[] = []
  /** Faults to apply to the next writes, per business key (consumed in order). */
  readonly faults = new Map<string, Fault[]>()
  probeFails = false
  private seq = 0

  async write(req: WriteRequest): Promise<WriteOutcome> {
    this.writes.push(req)
    const fault = this.faults.get(req.key)?.shift()
    const store = () => {
      const id = `T${++this.seq}`
      this.bills.set(req.key, { ...req.payload, id })
      return id
    }
    switch (fault) {
      case 'transient':
        return { kind: 'transient', message: 'gateway 503' }
      case 'rate_limited':
        return { kind: 'rate_limited', message: 'too many requests', retryAfterMs: 5000 }
      case 'data':
        return { kind: 'data', message: 'material is disabled', vendorCode: 4001 }
      case 'config':
        return { kind: 'config', message: 'token rejected', vendorCode: 1001 }
      case 'unknown_after_store':
        store()
        return { kind: 'unknown_outcome', message: 'socket hang up' }
      case 'unknown_before_store':
        return { kind: 'unknown_outcome', message: 'socket hang up' }
      case 'throw_after_store':
        store()
        throw new FerryError('ERR_HTTP_INTERRUPTED', 'transient', 'connection reset')
      case 'already_exists':
        store()
        return { kind: 'already_exists', message: 'bill_no exists' }
      case undefined:
        break
    }
    if (this.bills.has(req.key))
      return { kind: 'already_exists', message: 'duplicate bill_no', targetId: String(this.bills.get(req.key)?.id) }
    return { kind: 'ok', targetId: store(), response: { ok: true } }
  }

  async probe(_api: string, key: string): Promise<ProbeResult> {
    this.probes.push(key)
    if (this.probeFails) throw new FerryError('ERR_HTTP_TIMEOUT', 'transient', 'probe timed out')
    const doc = this.bills.get(key)
    return doc === undefined ? { exists: false } : { exists: true, targetId: String(doc.id), document: doc }
  }
}

/** The count→loss shape: keep orders with a negative row and no 包材 remark; look materials up. */
export function lossScheme(materials: Map<string, string>, over: Partial<EngineScheme> = {}): EngineScheme {
  return {
    id: 'count-to-loss',
    name: 'count to loss',
    collectionTitles: { materials: 'JDY material' },
    schedule: { start: new Date('2026-11-01T00:00:00Z') },
    source: {
      connection: 'jst',
      api: '/open/inventory/count/query',
      idCheck: true,
      renderRequest: async (v) => ({
        modified_begin: v.lastSyncTime.toISOString(),
        modified_end: v.currentTime.toISOString(),
        status: 'Confirmed',
      }),
      toRecords: (docs) =>
        docs
          .map((d): Record<string, unknown> & { items: { qty: number }[] } => ({
            ...d,
            items: (d.items as { qty: number }[]).filter((i) => i.qty < 0),
          }))
          .filter((d) => d.items.length > 0 && !String(d.remark).includes('包材'))
          .map((d) => ({ id: String(d.io_id), number: String(d.io_id), content: d })),
    },
    target: {
      connection: 'jdy',
      api: '/jdy/v2/scm/inv_check_loss_bill',
      businessKeyField: 'bill_no',
      quality: { required: ['bill_no', 'material_entity[].material_id'], positive: ['material_entity[].qty'] },
      plan: (records: readonly LedgerRecord[]): WriteUnit[] =>
        records.map((r) => ({ recordIds: [r.id], input: r.content })),
      map: async (unit): Promise<MappedDocument> => {
        const unresolved: MappedDocument['unresolved'][number][] = []
        const items = unit.input.items as { sku_id: string; qty: number }[]
        const entity = items.map((i, n) => {
          const id = materials.get(i.sku_id)
          if (id === undefined)
            unresolved.push({
              collection: 'materials',
              field: 'id',
              where: { sku: i.sku_id },
              path: `material_entity[${n}].material_id`,
            })
          return { material_id: id ?? '', qty: Math.abs(i.qty) }
        })
        return {
          payload: { bill_no: unit.input.io_id, remark: unit.input.remark, material_entity: entity },
          unresolved,
        }
      },
    },
    ...over,
  }
}

export function doc(io_id: string, modified: string, items: [string, number][], remark = ''): Doc {
  return { io_id, modified: new Date(modified), remark, items: items.map(([sku_id, qty]) => ({ sku_id, qty })) }
}
