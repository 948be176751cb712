/**
 * The vendor side of the simulator: routing, the gateway checks, app-token and router address,
 * the per-book rate limit, then the endpoint (spec §7). Transport faults, the request log and
 * body reading belong to the shared HTTP helper (simulators/common/http.ts).
 */
import type { SimClock } from '../common/clock.js'
import { jsonResponse, type SimRequest, type SimResponse } from '../common/http.js'
import type { WindowCounter } from '../common/rate-limit.js'
import type { AuthState } from './auth.js'
import type { BillStore } from './bills.js'
import { businessError, gatewayError, SYSTEM_ERROR_TEXT, throttled, type Reply } from './envelope.js'
import { checkGateway, fromSimRequest, queryValue, type ParsedRequest } from './gateway.js'
import { listMasterData, masterDetail, MASTER_ENTITIES, type MasterData } from './master-data.js'
import type { ResolvedOptions } from './options.js'
import type { JdyBook } from './types.js'

export const AUTHORIZE_PATH = '/jdyconnector/app_management/push_app_authorize'
export const TOKEN_PATH = '/jdyconnector/app_management/kingdee_auth_token'
export const BILL_PATH = '/jdy/v2/scm/inv_check_loss_bill'
export const BILL_DETAIL_PATH = '/jdy/v2/scm/inv_check_loss_bill_detail'
export const OPERATE_PATH = '/jdy/v2/sys/common_operate'

/** Everything a request may read or change; replaced wholesale by `reset()`. */
export interface JdyState {
  readonly options: ResolvedOptions
  readonly clock: SimClock
  readonly auth: AuthState
  readonly master: MasterData
  readonly bills: BillStore
  readonly limiter: WindowCounter
  readonly nonces: Map<string, number>
}

interface BusinessCall {
  readonly state: JdyState
  readonly book: JdyBook
  readonly req: ParsedRequest
  /** Parsed JSON body (POST endpoints only). */
  readonly body: unknown
}

type BusinessHandler = (call: BusinessCall) => Reply

const businessRoutes = new Map<string, Partial<Record<'GET' | 'POST', BusinessHandler>>>([
  [
    BILL_PATH,
    {
      POST: (c) => c.state.bills.save(c.book.outerInstanceId, c.body, c.state.master),
      GET: (c) => c.state.bills.listReply(c.book.outerInstanceId, c.req, c.state.options.lists),
    },
  ],
  [BILL_DETAIL_PATH, { GET: (c) => c.state.bills.detailReply(c.book.outerInstanceId, c.req, c.state.master) }],
  [OPERATE_PATH, { POST: (c) => c.state.bills.operate(c.book.outerInstanceId, c.body, c.state.master) }],
  ...MASTER_ENTITIES.flatMap(
    (e) =>
      [
        [
          `/jdy/v2/bd/${e}`,
          {
            GET: (c: BusinessCall) =>
              listMasterData(c.state.master, e, c.req, c.state.options.lists, c.state.options.bills.validationErrcode),
          },
        ],
        [
          `/jdy/v2/bd/${e}_detail`,
          {
            GET: (c: BusinessCall) =>
              masterDetail(
                c.state.master,
                e,
                c.req,
                c.state.options.bills.detailNotFound,
                c.state.options.bills.validationErrcode,
              ),
          },
        ],
      ] as const,
  ),
])

const authRoutes: Record<string, 'GET' | 'POST'> = { [AUTHORIZE_PATH]: 'POST', [TOKEN_PATH]: 'GET' }

/** Every path the simulator serves, with its methods (for docs and fault rules). */
export function jdyEndpoints(): string[] {
  return [
    `POST ${AUTHORIZE_PATH}`,
    `GET ${TOKEN_PATH}`,
    ...[...businessRoutes].flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)),
  ]
}

/** Parameters kept in the request log (redacted by the log itself). */
export function describeRequest(req: SimRequest): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(req.query)
  const clientId = req.headers['x-api-clientid']
  if (typeof clientId === 'string') params.clientId = clientId
  if (req.body.length > 0 && req.body.length <= 64 * 1024) {
    try {
      params.body = JSON.parse(req.body.toString('utf8')) as unknown
    } catch {
      params.body = '(not JSON)'
    }
  } else if (req.body.length > 0 || req.bodyTooLarge) {
    params.body = '(too large to log)'
  }
  return params
}

