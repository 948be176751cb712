/**
 * A faithful local fake of the 金蝶云星辰 (Kingdee JDY) open API gateway, for tests, the sandbox
 * and `npm start` (spec kingdee-jdy-api.md §7). Start it on port 0, point a client at `url`, use
 * `credentials`, and read what happened through `log`, `bills` and the admin API.
 *
 * @example
 * const sim = await startJdySimulator({ masterData: dataset.jdy })
 * // … run the client against sim.url with sim.credentials …
 * expect(sim.bills.list()).toHaveLength(1)
 * await sim.close()
 */
import { createAdminHandler, newAdminToken } from '../common/admin.js'
import { createClock, type SimClock } from '../common/clock.js'
import { FaultEngine, type Fault } from '../common/faults.js'
import { startSimServer } from '../common/http.js'
import { createRng } from '../common/prng.js'
import { WindowCounter } from '../common/rate-limit.js'
import { RequestLog } from '../common/request-log.js'
import { generateDataset } from '../data/generate.js'
import { jdyAdminRoutes } from './admin-routes.js'
import { AuthState, digitsFrom, hexFrom } from './auth.js'
import type { BillStore } from './bills.js'
import { BillStore as Bills } from './bills.js'
import { VENDOR_FAULT_BODIES } from './envelope.js'
import { describeRequest, handle, internalErrorReply, toResponse, type JdyState } from './handler.js'
import { MasterData } from './master-data.js'
import { resolveOptions } from './options.js'
import type { JdyBook, JdyClient, JdyMasterData, JdySimulatorOptions } from './types.js'

export type { JdySimulatorOptions, JdyMasterData, JdyBook, JdyClient, StoredBill, StoredBillLine } from './types.js'
export { jdyEndpoints, AUTHORIZE_PATH, TOKEN_PATH, BILL_PATH, BILL_DETAIL_PATH, OPERATE_PATH } from './handler.js'
export { DEFAULT_AUTH, DEFAULT_BILLS, DEFAULT_GATEWAY, DEFAULT_LISTS, DEFAULT_RATE_LIMIT } from './options.js'
export { DUPLICATE_TEXT } from './bills.js'
export { STALE_SECRET_TEXT, EXPIRED_TOKEN_TEXT } from './auth.js'

/** What a client needs to talk to one book (spec §1). The sandbox prints these; they are test values. */
export interface JdyCredentials {
  readonly clientId: string
  readonly clientSecret: string
  readonly outerInstanceId: string
  readonly accountId: string
  readonly appKey: string
  /** The book's current appSecret (changes on rotation; real clients re-pull it via push_app_authorize). */
  readonly appSecret: string
  /** Value for `X-GW-Router-Addr`; not a host to call. */
  readonly domain: string
}

export interface JdySimulator {
  /** `http://127.0.0.1:<port>`, the stand-in for `https://api.kingdee.com`. */
  readonly url: string
  /** Send as `Authorization: Bearer <adminToken>` on every `/__admin/` call. */
  readonly adminToken: string
  readonly port: number
  /** Credentials of the first book. */
  readonly credentials: JdyCredentials
  /** Credentials of every book. */
  readonly books: readonly JdyCredentials[]
  readonly clock: SimClock
  readonly faults: FaultEngine
  readonly log: RequestLog
  /** Stored check-loss bills (live view; replaced by `reset()`). */
  readonly bills: BillStore
  /** Master data served by the lists (live view; replaced by `reset()`). */
  readonly masterData: MasterData
  /** Rotate a book's appSecret now (default: first book); returns the new secret. */
  rotateSecret(outerInstanceId?: string): string
  /** Revoke every app-token of one book, or of all books. Returns how many were revoked. */
  revokeTokens(outerInstanceId?: string): number
  /** Back to the initial state: bills, tokens, secrets, limits, log, faults and clock skew. */
  reset(): void
  close(): Promise<void>
}

function defaultParties(seed: number | string): { clients: JdyClient[]; books: JdyBook[] } {
  const rng = createRng(`jdy-credentials/${String(seed)}`)
  const client: JdyClient = { clientId: digitsFrom(rng, 6), clientSecret: hexFrom(rng, 32) }
  const book: JdyBook = {
    clientId: client.clientId,
    outerInstanceId: digitsFrom(rng, 19),
    accountId: digitsFrom(rng, 16),
    accountName: 'Ferry 沙箱账套',
    appKey: hexFrom(rng, 8),
    appSecret: hexFrom(rng, 40),
    domain: 'https://tf.jdy.com',
    status: 1,
    serviceId: digitsFrom(rng, 6),
    groupName: 'ferry-sandbox',
  }
  return { clients: [client], books: [book] }
}

