/**
 * Fault injection shared by both simulators. A rule names an endpoint, when it fires (scripted by
 * call index, or seeded-random by probability) and what happens. Transport faults are applied by
 * the HTTP helper (http.ts); a fault marked `afterCommit` lets the endpoint do its work first and
 * only then damages the response — the "the bill is stored but the client never hears" case.
 */
import { createRng, type Rng } from './prng.js'

/** What goes wrong. All durations are real milliseconds (not simulated time). */
export type Fault =
  /** Extra delay before handling; combines with any other fault. */
  | { readonly kind: 'latency'; readonly ms: number; readonly jitterMs?: number }
  /** HTTP 502/503/504 (or any status) with an HTML gateway page instead of the API reply. */
  | { readonly kind: 'http_error'; readonly status: number; readonly afterCommit?: boolean }
  /** The TCP connection is destroyed without a reply. */
  | { readonly kind: 'reset'; readonly afterCommit?: boolean }
  /** The reply is held for `ms` (longer than the client timeout) and then sent. */
  | { readonly kind: 'hang'; readonly ms: number; readonly afterCommit?: boolean }
  /** HTTP 200 with the real reply cut short (always after the endpoint ran). */
  | { readonly kind: 'truncated' }
  /** HTTP 200 with a body that is not JSON (always after the endpoint ran). */
  | { readonly kind: 'non_json' }
  /** A vendor-specific reply, e.g. `{code:150,…}` or a forced 199; sent instead of the real one. */
  | { readonly kind: 'vendor'; readonly body: unknown; readonly status?: number; readonly afterCommit?: boolean }

export type FaultKind = Fault['kind']

/** When a rule fires. Call indexes are 1-based and count the calls that match the rule's endpoint. */
export type FaultTrigger =
  | { readonly calls: readonly number[] }
  /** Calls from..to inclusive (to omitted: forever). */
  | { readonly from: number; readonly to?: number }
  /** Each matching call fires with this probability, drawn from the engine's seeded PRNG. */
  | { readonly probability: number }
  | { readonly always: true }

export interface FaultRule {
  /** `*`, a path (`/open/sku/query`) or `METHOD path` (`POST /jdy/v2/scm/inv_check_loss_bill`). */
  readonly endpoint: string
  readonly when: FaultTrigger
  readonly fault: Fault
  /** Stop after firing this many times. */
  readonly times?: number
  /** Optional label shown in the log reason (`fault:<label>`). */
  readonly label?: string
}

/** What the engine decided for one request. */
export interface FaultDecision {
  /** Total latency to add before handling (sum of matching latency rules, jitter drawn). */
  readonly latencyMs: number
  /** At most one non-latency fault: the first matching rule wins. */
  readonly fault?: Fault
  readonly label?: string
}

/** Holds the active rules and their call counters. */
export class FaultEngine {
  private rules: { rule: FaultRule; calls: number; fired: number }[] = []
  private rng: Rng

  constructor(private readonly seed: number | string = 0) {
    this.rng = createRng(`faults/${String(seed)}`)
  }

  /** Replace all rules (counters restart). */
  set(rules: readonly FaultRule[]): void {
    validateRules(rules)
    this.rules = rules.map((rule) => ({ rule, calls: 0, fired: 0 }))
  }

  /** Add rules after the existing ones. */
  add(...rules: FaultRule[]): void {
    validateRules(rules)
    this.rules.push(...rules.map((rule) => ({ rule, calls: 0, fired: 0 })))
  }

  clear(): void {
    this.rules = []
    this.rng = createRng(`faults/${String(this.seed)}`)
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule)
  }

  /** Decide for one request; advances the call counters of every matching rule. */
  decide(method: string, path: string): FaultDecision {
    let latencyMs = 0
    let fault: Fault | undefined
    let label: string | undefined
    for (const r of this.rules) {
      if (!matches(r.rule.endpoint, method, path)) continue
      r.calls++
      if (r.rule.times !== undefined && r.fired >= r.rule.times) continue
      if (!this.triggers(r.rule.when, r.calls)) continue
      if (r.rule.fault.kind === 'latency') {
        r.fired++
        const j = r.rule.fault.jitterMs ?? 0
        latencyMs += Math.max(0, r.rule.fault.ms + (j > 0 ? this.rng.int(-j, j) : 0))
      } else if (fault === undefined) {
        r.fired++
        fault = r.rule.fault
        label = r.rule.label ?? r.rule.fault.kind
      }
    }
    return { latencyMs, ...(fault === undefined ? {} : { fault, label }) }
  }

  private triggers(when: FaultTrigger, call: number): boolean {
    if ('calls' in when) return when.calls.includes(call)
    if ('from' in when) return call >= when.from && (when.to === undefined || call <= when.to)
    if ('probability' in when) return this.rng.chance(when.probability)
    return true
  }
}

function matches(endpoint: string, method: string, path: string): boolean {
  return endpoint === '*' || endpoint === path || endpoint === `${method.toUpperCase()} ${path}`
}

const KINDS = new Set<FaultKind>(['latency', 'http_error', 'reset', 'hang', 'truncated', 'non_json', 'vendor'])

/** Rules arrive over the admin API as JSON: check the shape so a typo fails loudly, not silently. */
export function validateRules(rules: readonly unknown[]): asserts rules is FaultRule[] {
  rules.forEach((r, i) => {
    const at = `rules[${i}]`
    if (typeof r !== 'object' || r === null) throw new TypeError(`${at} must be an object`)
    const rule = r as Record<string, unknown>
    if (typeof rule.endpoint !== 'string') throw new TypeError(`${at}.endpoint must be a string`)
    const when = rule.when as Record<string, unknown> | undefined
    if (
      typeof when !== 'object' ||
      when === null ||
      !(
        Array.isArray(when.calls) ||
        typeof when.from === 'number' ||
        typeof when.probability === 'number' ||
        when.always === true
      )
    ) {
      throw new TypeError(`${at}.when must be {calls:[…]}, {from,to?}, {probability} or {always:true}`)
    }
    const fault = rule.fault as Record<string, unknown> | undefined
    if (typeof fault !== 'object' || fault === null || !KINDS.has(fault.kind as FaultKind)) {
      throw new TypeError(`${at}.fault.kind must be one of ${[...KINDS].join(', ')}`)
    }
    const ms = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0
    if (
      fault.kind === 'http_error' &&
      !(Number.isInteger(fault.status) && (fault.status as number) >= 100 && (fault.status as number) <= 599)
    ) {
      throw new TypeError(`${at}.fault.status must be an HTTP status (100–599)`)
    }
    if ((fault.kind === 'hang' || fault.kind === 'latency') && !ms(fault.ms))
      throw new TypeError(`${at}.fault.ms must be a number ≥ 0`)
    if (fault.kind === 'vendor' && !('body' in fault)) throw new TypeError(`${at}.fault.body is required`)
  })
}
