/**
 * The seeded fault schedule of one chaos seed: a few "rounds", each a set of fault rules for both
 * simulators, some one-off events (token revocation, appSecret rotation, page drift, visibility
 * lag) and an optional SIGKILL point for the `ferry run` child. The plan is a pure function of
 * the seed, so `--seed N` replays the same schedule (process timing can still interleave
 * differently; the fault rules themselves draw from the simulators' seeded PRNGs).
 */
import type { FaultRule } from '../../simulators/common/faults.js'
import { createRng, type Rng } from '../../simulators/common/prng.js'

export const COUNT = '/open/inventory/count/query'
export const SAVE_PATH = '/jdy/v2/scm/inv_check_loss_bill'
export const SAVE = `POST ${SAVE_PATH}`
export const DETAIL = '/jdy/v2/scm/inv_check_loss_bill_detail'

/** How long a held ("hung") reply waits; the test config sets the JDY client timeout below it. */
export const HANG_MS = 4_000
export const JDY_TIMEOUT_MS = 1_500

/** When the `ferry run` child of a round is killed with SIGKILL (or never). */
export type KillPoint =
  | { readonly after: 'count_pages'; readonly n: number }
  | { readonly after: 'save_calls'; readonly n: number }
  | { readonly after: 'bills_committed'; readonly n: number }
  | { readonly after: 'none' }

/** One-off disturbances fired while a round runs, when the JDY save counter reaches `atSave`. */
export type ChaosEvent =
  | { readonly kind: 'jdy_revoke_tokens'; readonly atSave: number }
  | { readonly kind: 'jdy_rotate_secret'; readonly atSave: number }
  | { readonly kind: 'jst_revoke_tokens'; readonly atRequest: number }
  /** After page `pageIndex` of any count query, move a not-yet-read order to a later `modified`. */
  | { readonly kind: 'jst_page_drift'; readonly pageIndex: number; readonly shiftSeconds: number }

export interface Round {
  readonly jst: FaultRule[]
  readonly jdy: FaultRule[]
  readonly events: ChaosEvent[]
  /** JST visibility lag (simulated ms) during this round; 0 = none. */
  readonly visibilityDelayMs: number
  readonly kill: KillPoint
}

export interface ChaosPlan {
  readonly seed: number
  readonly rounds: Round[]
}

/** Every kind of disturbance the schedule can draw, for the docs and the coverage test. */
export const INJECTED = [
  'jst_199_burst',
  'jst_200_burst',
  'http_5xx',
  'reset',
  'truncated',
  'jdy_reset_after_commit',
  'jdy_timeout_after_commit',
  'jdy_truncated_after_commit',
  'jdy_probe_5xx',
  'jdy_revoke_tokens',
  'jdy_rotate_secret',
  'jst_revoke_tokens',
  'jst_page_drift',
  'jst_visibility_lag',
  'sigkill',
] as const

const p = (rng: Rng, lo: number, hi: number) => Math.round((lo + rng.next() * (hi - lo)) * 1000) / 1000

function jstRules(rng: Rng): FaultRule[] {
  const rules: FaultRule[] = []
  if (rng.chance(0.6)) {
    const at = rng.int(1, 6)
    const code = rng.chance(0.5) ? 199 : 200
    const msg = code === 199 ? '调用太频繁，请稍后再试!' : '调用频次超过限制!'
    rules.push({
      endpoint: COUNT,
      when: { calls: [at, at + 1, at + 2].slice(0, rng.int(1, 3)) },
      label: `jst_${code}_burst`,
      fault: { kind: 'vendor', body: { code, msg, data: null } },
    })
  }
  if (rng.chance(0.6))
    rules.push({
      endpoint: COUNT,
      when: { probability: p(rng, 0.03, 0.12) },
      fault: { kind: 'http_error', status: rng.pick([502, 503, 504]) },
    })
  if (rng.chance(0.5))
    rules.push({ endpoint: COUNT, when: { probability: p(rng, 0.02, 0.08) }, fault: { kind: 'reset' } })
  if (rng.chance(0.5))
    rules.push({ endpoint: COUNT, when: { probability: p(rng, 0.02, 0.08) }, fault: { kind: 'truncated' } })
  return rules
}

