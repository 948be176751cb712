/**
 * The request validation pipeline of JST spec §11.2, one function per step, run in the
 * configured order. A step returns a rejection or nothing; the first rejection answers.
 */
import { WindowCounter } from '../common/rate-limit.js'
import type { SimClock } from '../common/clock.js'
import { badParam, JstCode, JstMsg, reject, type JstReject } from './codes.js'
import type { JstApp, JstBehaviour, PipelineStep } from './options.js'
import { jstSign } from './signing.js'
import type { TokenStore } from './tokens.js'

export type EndpointKind = 'business' | 'init_token' | 'access_token' | 'refresh_token'

/** One decoded request travelling through the pipeline. */
export interface JstCall {
  readonly path: string
  readonly kind: EndpointKind
  readonly fields: Readonly<Record<string, string>>
  readonly remoteAddress: string
  app?: JstApp
  coId?: number
  biz?: Record<string, unknown>
}

const REQUIRED: Record<EndpointKind, readonly string[]> = {
  business: ['app_key', 'access_token', 'timestamp', 'version', 'charset', 'biz', 'sign'],
  init_token: ['app_key', 'timestamp', 'grant_type', 'charset', 'code', 'sign'],
  access_token: ['app_key', 'timestamp', 'grant_type', 'charset', 'code', 'sign'],
  refresh_token: ['app_key', 'timestamp', 'grant_type', 'charset', 'refresh_token', 'scope', 'sign'],
}

/**
 * Decode an `application/x-www-form-urlencoded` body strictly: `+` is a space, percent escapes
 * must be valid UTF-8. The first occurrence of a repeated field wins. Undefined when malformed.
 */
export function parseForm(body: Buffer): Record<string, string> | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return undefined
  }
  const out: Record<string, string> = {}
  for (const part of text.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawKey = eq < 0 ? part : part.slice(0, eq)
    const rawVal = eq < 0 ? '' : part.slice(eq + 1)
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, ' '))
      const val = decodeURIComponent(rawVal.replace(/\+/g, ' '))
      if (!Object.prototype.hasOwnProperty.call(out, key)) out[key] = val
    } catch {
      return undefined
    }
  }
  return out
}

export interface PipelineDeps {
  readonly behaviour: JstBehaviour
  readonly apps: ReadonlyMap<string, JstApp>
  readonly tokens: TokenStore
  readonly clock: SimClock
  readonly limits: RateLimits
}

/** Per-app_key rate limiting (§8.2, §11.2 step 9). */
export class RateLimits {
  private perSecond: WindowCounter
  private perMinute: WindowCounter
  private inFlight = new Map<string, number>()

  constructor(private readonly cfg: () => JstBehaviour['rateLimit']) {
    const c = cfg()
    this.perSecond = new WindowCounter({ limit: c.perSecond, windowMs: 1000 }, c.window)
    this.perMinute = new WindowCounter({ limit: c.perMinute, windowMs: 60_000 }, c.window)
  }

  /** Rebuild the windows after the limits changed (counts restart). */
  reconfigure(): void {
    const c = this.cfg()
    this.perSecond = new WindowCounter({ limit: c.perSecond, windowMs: 1000 }, c.window)
    this.perMinute = new WindowCounter({ limit: c.perMinute, windowMs: 60_000 }, c.window)
    this.inFlight.clear()
  }

  /** Admit one call or say which limit it broke. Admitted calls must `release` when answered. */
  admit(key: string, now: number): JstReject | undefined {
    const c = this.cfg()
    const count = () => {
      this.perSecond.hit(key, now)
      this.perMinute.hit(key, now)
    }
    if (c.maxConcurrent !== undefined && (this.inFlight.get(key) ?? 0) >= c.maxConcurrent) {
      return reject(JstCode.tooFrequent, JstMsg.tooFrequent, 'concurrency')
    }
    if (this.perSecond.full(key, now)) {
      if (c.countRejected) count()
      return reject(JstCode.tooFrequent, JstMsg.tooFrequent, 'rate_per_second')
    }
    if (this.perMinute.full(key, now)) {
      if (c.countRejected) count()
      return reject(JstCode.quotaExceeded, JstMsg.quotaExceeded, 'rate_per_minute')
    }
    count()
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1)
    return undefined
  }

  release(key: string): void {
    const n = (this.inFlight.get(key) ?? 1) - 1
    if (n <= 0) this.inFlight.delete(key)
    else this.inFlight.set(key, n)
  }
}

type Step = (call: JstCall, d: PipelineDeps) => JstReject | undefined

