/**
 * The sandbox: both simulators on one generated dataset and one clock, as `ferry sandbox` and the
 * `npm start` demo run them. `info()` is what `ferry sandbox` prints as its first line.
 */
import { newAdminToken } from './common/admin.js'
import { createClock, type SimClock } from './common/clock.js'
import { faultProfile, type ProfileName } from './common/profiles.js'
import { generateDataset, type GenerateOptions } from './data/generate.js'
import type { Dataset } from './data/types.js'
import { startJdySimulator, type JdyCredentials, type JdySimulator } from './kingdee-jdy/index.js'
import { startJstSimulator, type JstCredentials, type JstSimulator } from './jushuitan/index.js'

export interface SandboxOptions {
  /** JST port; the JDY simulator takes `port + 1`. 0 (default) = two free ports. */
  readonly port?: number
  /** Default 127.0.0.1. Anything but a loopback address needs `allowRemote`. */
  readonly host?: string
  /**
   * Listen on a non-loopback `host`. Off by default: the simulators hand out their credentials
   * and accept data edits to whoever holds the admin token, and the vendor APIs have no TLS.
   */
  readonly allowRemote?: boolean
  /** Token both simulators' admin APIs require; default a random one (`Sandbox.adminToken`). */
  readonly adminToken?: string
  /** Default 1. */
  readonly seed?: number | string
  /** Count orders to generate. Default 200. */
  readonly orders?: number
  /** Days the orders spread over. Default 7. */
  readonly days?: number
  /** Start of the data range; default `days` before now, on the hour, so a scheme polling "recent" data finds it. */
  readonly start?: number | Date | string
  /** Fault profile for both simulators. Default `calm`. */
  readonly profile?: ProfileName
  /** Further generator options (warehouses, skus, shares, statuses). */
  readonly generate?: Partial<Omit<GenerateOptions, 'seed' | 'orders' | 'days' | 'start'>>
  /** A clock to use; default a real-time clock shared by both simulators. */
  readonly clock?: SimClock
  /**
   * Multiplies both vendors' quotas (JST 5/s and 100/min per app, JDY 500/min per book), keeping
   * their ratio, so a test can move thousands of orders in seconds. Default 1: the real quotas.
   */
  readonly quotaScale?: number
}

/** The first line of `ferry sandbox`: where the simulators are and what credentials work there. */
export interface SandboxInfo {
  /** Send as `Authorization: Bearer <adminToken>` on every `/__admin/` call of both simulators. */
  readonly adminToken: string
  readonly jst: { readonly url: string; readonly admin: string } & JstCredentials
  readonly jdy: { readonly url: string; readonly admin: string } & JdyCredentials
  readonly seed: number | string
  readonly orders: number
  readonly days: number
  readonly profile: ProfileName
  /** Data range [from, to) in ISO 8601. */
  readonly range: { readonly from: string; readonly to: string }
}

export interface Sandbox {
  /** The admin token of both simulators (also in `info()`). */
  readonly adminToken: string
  readonly jst: JstSimulator
  readonly jdy: JdySimulator
  readonly dataset: Dataset
  readonly clock: SimClock
  info(): SandboxInfo
  close(): Promise<void>
}

/** Start both simulators. Throws RangeError on impossible generator options; listen errors propagate. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? 1
  const orders = options.orders ?? 200
  const days = options.days ?? 7
  const profile = options.profile ?? 'calm'
  const clock = options.clock ?? createClock()
  const start = options.start ?? Math.floor((clock.now() - days * 86_400_000) / 3_600_000) * 3_600_000
  const dataset = generateDataset({ ...options.generate, seed, orders, days, start })
  const rules = faultProfile(profile)
  const host = options.host ?? '127.0.0.1'
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw new RangeError(
      `host ${host} is not a loopback address; the sandbox listens on other interfaces only with allowRemote (--allow-remote)`,
    )
  }
  const adminToken = options.adminToken ?? newAdminToken()
  const port = options.port ?? 0
  const scale = options.quotaScale ?? 1
  if (!(scale > 0)) throw new RangeError(`quotaScale must be a positive number, got ${String(options.quotaScale)}`)
  const jst = await startJstSimulator({
    seed,
    dataset,
    clock,
    host,
    port,
    faults: rules,
    adminToken,
    ...(scale === 1 ? {} : { rateLimit: { perSecond: Math.round(5 * scale), perMinute: Math.round(100 * scale) } }),
  })
  let jdy: JdySimulator
  try {
    jdy = await startJdySimulator({
      seed,
      masterData: dataset.jdy,
      clock,
      host,
      port: port === 0 ? 0 : port + 1,
      faults: rules,
      adminToken,
      ...(scale === 1 ? {} : { rateLimit: { perMinute: Math.round(500 * scale) } }),
    })
  } catch (e) {
    await jst.close()
    throw e
  }
  return {
    adminToken,
    jst,
    jdy,
    dataset,
    clock,
    info: () => ({
      adminToken,
      jst: { url: jst.url, admin: `${jst.url}/__admin/`, ...jst.credentials },
      jdy: { url: jdy.url, admin: `${jdy.url}/__admin/`, ...jdy.credentials },
      seed,
      orders,
      days,
      profile,
      range: { from: new Date(dataset.meta.startMs).toISOString(), to: new Date(dataset.meta.endMs).toISOString() },
    }),
    close: async () => {
      await Promise.all([jst.close(), jdy.close()])
    },
  }
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h)
}
