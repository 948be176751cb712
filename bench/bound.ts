/**
 * The quota bound: the least time the vendors' quotas allow for the requests the job made.
 *
 * Per credential, requests / limit for each window the simulator enforces (JST app: per second and
 * per minute; JDY book: per minute; JDY's token endpoints have their own limit and are left out,
 * as the simulator does), the largest of them, plus one call latency for the last answer to come
 * back. Throttled answers are not counted as needed requests: a perfect client never sends them.
 * The bound is a rate bound: the simulators' fixed windows would let a client that knew their
 * phase burst one extra window's worth at the start, which no client can rely on.
 */
import type { SimStats } from './types.js'

export interface QuotaLimits {
  readonly jst: { readonly perSecond: number; readonly perMinute: number }
  readonly jdy: { readonly perMinute: number }
}

export interface Bound {
  readonly bound_s: number
  readonly jst_requests: number
  readonly jdy_requests: number
  readonly jst_bound_s: number
  readonly jdy_bound_s: number
  readonly binding: 'jst' | 'jdy'
}

const JDY_AUTH = ['/jdyconnector/app_management/push_app_authorize', '/jdyconnector/app_management/kingdee_auth_token']

export function needed(stats: SimStats): { jst: number; jdy: number; throttled: number } {
  let jst = 0
  let jdy = 0
  let throttled = 0
  for (const s of Object.values(stats.jst)) { jst += s.total - s.throttled; throttled += s.throttled }
  for (const [path, s] of Object.entries(stats.jdy)) {
    throttled += s.throttled
    if (!JDY_AUTH.includes(path)) jdy += s.total - s.throttled
  }
  return { jst, jdy, throttled }
}

export function quotaBound(stats: SimStats, limits: QuotaLimits, latencyMs: number): Bound {
  const n = needed(stats)
  const jstBound = Math.max(n.jst / limits.jst.perSecond, (n.jst / limits.jst.perMinute) * 60)
  const jdyBound = (n.jdy / limits.jdy.perMinute) * 60
  return { bound_s: Math.max(jstBound, jdyBound) + latencyMs / 1000, jst_requests: n.jst, jdy_requests: n.jdy,
    jst_bound_s: round(jstBound), jdy_bound_s: round(jdyBound), binding: jstBound > jdyBound ? 'jst' : 'jdy' }
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