const STEPS: Record<PipelineStep, Step> = {
  fields(call) {
    const missing = REQUIRED[call.kind].filter((k) => (call.fields[k] ?? '') === '')
    return missing.length === 0
      ? undefined
      : reject(JstCode.emptyPayload, JstMsg.emptyPayload, `fields:${missing.join(',')}`)
  },
  charset(call) {
    const charset = call.fields.charset
    if (charset !== undefined && charset.toLowerCase() !== 'utf-8')
      return reject(JstCode.badParam, JstMsg.badParam, 'charset')
    if (call.kind === 'business' && call.fields.version !== undefined && call.fields.version !== '2')
      return reject(JstCode.badParam, JstMsg.badParam, 'version')
    return undefined
  },
  app_key(call, d) {
    // An unknown app cannot be verified, so the platform answers as for a bad signature.
    const app = d.apps.get(call.fields.app_key ?? '')
    if (app === undefined) return reject(JstCode.badSign, JstMsg.badSign, 'app_key')
    call.app = app
    return undefined
  },
  sign(call, d) {
    const app = call.app ?? d.apps.get(call.fields.app_key ?? '')
    if (app === undefined) return reject(JstCode.badSign, JstMsg.badSign, 'app_key')
    const expected = jstSign(app.appSecret, call.fields)
    const got = call.fields.sign ?? ''
    const ok = got === expected || (d.behaviour.acceptUppercaseSign && got.toLowerCase() === expected)
    return ok ? undefined : reject(JstCode.badSign, JstMsg.badSign, 'sign')
  },
  timestamp(call, d) {
    const raw = call.fields.timestamp ?? ''
    const ts = /^\d{1,13}$/.test(raw) ? Number(raw) : Number.NaN
    const skew = Math.abs(d.clock.checkNow() / 1000 - ts)
    if (skew <= d.behaviour.timestampToleranceSec) return undefined
    return d.behaviour.timestampErrorProfile === 's1'
      ? reject(JstCode.badParam, JstMsg.badTimestampS1, 'timestamp')
      : reject(JstCode.badTimestampS9, JstMsg.badTimestampS9, 'timestamp')
  },
  ip(call) {
    const list = call.app?.ipWhitelist
    const ip = call.remoteAddress.replace(/^::ffff:/, '')
    return list === undefined || list.includes(ip)
      ? undefined
      : reject(JstCode.ipNotAllowed, JstMsg.ipNotAllowed(ip), 'ip')
  },
  token(call, d) {
    if (call.kind !== 'business') return undefined
    const ok = d.tokens.check(call.fields.access_token ?? '', call.fields.app_key ?? '')
    if (ok === undefined) return reject(JstCode.badToken, JstMsg.badToken, 'token')
    call.coId = ok.coId
    return undefined
  },
  permission(call) {
    if (call.kind !== 'business') return undefined
    const allowed = call.app?.allowedApis
    return allowed === undefined || allowed.includes(call.path)
      ? undefined
      : reject(JstCode.noPermission, JstMsg.noPermission, 'permission')
  },
  rate_limit(call, d) {
    return d.limits.admit(call.fields.app_key ?? '', d.clock.now())
  },
  biz(call) {
    if (call.kind !== 'business') return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(call.fields.biz ?? '')
    } catch {
      return badParam('biz不是合法的JSON', 'biz')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return badParam('biz必须是JSON对象', 'biz')
    call.biz = parsed as Record<string, unknown>
    return undefined
  },
}

/**
 * Run the steps in order. Rate-limit admission happens inside; the caller must release the slot
 * (`limits.release(app_key)`) once the call is answered, when `admitted` is true.
 */
export function runPipeline(call: JstCall, d: PipelineDeps): { rejected?: JstReject; admitted: boolean } {
  let admitted = false
  for (const step of d.behaviour.pipeline) {
    const r = STEPS[step](call, d)
    if (r !== undefined) {
      if (admitted) d.limits.release(call.fields.app_key ?? '')
      return { rejected: r, admitted: false }
    }
    if (step === 'rate_limit') admitted = true
  }
  // Steps a custom order left out still need their side products (app, merchant, biz).
  call.app ??= d.apps.get(call.fields.app_key ?? '')
  if (call.kind === 'business' && call.biz === undefined) {
    const r = STEPS.biz(call, d)
    if (r !== undefined) {
      if (admitted) d.limits.release(call.fields.app_key ?? '')
      return { rejected: r, admitted: false }
    }
  }
  return { admitted }
}
