/**
 * What the target stage is given (target-stage.ts), in its own file so the stage's parts (the
 * ledger marks, the unit writer, the loop) share it without importing each other in a circle.
 */
import type { TargetRuntime } from '../connectors/contract.js'
import type { LookupEvents } from './lookup-cache.js'
import type { Clock, EngineLogger, EnginePorts, QualityChecks, RunCounters } from './ports.js'
import type { RetryPolicy } from './retry.js'

export interface TargetStageDeps {
  readonly ports: EnginePorts
  readonly clock: Clock
  readonly log: EngineLogger
  readonly runtime: TargetRuntime
  /**
   * Throws ERR_LEASE_LOST once the target lease no longer counts as held (lease-guard.ts): asked
   * before each write intent and right before each request leaves. The fenced store refuses a
   * stale holder's marks on its own; this stops the request, which the store cannot see.
   */
  readonly leaseCheck?: () => void
  /** Told before each claim, so lookups that missed are asked again for the new batch. */
  readonly lookups?: Pick<LookupEvents, 'batchClaimed'>
  readonly retry: RetryPolicy
  /** Writes in flight at once (the credential budget's in-flight limit). */
  readonly concurrency: number
  readonly batchSize?: number
  /** How long a claim holds; a crashed writer's records become claimable after it. */
  readonly claimTtlMs?: number
  readonly onUnit?: (c: RunCounters) => void
  readonly signal?: AbortSignal
  /** The run's checks of the scheme's `target.quality` rules, after the built-in ones. */
  readonly quality?: QualityChecks
  /** How the stage waits for throttled records (tests move a virtual clock); default a real timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** How long a claim holds (and a write intent renews it for). */
export function claimTtl(deps: TargetStageDeps): number {
  return deps.claimTtlMs ?? 300_000
}
