/**
 * JST-specific admin routes (under `/__admin/`, next to the shared ones in common/admin.ts):
 * stored data, mutations, hooks, behaviour switches, tokens and OAuth codes.
 */
import { adminError } from '../common/admin.js'
import { jsonResponse, type SimRequest, type SimResponse } from '../common/http.js'
import type { Dataset, JstCountOrder, JstStatus } from '../data/types.js'
import type { Hooks, HookWindow } from './hooks.js'
import type { JstBehaviour } from './options.js'
import type { CountOrderStore } from './store.js'
import type { TokenStore } from './tokens.js'

export interface JstAdminDeps {
  readonly orders: CountOrderStore
  readonly dataset: Dataset
  readonly hooks: Hooks
  readonly tokens: TokenStore
  readonly behaviour: () => JstBehaviour
  configure(patch: Partial<JstBehaviour>): void
  readonly appKey: string
}

/** A mutation as JSON: what `POST /__admin/mutate` and hook actions carry. */
export type Mutation =
  | { op: 'touch'; io_id: number; modified?: string }
  | { op: 'setStatus'; io_id: number; status: JstStatus; modified?: string }
  | { op: 'insert'; order: JstCountOrder }
  | { op: 'hardDelete'; io_id: number }

function applyMutation(orders: CountOrderStore, m: Mutation): unknown {
  switch (m.op) {
    case 'touch':
      return orders.touch(Number(m.io_id), m.modified)
    case 'setStatus':
      return orders.setStatus(Number(m.io_id), m.status, m.modified)
    case 'insert':
      return orders.insert(m.order)
    case 'hardDelete':
      return { deleted: orders.hardDelete(Number(m.io_id)) }
  }
}

function asMutation(v: unknown): Mutation {
  const m = v as { op?: unknown } | undefined
  if (typeof m !== 'object' || m === null || !['touch', 'setStatus', 'insert', 'hardDelete'].includes(String(m.op))) {
    throw new TypeError('mutation must be {op:"touch"|"setStatus"|"insert"|"hardDelete", …}')
  }
  return m as Mutation
}

export function jstAdminRoutes(d: JstAdminDeps) {
  return (sub: string, req: SimRequest, body: unknown): SimResponse | undefined => {
    const b = (body ?? {}) as Record<string, unknown>
    const m = req.method
    if (sub === 'data/orders' && m === 'GET') {
      const id = req.query.get('io_id')
      if (id !== null) {
        const o = d.orders.get(Number(id))
        return o === undefined
          ? adminError(`count order ${id} does not exist`, 404)
          : jsonResponse({ ok: true, order: o })
      }
      return jsonResponse({
        ok: true,
        orders: req.query.get('visible') === 'true' ? d.orders.visible() : d.orders.latest(),
      })
    }
    if (sub === 'data/skus' && m === 'GET') return jsonResponse({ ok: true, skus: d.dataset.jst.skus })
    if (sub === 'data/partners' && m === 'GET') return jsonResponse({ ok: true, partners: d.dataset.jst.partners })
    if (sub === 'data/meta' && m === 'GET') return jsonResponse({ ok: true, meta: d.dataset.meta })
    if (sub === 'mutate' && m === 'POST')
      return jsonResponse({ ok: true, result: applyMutation(d.orders, asMutation(b)) })
    if (sub === 'hooks' && m === 'DELETE') {
      d.hooks.clear()
      return jsonResponse({ ok: true })
    }
    if (sub === 'hooks' && m === 'POST') {
      const action = asMutation(b.action)
      const run = () => {
        applyMutation(d.orders, action)
      }
      if (b.type === 'afterRequest' && typeof b.n === 'number') d.hooks.afterRequest(b.n, run)
      else if (b.type === 'betweenPages' && typeof b.pageIndex === 'number')
        d.hooks.betweenPages(b.window as HookWindow | undefined, b.pageIndex, run)
      else
        return adminError(
          'hook must be {type:"afterRequest",n,action} or {type:"betweenPages",window?,pageIndex,action}',
        )
      return jsonResponse({ ok: true })
    }
    if (sub === 'options' && m === 'GET') return jsonResponse({ ok: true, options: d.behaviour() })
    if (sub === 'options' && (m === 'PUT' || m === 'PATCH')) {
      d.configure(b)
      return jsonResponse({ ok: true, options: d.behaviour() })
    }
    if (sub === 'tokens/revoke' && m === 'POST') {
      if (typeof b.access_token === 'string') d.tokens.revoke(b.access_token)
      else d.tokens.revokeAll()
      return jsonResponse({ ok: true })
    }
    if (sub === 'tokens/issue' && m === 'POST')
      return jsonResponse({ ok: true, token: d.tokens.issue(typeof b.app_key === 'string' ? b.app_key : d.appKey) })
    if (sub === 'oauth-code' && m === 'POST') {
      if (typeof b.app_key !== 'string') return adminError('body must be {"app_key":"…"}')
      return jsonResponse({ ok: true, code: d.tokens.issueCode(b.app_key) })
    }
    return undefined
  }
}
