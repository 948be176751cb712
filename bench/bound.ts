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
  for (const s of Object.values(stats.jst)) {
    jst += s.total - s.throttled
    throttled += s.throttled
  }
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
  return {
    bound_s: Math.max(jstBound, jdyBound) + latencyMs / 1000,
    jst_requests: n.jst,
    jdy_requests: n.jdy,
    jst_bound_s: round(jstBound),
    jdy_bound_s: round(jdyBound),
    binding: jstBound > jdyBound ? 'jst' : 'jdy',
  }
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** What the job itself needs, independent of how any client goes about it. */
export interface JobNeeds {
  /** Bills the oracle expects: one save each. */
  readonly bills: number
  /** Count orders the source query returns (the server filters by status). */
  readonly sourceOrders: number
  /** Days of data; the count query accepts at most 7 days per call, so at least ceil(days / 7) pages. */
  readonly days: number
  /** JDY master-data rows (materials + stores), read at the largest page (100). */
  readonly materials: number
  readonly stores: number
}

export interface JobBound {
  readonly bound_s: number
  readonly jst_pages: number
  readonly jdy_calls: number
  readonly jst_bound_s: number
  readonly jdy_bound_s: number
  readonly binding: 'jst' | 'jdy'
}

/**
 * The quota bound of the job (issue 11): one save per bill plus the fewest source and master-data
 * pages that can carry the data (50 count orders a page, 100 master rows a page), at the given
 * quota, plus one call latency. Unlike {@link quotaBound} it does not count the requests a client
 * chose to make, so a client that spends three calls per bill is measured against one.
 *
 * The job also needs one JDY read it cannot do without: the save answer carries no bill status
 * and whether `operation_key: audit` audits on save is unknown (spec §4.1), so the bills must be
 * confirmed audited. The fewest calls that can do it is one list of the unaudited (`Z`) bills over
 * the job's bill dates, which is empty when every save audited: one call, counted here. Token calls
 * are not counted: they have a limit of their own (2/min), outside the book's minute.
 */
export function jobBound(job: JobNeeds, limits: QuotaLimits, latencyMs: number): JobBound {
  const jstPages = Math.max(Math.ceil(job.sourceOrders / 50), Math.ceil(job.days / 7))
  const auditRead = job.bills > 0 ? 1 : 0
  const jdyCalls =
    job.bills + auditRead + Math.max(1, Math.ceil(job.materials / 100)) + Math.max(1, Math.ceil(job.stores / 100))
  const jstBound = Math.max(jstPages / limits.jst.perSecond, (jstPages / limits.jst.perMinute) * 60)
  const jdyBound = (jdyCalls / limits.jdy.perMinute) * 60
  return {
    bound_s: Math.max(jstBound, jdyBound) + latencyMs / 1000,
    jst_pages: jstPages,
    jdy_calls: jdyCalls,
    jst_bound_s: round(jstBound),
    jdy_bound_s: round(jdyBound),
    binding: jstBound > jdyBound ? 'jst' : 'jdy',
  }
}
