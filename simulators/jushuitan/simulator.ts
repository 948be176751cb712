/**
 * The 聚水潭 (JST) open-platform simulator (JST spec §11): form-encoded POST endpoints with the
 * real envelope, the §11.2 validation pipeline, the §11.3 data model and the §11.4 faults.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createAdminHandler, newAdminToken } from '../common/admin.js'
import { createClock, type SimClock } from '../common/clock.js'
import { FaultEngine } from '../common/faults.js'
import { gatewayPage, jsonResponse, startSimServer, type SimRequest, type SimResponse } from '../common/http.js'
import { createRng, type Rng } from '../common/prng.js'
import { RequestLog } from '../common/request-log.js'
import { generateDataset } from '../data/generate.js'
import type { Dataset } from '../data/types.js'
import { jstAdminRoutes } from './admin-routes.js'
import { JST_OK_MSG, JstCode, JstMsg, reject, type JstReject } from './codes.js'
import { Hooks } from './hooks.js'
import { resolveBehaviour, type JstApp, type JstBehaviour, type JstSimulatorOptions } from './options.js'
import { parseForm, RateLimits, runPipeline, type EndpointKind, type JstCall, type PipelineDeps } from './pipeline.js'
import { countQuery, partnerQuery, skuQuery } from './queries.js'
import { CountOrderStore } from './store.js'
import { TokenStore, type TokenData } from './tokens.js'

/** What a client needs; the app secret is a test value of this local fake. */
export interface JstCredentials {
  readonly appKey: string
  readonly appSecret: string
  /** A token issued at start (and re-issued with the same values on reset). */
  readonly accessToken: string
  readonly refreshToken: string
  /** POST here (signed, grant_type=authorization_code, any 6-char code) for a fresh token. */
  readonly tokenUrl: string
  /** An ISV (服务商) app: getInitToken answers 21024 and refresh answers 150. */
  readonly isv: { readonly appKey: string; readonly appSecret: string }
}

export interface JstSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string
  /** Send as `Authorization: Bearer <adminToken>` on every `/__admin/` call. */
  readonly adminToken: string
  readonly port: number
  readonly credentials: JstCredentials
  readonly clock: SimClock
  readonly faults: FaultEngine
  readonly log: RequestLog
  readonly hooks: Hooks
  /** The count-order store: `latest()`, `visible()`, `get`, `touch`, `setStatus`, `insert`, `hardDelete`, `update`. */
  readonly orders: CountOrderStore
  /** The dataset the simulator was started with (JDY half included, for a JDY simulator to share). */
  readonly dataset: Dataset
  /** Current behaviour switches (read-only view); change them with `configure`. */
  readonly behaviour: Readonly<JstBehaviour>
  configure(patch: Partial<JstBehaviour>): void
  /** Issue a token pair for an app (default the self-developed app). */
  issueToken(appKey?: string): TokenData
  /** An OAuth code for `/openWeb/auth/accessToken` (what the authorize page gives an ISV). */
  issueAuthCode(appKey?: string): string
  /** Revoke one access token, or all when omitted (a "forced 100" in state form). */
  revokeTokens(accessToken?: string): void
  /** Back to the initial state: data, tokens (same initial values), limits, log, faults, hooks, options, skew. */
  reset(): void
  close(): Promise<void>
}

const ROUTES: Record<string, EndpointKind> = {
  '/openWeb/auth/getInitToken': 'init_token',
  '/openWeb/auth/accessToken': 'access_token',
  '/openWeb/auth/refreshToken': 'refresh_token',
  '/open/inventory/count/query': 'business',
  '/open/sku/query': 'business',
  '/open/wms/partner/query': 'business',
}

function hex32(rng: Rng): string {
  return Array.from({ length: 32 }, () => rng.int(0, 15).toString(16)).join('')
}