function jdyRules(rng: Rng): FaultRule[] {
  const rules: FaultRule[] = []
  // Timeout-after-commit is the fault exactly-once is about: (almost) every round has one.
  if (rng.chance(0.85)) {
    rules.push({
      endpoint: SAVE,
      when: { calls: [rng.int(1, 4), rng.int(5, 12)] },
      label: 'jdy_timeout_after_commit',
      fault: { kind: 'hang', ms: HANG_MS, afterCommit: true },
    })
  }
  if (rng.chance(0.7))
    rules.push({
      endpoint: SAVE,
      when: { probability: p(rng, 0.04, 0.12) },
      label: 'jdy_reset_after_commit',
      fault: { kind: 'reset', afterCommit: true },
    })
  if (rng.chance(0.4))
    rules.push({
      endpoint: SAVE,
      when: { probability: p(rng, 0.02, 0.06) },
      label: 'jdy_truncated_after_commit',
      fault: { kind: 'truncated' },
    })
  if (rng.chance(0.5))
    rules.push({
      endpoint: SAVE,
      when: { probability: p(rng, 0.03, 0.08) },
      fault: { kind: 'http_error', status: rng.pick([502, 503, 504]) },
    })
  if (rng.chance(0.5))
    rules.push({
      endpoint: DETAIL,
      when: { probability: p(rng, 0.03, 0.1) },
      label: 'jdy_probe_5xx',
      fault: { kind: 'http_error', status: rng.pick([502, 503]) },
    })
  return rules
}

function events(rng: Rng): ChaosEvent[] {
  const out: ChaosEvent[] = []
  if (rng.chance(0.35)) out.push({ kind: 'jdy_revoke_tokens', atSave: rng.int(1, 8) })
  if (rng.chance(0.3)) out.push({ kind: 'jdy_rotate_secret', atSave: rng.int(1, 8) })
  if (rng.chance(0.3)) out.push({ kind: 'jst_revoke_tokens', atRequest: rng.int(1, 6) })
  if (rng.chance(0.6)) out.push({ kind: 'jst_page_drift', pageIndex: 1, shiftSeconds: rng.int(1, 1800) })
  return out
}

function killPoint(rng: Rng): KillPoint {
  const r = rng.next()
  if (r < 0.2) return { after: 'count_pages', n: rng.int(1, 3) }
  if (r < 0.45) return { after: 'save_calls', n: rng.int(1, 10) }
  if (r < 0.75) return { after: 'bills_committed', n: rng.int(1, 10) }
  return { after: 'none' }
}

/** The schedule for one seed: `rounds` disturbed runs (default 3). */
export function chaosPlan(seed: number, rounds = 3): ChaosPlan {
  const rng = createRng(`chaos/${seed}`)
  return {
    seed,
    rounds: Array.from({ length: rounds }, (_, i) => {
      const r = rng.fork(`round-${i}`)
      return {
        jst: jstRules(r),
        jdy: jdyRules(r),
        events: events(r),
        visibilityDelayMs: r.chance(0.4) ? r.int(200, 2000) : 0,
        kill: killPoint(r),
      }
    }),
  }
}

/** One line per round, for logs and failure messages. */
export function describePlan(plan: ChaosPlan): string[] {
  return plan.rounds.map((r, i) => {
    const labels = [...r.jst, ...r.jdy].map(
      (x) => x.label ?? (x.fault.kind === 'http_error' ? `http_${x.fault.status}` : x.fault.kind),
    )
    const ev = r.events.map((e) => e.kind)
    const kill = r.kill.after === 'none' ? 'no kill' : `SIGKILL after ${r.kill.n} ${r.kill.after}`
    return `round ${i + 1}: ${[...labels, ...ev, ...(r.visibilityDelayMs > 0 ? [`visibility_lag ${r.visibilityDelayMs}ms`] : [])].join(', ') || 'no faults'}; ${kill}`
  })
}