function withSecrets(books: JdySimulatorOptions['books'], seed: number | string): JdyBook[] | undefined {
  if (books === undefined) return undefined
  const rng = createRng(`jdy-book-secrets/${String(seed)}`)
  return books.map((b) => ({
    ...b,
    appSecret: 'appSecret' in b && typeof b.appSecret === 'string' ? b.appSecret : hexFrom(rng, 40),
  }))
}

/** Start the simulator. Nothing is shared between two instances. */
export async function startJdySimulator(options: JdySimulatorOptions = {}): Promise<JdySimulator> {
  const o = resolveOptions(options)
  const clock = options.clock ?? createClock()
  const initialSkew = clock.skewMs
  const parties = defaultParties(o.seed)
  const clients = options.clients ?? parties.clients
  const books = withSecrets(options.books, o.seed) ?? parties.books
  const masterData: JdyMasterData =
    options.masterData ?? generateDataset({ seed: o.seed, orders: 0, days: 1, skus: 40 }).jdy
  const faults = new FaultEngine(o.seed)
  if (options.faults !== undefined) faults.set(options.faults)
  const log = new RequestLog(o.logLimit)

  const fresh = (): JdyState => ({
    options: o,
    clock,
    auth: new AuthState(
      clients,
      books,
      o.auth,
      clock,
      createRng(`jdy-rotation/${String(o.seed)}`),
      o.bills.validationErrcode,
    ),
    master: new MasterData(masterData, clock.now()),
    bills: new Bills(o.bills, clock),
    limiter: new WindowCounter(
      { limit: Math.max(1, o.rateLimit.perMinute), windowMs: 60_000 },
      o.rateLimit.window ?? 'fixed',
    ),
    nonces: new Map(),
  })
  let state = fresh()
  const credentialsOf = (b: JdyBook): JdyCredentials => {
    const c = state.auth.clients.get(b.clientId)
    return {
      clientId: b.clientId,
      clientSecret: c?.clientSecret ?? '',
      outerInstanceId: b.outerInstanceId,
      accountId: b.accountId,
      appKey: b.appKey,
      appSecret: b.appSecret,
      domain: b.domain,
    }
  }
  const bookOf = (id?: string): JdyBook | undefined =>
    id === undefined ? state.auth.books[0] : state.auth.bookByOuterId(id)
  const reset = (): void => {
    state = fresh()
    log.clear()
    faults.clear()
    if (options.faults !== undefined) faults.set(options.faults)
    clock.skewMs = initialSkew
  }

  const adminToken = options.adminToken ?? newAdminToken()
  const server = await startSimServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    maxBodyBytes: o.maxBodyBytes,
    faults,
    log,
    clock,
    describe: describeRequest,
    handler: (req) => toResponse(handle(state, req), req),
    internalError: (req) => toResponse(internalErrorReply(), req),
    admin: createAdminHandler({
      token: adminToken,
      log,
      faults,
      clock,
      reset,
      credentials: () => ({
        url: server.url,
        ...credentialsOf(state.auth.books[0] as JdyBook),
        books: state.auth.books.map(credentialsOf),
      }),
      extra: (sub, req, body) => jdyAdminRoutes(() => state, sub, req, body),
    }),
  })

  return {
    url: server.url,
    port: server.port,
    adminToken,
    get credentials() {
      return credentialsOf(state.auth.books[0] as JdyBook)
    },
    get books() {
      return state.auth.books.map(credentialsOf)
    },
    clock,
    faults,
    log,
    get bills() {
      return state.bills
    },
    get masterData() {
      return state.master
    },
    rotateSecret(outerInstanceId) {
      const b = bookOf(outerInstanceId)
      if (b === undefined) throw new RangeError(`unknown outerInstanceId ${String(outerInstanceId)}`)
      return state.auth.rotateSecret(b)
    },
    revokeTokens(outerInstanceId) {
      return state.auth.revokeTokens(outerInstanceId === undefined ? undefined : bookOf(outerInstanceId))
    },
    reset,
    close: () => server.close(),
  }
}

/**
 * A ready-made vendor fault for rules: 5006 熔断, 5007 过载, 2000002000 系统错误, 1000202001 token
 * expired (for one call, without revoking anything) or 429 throttled.
 *
 * @example
 * sim.faults.add({ endpoint: 'POST /jdy/v2/scm/inv_check_loss_bill', when: { calls: [1] }, fault: jdyVendorFault(5007) })
 */
export function jdyVendorFault(code: keyof typeof VENDOR_FAULT_BODIES): Fault {
  const { status, body } = VENDOR_FAULT_BODIES[code]
  return { kind: 'vendor', status, body }
}