/** Start a JST simulator (port 0 by default). */
export async function startJstSimulator(options: JstSimulatorOptions = {}): Promise<JstSimulator> {
  const seed = options.seed ?? 1
  const rng = createRng(`jst/${String(seed)}`)
  const clock: SimClock =
    options.clock !== undefined && 'now' in options.clock ? options.clock : createClock(options.clock ?? {})
  const dataset = options.dataset ?? generateDataset({ seed, orders: 200, days: 7, ...options.generate })
  const appRng = rng.fork('apps')
  const apps: JstApp[] =
    options.apps !== undefined
      ? [...options.apps]
      : [
          { appKey: hex32(appRng), appSecret: hex32(appRng), type: 'self' },
          { appKey: hex32(appRng), appSecret: hex32(appRng), type: 'isv' },
        ]
  const appMap = new Map(apps.map((a) => [a.appKey, a]))
  const selfApp = apps.find((a) => a.type === 'self') ?? apps[0]
  const isvApp = apps.find((a) => a.type === 'isv')
  if (selfApp === undefined) throw new RangeError('options.apps must list at least one app')

  const initial = resolveBehaviour(options)
  let behaviour: JstBehaviour = structuredClone(initial)
  const log = new RequestLog()
  const faults = new FaultEngine(seed)
  const initialFaults = [...(options.faults ?? [])]
  faults.set(initialFaults)
  const hooks = new Hooks()
  const orders = new CountOrderStore(clock, () => behaviour.visibilityDelayMs)
  orders.load(dataset.jst.countOrders)
  const tokens = new TokenStore(clock, () => behaviour, dataset.meta.coId)
  const limits = new RateLimits(() => behaviour.rateLimit)
  const queryRng = rng.fork('query-order')
  let firstToken = tokens.issue(selfApp.appKey)
  const presets = () => {
    for (const t of options.presetTokens ?? [])
      tokens.restore(t.appKey, {
        access_token: t.accessToken,
        refresh_token: t.refreshToken,
        expires_in: 0,
        scope: 'all',
      })
  }
  presets()
  const deps: PipelineDeps = {
    get behaviour() {
      return behaviour
    },
    apps: appMap,
    tokens,
    clock,
    limits,
  }

  const envelope = (data: unknown) => ({
    code: JstCode.ok,
    msg: JST_OK_MSG,
    data,
    ...(behaviour.includeIssuccess ? { issuccess: true } : {}),
  })
  const errorBody = (r: JstReject) => ({
    code: r.code,
    msg: r.msg,
    data: null,
    ...(behaviour.includeIssuccess ? { issuccess: false } : {}),
  })
  const params = (fields: Record<string, string> | undefined) => fields ?? {}
  const fail = (r: JstReject, fields?: Record<string, string>): SimResponse =>
    jsonResponse(errorBody(r), 200, {
      outcome: r.code === JstCode.tooFrequent || r.code === JstCode.quotaExceeded ? 'throttled' : 'rejected',
      code: r.code,
      reason: r.reason,
      params: params(fields),
    })
  const ok = (data: unknown, fields: Record<string, string>): SimResponse =>
    jsonResponse(envelope(data), 200, { outcome: 'accepted', code: 0, params: fields })
  const transport = (status: number, reason: string, fields?: Record<string, string>): SimResponse => ({
    ...gatewayPage(status),
    log: { outcome: 'rejected', reason, params: params(fields) },
  })

  async function handle(req: SimRequest): Promise<SimResponse> {
    const kind = ROUTES[req.path]
    if (kind === undefined) return transport(404, 'not_found')
    if (req.method !== 'POST')
      return { ...transport(405, 'method'), headers: { ...gatewayPage(405).headers, allow: 'POST' } }
    if (req.bodyTooLarge) return transport(413, 'body_too_large')
    const fields = parseForm(req.body)
    if (fields === undefined) return fail(reject(JstCode.badParam, JstMsg.badParam, 'form_encoding'))
    const call: JstCall = { path: req.path, kind, fields, remoteAddress: req.remoteAddress }
    const { rejected, admitted } = runPipeline(call, deps)
    if (rejected !== undefined) {
      await hooks.afterAnswer()
      return fail(rejected, fields)
    }
    try {
      if (behaviour.processingMs > 0) await sleep(behaviour.processingMs)
      const out = answer(call)
      const countPage =
        call.path === '/open/inventory/count/query' && out.log?.outcome === 'accepted'
          ? { pageIndex: Number(call.biz?.page_index ?? 1), ...windowOf(call.biz) }
          : undefined
      await hooks.afterAnswer(countPage)
      return out
    } finally {
      if (admitted) limits.release(fields.app_key ?? '')
    }
  }

  function answer(call: JstCall): SimResponse {
    const f = call.fields
    const app = call.app as JstApp
    switch (call.kind) {
      case 'init_token':
      case 'access_token': {
        if (f.grant_type !== 'authorization_code')
          return fail(reject(JstCode.badParam, `${JstMsg.badParam}grant_type必须为authorization_code`, 'grant_type'), f)
        if (call.kind === 'init_token' && app.type === 'isv')
          return fail(reject(JstCode.selfAppOnly, JstMsg.selfAppOnly, 'isv_init_token'), f)
        if (call.kind === 'access_token' && !tokens.useCode(f.code ?? '', app.appKey)) {
          return fail(reject(JstCode.badParam, `${JstMsg.badParam}code无效或已过期`, 'oauth_code'), f)
        }
        return ok(tokens.issue(app.appKey), f)
      }
      case 'refresh_token': {
        if (f.grant_type !== 'refresh_token' || f.scope !== 'all')
          return fail(
            reject(JstCode.badParam, `${JstMsg.badParam}grant_type必须为refresh_token且scope为all`, 'grant_type'),
            f,
          )
        if (app.type === 'isv') return fail(reject(JstCode.internal, JstMsg.isvNoRefresh, 'isv_refresh'), f)
        const r = tokens.refresh(f.refresh_token ?? '', app.appKey)
        if (r === 'invalid') return fail(reject(JstCode.badToken, '验证失败！无效的refresh_token', 'refresh_token'), f)
        if (r === 'too_early')
          return fail(reject(behaviour.refreshTooEarly.code, behaviour.refreshTooEarly.msg, 'refresh_too_early'), f)
        return ok(r, f)
      }
      case 'business': {
        const biz = call.biz ?? {}
        const coId = call.coId ?? dataset.meta.coId
        const r =
          call.path === '/open/inventory/count/query'
            ? countQuery(biz, orders, coId, behaviour, queryRng)
            : call.path === '/open/sku/query'
              ? skuQuery(biz, dataset.jst.skus, behaviour)
              : partnerQuery(biz, dataset.jst.partners, behaviour)
        return 'err' in r ? fail(r.err, f) : ok(r.ok, f)
      }
    }
  }

  const credentials = (url: string): JstCredentials => ({
    appKey: selfApp.appKey,
    appSecret: selfApp.appSecret,
    accessToken: firstToken.access_token,
    refreshToken: firstToken.refresh_token,
    tokenUrl: `${url}/openWeb/auth/getInitToken`,
    isv: isvApp === undefined ? { appKey: '', appSecret: '' } : { appKey: isvApp.appKey, appSecret: isvApp.appSecret },
  })

  const reset = (): void => {
    behaviour = structuredClone(initial)
    orders.load(dataset.jst.countOrders)
    tokens.clear()
    firstToken = tokens.restore(selfApp.appKey, firstToken)
    presets()
    limits.reconfigure()
    log.clear()
    faults.set(initialFaults)
    hooks.clear()
    clock.skewMs = 0
  }
  const configure = (patch: Partial<JstBehaviour>): void => {
    behaviour = { ...behaviour, ...patch }
    if (patch.rateLimit !== undefined) limits.reconfigure()
  }

  let baseUrl = ''
  const adminPrefix = options.adminPrefix ?? '/__admin/'
  const adminToken = options.adminToken ?? newAdminToken()
  const server = await startSimServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    adminPrefix,
    handler: handle,
    internalError: () =>
      jsonResponse({ code: JstCode.internal, msg: JstMsg.internal, data: null }, 200, {
        outcome: 'rejected',
        code: JstCode.internal,
        reason: 'internal',
      }),
    faults,
    log,
    clock,
    describe: (req) => parseForm(req.body) ?? {},
    admin: createAdminHandler(
      {
        token: adminToken,
        log,
        faults,
        clock,
        reset,
        credentials: () => credentials(baseUrl),
        extra: jstAdminRoutes({
          orders,
          dataset,
          hooks,
          tokens,
          configure,
          behaviour: () => behaviour,
          appKey: selfApp.appKey,
        }),
      },
      adminPrefix,
    ),
  })
  baseUrl = server.url

  return {
    url: server.url,
    port: server.port,
    adminToken,
    get credentials() {
      return credentials(server.url)
    },
    clock,
    faults,
    log,
    hooks,
    orders,
    dataset,
    get behaviour() {
      return behaviour
    },
    configure,
    issueToken: (appKey = selfApp.appKey) => tokens.issue(appKey),
    issueAuthCode: (appKey = isvApp?.appKey ?? selfApp.appKey) => tokens.issueCode(appKey),
    revokeTokens: (t) => {
      if (t === undefined) tokens.revokeAll()
      else tokens.revoke(t)
    },
    reset,
    close: () => server.close(),
  }
}

function windowOf(biz: Record<string, unknown> | undefined): {
  window?: { modified_begin: string; modified_end: string }
} {
  const b = biz?.modified_begin
  const e = biz?.modified_end
  return typeof b === 'string' && typeof e === 'string' ? { window: { modified_begin: b, modified_end: e } } : {}
}