export function toResponse(reply: Reply, req: SimRequest): SimResponse {
  const body = reply.body as { errcode?: number; code?: number } | null
  const code = body?.errcode ?? body?.code
  const out = jsonResponse(reply.body, reply.status, {
    outcome: reply.throttled === true ? 'throttled' : reply.rejected !== undefined ? 'rejected' : 'accepted',
    ...(code === undefined ? {} : { code }),
    ...(reply.rejected === undefined
      ? reply.throttled === true
        ? { reason: 'rate_limit' }
        : {}
      : { reason: reply.rejected }),
    params: describeRequest(req),
  })
  return { ...out, headers: { ...out.headers, 'content-type': 'application/json;charset=UTF-8', ...reply.headers } }
}

/** The vendor reply when a handler throws: JDY's generic system error. */
export function internalErrorReply(): Reply {
  return businessError(2000002000, SYSTEM_ERROR_TEXT, 'internal', 500)
}

/** Handle one request against the current state. Never throws for bad input. */
export function handle(state: JdyState, sim: SimRequest): Reply {
  const o = state.options
  if (sim.bodyTooLarge) {
    return {
      status: 413,
      body: { errcode: 413, description: 'Request Entity Too Large', description_cn: '请求体过大' },
      rejected: 'body_too_large',
    }
  }
  const req = fromSimRequest(sim)
  const authMethod = authRoutes[req.path]
  const business = businessRoutes.get(req.path)
  if (authMethod === undefined && business === undefined)
    return gatewayError(o.gateway.httpStatus, 5001, 'not_found', req.path)
  if (
    (authMethod !== undefined && authMethod !== req.method) ||
    (business !== undefined && ((req.method !== 'GET' && req.method !== 'POST') || business[req.method] === undefined))
  ) {
    return gatewayError(o.gateway.httpStatus, 5002, 'method', `${req.method} ${req.path}`)
  }
  const gate = checkGateway(req, {
    options: o.gateway,
    clients: state.auth.clients,
    now: state.clock.checkNow(),
    nonces: state.nonces,
  })
  if ('reply' in gate) return gate.reply

  if (req.path === AUTHORIZE_PATH) {
    const id = queryValue(req, 'outerInstanceId')
    return state.auth.authorize(gate.client, id === '' ? undefined : id)
  }
  if (req.path === TOKEN_PATH)
    return state.auth.issueToken(gate.client, queryValue(req, 'app_key'), queryValue(req, 'app_signature'))

  const token = req.headers['app-token'] ?? ''
  if (token === '') return gatewayError(o.gateway.httpStatus, 4009, 'token')
  const book = state.auth.resolveToken(token)
  if (book === 'expired' || book.clientId !== gate.client.clientId) return state.auth.expiredTokenReply()
  const router = req.headers['x-gw-router-addr']
  if (o.gateway.routerAddr === 'strict' && router !== book.domain) {
    return gatewayError(
      o.gateway.httpStatus,
      5001,
      'router_addr',
      router === undefined ? 'X-GW-Router-Addr is required' : 'X-GW-Router-Addr does not match the book',
    )
  }

  const now = state.clock.now()
  if (o.rateLimit.perMinute > 0) {
    if (state.limiter.full(book.outerInstanceId, now)) {
      if (o.rateLimit.countRejected) state.limiter.hit(book.outerInstanceId, now)
      return throttled(o.rateLimit.httpStatus, state.limiter.retryAfterMs(book.outerInstanceId, now))
    }
    state.limiter.hit(book.outerInstanceId, now)
  }

  const handler = (business as Partial<Record<string, BusinessHandler>>)[req.method] as BusinessHandler
  let body: unknown
  if (req.method === 'POST') {
    const text = req.body.toString('utf8').trim()
    if (text === '') return businessError(o.bills.validationErrcode, '请求参数格式错误：请求体不能为空', 'bad_json')
    try {
      body = JSON.parse(text) as unknown
    } catch {
      return businessError(o.bills.validationErrcode, '请求参数格式错误：JSON解析失败', 'bad_json')
    }
  }
  return handler({ state, book, req, body })
}
