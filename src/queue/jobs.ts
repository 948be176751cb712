/**
 * What travels through the queues: one job names a scheme and what to do with it (a stage, a part
 * of a split target stage, a reconciliation, an optional range), never a secret or a record. The
 * worker resolves everything else from its own configuration and the shared store.
 */
import { Redis } from 'ioredis'
import type { Stage } from '../engine/ports.js'
import type { QueueSettings } from '../config/queue.js'

/** Job kinds; each has a queue of its own so workers can be sized (or dedicated) per kind. */
export const JOB_KINDS = ['source', 'target', 'remedy', 'reconcile'] as const
export type JobKind = (typeof JOB_KINDS)[number]

export interface FerryJobData {
  readonly schemeId: string
  readonly kind: JobKind
  /** Set on target jobs when `queue.targetParts` > 1: which part of the stage this job runs. */
  readonly part?: { readonly index: number; readonly of: number }
  /** An explicit source range (ISO times), for a backfill put on the queue. */
  readonly range?: { readonly from?: string; readonly to?: string }
}

/** What a finished job reports (kept by BullMQ with the completed job). */
export interface FerryJobResult {
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly runId?: string
  readonly reason?: string
  readonly code?: string
}

export const queueName = (kind: JobKind): string => `ferry-${kind}`

export function isJobKind(v: string): v is JobKind {
  return (JOB_KINDS as readonly string[]).includes(v)
}

/** The engine stage of a run job (reconcile is not a run stage). */
export function stageOf(kind: Exclude<JobKind, 'reconcile'>): Stage {
  return kind
}

/**
 * A Redis connection for BullMQ. Workers block on Redis, so commands must wait for a reconnect
 * instead of failing after a few retries (`maxRetriesPerRequest: null`, as BullMQ requires).
 */
export function redisConnection(q: QueueSettings, name: string): Redis {
  return new Redis(q.redisUrl, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false })
}

/** The Redis URL with any password masked, for logs and health output. */
export function redactedRedisUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return '(invalid URL)'
  }
}
