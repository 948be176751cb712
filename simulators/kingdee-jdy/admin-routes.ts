/**
 * JDY-specific admin routes under `/__admin/` (the shared ones — log, counters, faults, clock,
 * reset, credentials — come from simulators/common/admin.ts). These stage what a real book does
 * behind the client's back: bills deleted or altered by hand, revoked tokens, a rotated secret.
 */
import { adminError } from '../common/admin.js'
import { jsonResponse, type SimRequest, type SimResponse } from '../common/http.js'
import { billDetail } from './bill-detail.js'
import { jdyEndpoints, type JdyState } from './handler.js'
import { MASTER_ENTITIES, type MasterEntity } from './master-data.js'
import type { JdyBook } from './types.js'

function pickBook(state: JdyState, b: Record<string, unknown>, req: SimRequest): JdyBook | SimResponse {
  const id = typeof b.outerInstanceId === 'string' ? b.outerInstanceId : req.query.get('outerInstanceId')
  if (id === null || id === '') return state.auth.books[0] ?? adminError('the simulator has no book', 500)
  return state.auth.bookByOuterId(id) ?? adminError(`unknown outerInstanceId "${id}"`, 404)
}

const isResponse = (x: unknown): x is SimResponse => typeof x === 'object' && x !== null && 'status' in x && 'body' in x

export function jdyAdminRoutes(
  state: () => JdyState,
  sub: string,
  req: SimRequest,
  body: unknown,
): SimResponse | undefined {
  const s = state()
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const m = req.method
  const parts = sub.split('/')
  if (sub === 'endpoints' && m === 'GET') return jsonResponse({ ok: true, endpoints: jdyEndpoints() })

  if (parts[0] === 'bills') {
    const id = parts[1]
    if (id === undefined) {
      if (m === 'GET') {
        const book = req.query.get('outerInstanceId') ?? undefined
        return jsonResponse({
          ok: true,
          bills: s.bills
            .list(book === '' ? undefined : book)
            .map((x) => ({ ...billDetail(x, s.master), book: x.book })),
        })
      }
      if (m === 'POST') {
        const book = pickBook(s, b, req)
        if (isResponse(book)) return book
        const lines = Array.isArray(b.material_entity)
          ? (b.material_entity as Array<Record<string, unknown>>)
          : undefined
        const status = b.bill_status === 'C' ? 'C' : 'Z'
        const bill = s.bills.insert(book.outerInstanceId, {
          ...(typeof b.bill_no === 'string' ? { bill_no: b.bill_no } : {}),
          ...(typeof b.bill_date === 'string' ? { bill_date: b.bill_date } : {}),
          ...(typeof b.remark === 'string' ? { remark: b.remark } : {}),
          ...(lines === undefined ? {} : { material_entity: lines }),
          bill_status: status,
        })
        return jsonResponse({ ok: true, bill: billDetail(bill, s.master) })
      }
      return undefined
    }
    const bill = s.bills.bills.get(id)
    if (bill === undefined) return adminError(`no bill with id ${id}`, 404)
    if (parts.length === 2 && m === 'GET')
      return jsonResponse({ ok: true, bill: { ...billDetail(bill, s.master), book: bill.book } })
    if (parts.length === 2 && m === 'DELETE') {
      s.bills.bills.delete(id)
      return jsonResponse({ ok: true, deleted: id })
    }
    if (parts[2] === 'qty' && m === 'POST') {
      if (typeof b.seq !== 'number' || (typeof b.qty !== 'number' && typeof b.qty !== 'string'))
        return adminError('body must be {"seq":<line seq>,"qty":<number>}')
      if (!s.bills.setQty(id, b.seq, b.qty)) return adminError(`bill ${id} has no line with seq ${b.seq}`, 404)
      return jsonResponse({ ok: true, bill: billDetail(bill, s.master) })
    }
    if (parts[2] === 'status' && m === 'POST') {
      if (b.bill_status !== 'Z' && b.bill_status !== 'C') return adminError('body must be {"bill_status":"Z"|"C"}')
      bill.bill_status = b.bill_status
      bill.audit_time = b.bill_status === 'C' ? s.clock.now() : null
      return jsonResponse({ ok: true, bill: billDetail(bill, s.master) })
    }
    return undefined
  }

  if (sub === 'tokens/revoke' && m === 'POST') {
    const all = b.outerInstanceId === undefined && req.query.get('outerInstanceId') === null
    const book = all ? undefined : pickBook(s, b, req)
    if (isResponse(book)) return book
    return jsonResponse({ ok: true, revoked: s.auth.revokeTokens(book) })
  }
  if (sub === 'secret/rotate' && m === 'POST') {
    const book = pickBook(s, b, req)
    if (isResponse(book)) return book
    s.auth.rotateSecret(book)
    return jsonResponse({ ok: true, outerInstanceId: book.outerInstanceId, appSecret: book.appSecret })
  }

  if (parts[0] === 'master-data') {
    if (parts.length === 1 && m === 'GET') {
      const md = s.master
      return jsonResponse({
        ok: true,
        materials: md.materials,
        measureUnits: md.units,
        materialUnits: md.materialUnits,
        stores: md.stores,
      })
    }
    const entity = parts[1] as MasterEntity
    const id = parts[2]
    if (parts.length === 2 && m === 'POST' && MASTER_ENTITIES.includes(entity)) {
      if (typeof b.id !== 'string' || b.id === '') return adminError('body must be a row with a string "id"')
      return s.master.add(entity, { ...b, id: b.id }, s.clock.now())
        ? jsonResponse({ ok: true, id: b.id })
        : adminError(`${entity} ${b.id} already exists`, 409)
    }
    if (!MASTER_ENTITIES.includes(entity) || id === undefined)
      return adminError(`use /__admin/master-data/<${MASTER_ENTITIES.join('|')}>/<id>`, 404)
    if (m === 'DELETE')
      return s.master.remove(entity, id) ? jsonResponse({ ok: true }) : adminError(`no ${entity} with id ${id}`, 404)
    if (m === 'PATCH' || m === 'POST') {
      return s.master.patch(entity, id, b) ? jsonResponse({ ok: true }) : adminError(`no ${entity} with id ${id}`, 404)
    }
  }
  return undefined
}
