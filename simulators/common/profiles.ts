/**
 * Named fault profiles for `ferry sandbox --profile` and the admin API, defined in one place for
 * both simulators. Rules name endpoints of either vendor; a rule for a path a simulator does not
 * serve simply never fires there.
 */
import type { FaultRule } from './faults.js'

export const PROFILE_NAMES = ['calm', 'realistic', 'hostile'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

const JDY_SAVE = 'POST /jdy/v2/scm/inv_check_loss_bill'

const PROFILES: Record<ProfileName, readonly FaultRule[]> = {
  /** No faults at all: functional demos and the quick start. */
  calm: [],
  /** What a good day on the public internet looks like: some latency, rare gateway errors. */
  realistic: [
    { endpoint: '*', when: { always: true }, fault: { kind: 'latency', ms: 30, jitterMs: 25 } },
    { endpoint: '*', when: { probability: 0.01 }, fault: { kind: 'http_error', status: 502 } },
    { endpoint: '*', when: { probability: 0.005 }, fault: { kind: 'http_error', status: 504 } },
    { endpoint: '*', when: { probability: 0.003 }, fault: { kind: 'reset' } },
    {
      endpoint: JDY_SAVE,
      when: { probability: 0.005 },
      fault: { kind: 'reset', afterCommit: true },
      label: 'reset_after_commit',
    },
  ],
  /** Everything that can go wrong, often: for reliability tests and soak runs. */
  hostile: [
    { endpoint: '*', when: { always: true }, fault: { kind: 'latency', ms: 80, jitterMs: 70 } },
    { endpoint: '*', when: { probability: 0.04 }, fault: { kind: 'http_error', status: 502 } },
    { endpoint: '*', when: { probability: 0.03 }, fault: { kind: 'http_error', status: 503 } },
    { endpoint: '*', when: { probability: 0.02 }, fault: { kind: 'http_error', status: 504 } },
    { endpoint: '*', when: { probability: 0.02 }, fault: { kind: 'reset' } },
    { endpoint: '*', when: { probability: 0.02 }, fault: { kind: 'truncated' } },
    { endpoint: '*', when: { probability: 0.02 }, fault: { kind: 'non_json' } },
    {
      endpoint: '/open/inventory/count/query',
      when: { probability: 0.02 },
      fault: { kind: 'vendor', body: { code: 150, msg: '内部处理异常！', data: null } },
      label: 'jst_150',
    },
    {
      endpoint: '/open/inventory/count/query',
      when: { probability: 0.03 },
      fault: { kind: 'vendor', body: { code: 199, msg: '调用太频繁，请稍后再试!', data: null } },
      label: 'jst_199',
    },
    {
      endpoint: JDY_SAVE,
      when: { probability: 0.03 },
      fault: { kind: 'reset', afterCommit: true },
      label: 'reset_after_commit',
    },
    {
      endpoint: JDY_SAVE,
      when: { probability: 0.02 },
      fault: { kind: 'hang', ms: 65_000, afterCommit: true },
      label: 'timeout_after_commit',
    },
  ],
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name)
}

/** The rules of a named profile (a fresh copy). */
export function faultProfile(name: ProfileName): FaultRule[] {
  return PROFILES[name].map((r) => ({ ...r }))
}
