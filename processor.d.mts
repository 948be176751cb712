/**
 * Types of `ferry/processor`: the contract of a custom processor (docs/processors.md). This file
 * is the single definition; src/processors/define.ts re-exports it for Ferry's own code.
 */

/** Fields of a source document, a stored record or a payload. */
export type Json = Record<string, unknown>

/** What a hook may log; every line carries the scheme, processor, hook and (when there is one) record id. */
export interface ProcessorLog {
  debug(msg: string, fields?: Json): void
  info(msg: string, fields?: Json): void
  warn(msg: string, fields?: Json): void
  error(msg: string, fields?: Json): void
}

export interface HookContext {
  /** The scheme id. */
  readonly scheme: string
  /** The record id this call is about (source id; the first record of a write unit). */
  readonly recordId?: string
  /** Every record of the write unit (beforeWrite, afterWrite). */
  readonly recordIds?: readonly string[]
  readonly log: ProcessorLog
  /** Aborted when the hook's time limit has passed: stop work and return. */
  readonly signal: AbortSignal
}

/** The target's answer to a write, as afterWrite sees it. */
export interface WriteAnswer {
  readonly kind: 'ok' | 'already_exists' | 'rate_limited' | 'transient' | 'data' | 'config' | 'unknown_outcome'
  readonly targetId?: string
  readonly response?: unknown
  readonly message?: string
}

type MaybePromise<T> = T | Promise<T>

export interface ProcessorHooks {
  /** The rendered source request of one window (or remedy run); return the request to send. */
  beforeRequest?(request: Json, ctx: HookContext): MaybePromise<Json | void>
  /** One page of raw source documents, before condition and beatFlat; return the page to keep. */
  afterFetch?(rows: Json[], ctx: HookContext): MaybePromise<Json[] | void>
  /**
   * One record after condition and beatFlat, before it is stored. Return the record, several
   * records (a split: give each its own id, or Ferry appends -1, -2 …), or null to drop it.
   */
  beforeStore?(record: Json, ctx: HookContext): MaybePromise<Json | Json[] | null | void>
  /** The mapped payload of one write unit; return the payload to write. */
  beforeWrite?(payload: Json, ctx: HookContext & { readonly record: Json }): MaybePromise<Json | void>
  /**
   * The target's answer. Return changes to it (e.g. `{kind: 'data', message}` for a vendor that
   * answers success with an error text); `unknown_outcome` cannot be changed: it must be probed.
   */
  afterWrite?(
    answer: WriteAnswer,
    ctx: HookContext & { readonly payload: Json; readonly key: string },
  ): MaybePromise<Partial<WriteAnswer> | void>
}

export type HookName = 'beforeRequest' | 'afterFetch' | 'beforeStore' | 'beforeWrite' | 'afterWrite'

export interface ProcessorDefinition extends ProcessorHooks {
  /** Shown in logs and errors. */
  readonly name: string
  /** Time limit of each hook call in milliseconds (default: the configuration's, 5000). */
  readonly timeoutMs?: number
  /**
   * Run the hooks in a worker thread (default false): a hook stuck in a synchronous loop is then
   * stopped at its time limit too. Inputs and results cross as structured clones (docs/processors.md).
   */
  readonly isolate?: boolean
}

/** Identity helper that type-checks a processor. */
export declare function defineProcessor<P extends ProcessorDefinition>(p: P): P
