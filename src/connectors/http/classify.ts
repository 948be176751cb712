/**
 * Classification of everything that can go wrong between Ferry and a vendor, before the vendor's
 * own answer is even looked at. The one rule that matters most: once a write may have reached the
 * vendor, a failure is `unknown_outcome`, never plain "retry", because a blind retry of a write
 * can create a second document.
 */
import { isFerryError, type FerryError } from '../../core/errors.js'
import { MAX_ANSWER_BYTES, MAX_JSON_DEPTH, depthProblem } from '../../core/limits.js'
import type { OutcomeKind } from '../contract.js'
import {
  CallAborted,
  HttpBadBody,
  HttpBodyLimit,
  HttpConnectFailed,
  HttpInterrupted,
  HttpOutcomeUnknown,
  HttpRateLimited,
  HttpRejected,
  HttpServerError,
  HttpTimeout,
} from '../errors.js'

/** Error codes that mean the TCP/TLS connection never opened, so no byte of the request left. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

export interface CallFacts {
  /** `METHOD origin/path` with secrets scrubbed; used in messages. */
  readonly target: string
  /** Reads and other calls that are safe to repeat. False for writes. */
  readonly idempotent: boolean
  readonly timeoutMs: number
  readonly timedOut: boolean
  readonly userAborted: boolean
}

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return code
    cur = (cur as { cause?: unknown }).cause
  }
  return undefined
}

/** Turn an exception from the HTTP library into a classified FerryError. */
export function classifyTransportError(e: unknown, f: CallFacts, scrub: (s: string) => string): FerryError {
  if (isFerryError(e)) return e
  const code = errorCode(e)
  const reason = scrub(code ?? (e instanceof Error ? e.message : String(e)))
  if (code !== undefined && NOT_SENT_CODES.has(code)) {
    return HttpConnectFailed([f.target, reason], { details: { outcome: 'transient', errno: code } })
  }
  if (!f.idempotent) {
    const why = f.timedOut ? `no answer within ${f.timeoutMs} ms` : f.userAborted ? 'the call was cancelled' : reason
    return HttpOutcomeUnknown([f.target, why], {
      details: { outcome: 'unknown_outcome', ...(code ? { errno: code } : {}) },
    })
  }
  if (f.userAborted) return CallAborted([f.target], { details: { outcome: 'transient' } })
  if (f.timedOut) return HttpTimeout([f.target, f.timeoutMs], { details: { outcome: 'transient' } })
  return HttpInterrupted([f.target, reason], { details: { outcome: 'transient', ...(code ? { errno: code } : {}) } })
}

/** Parse a Retry-After header (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(header: string | undefined, nowMs: number, fallbackMs: number): number {
  if (header === undefined || header.trim() === '') return fallbackMs
  const secs = Number(header)
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000)
  const at = Date.parse(header)
  return Number.isNaN(at) ? fallbackMs : Math.max(0, at - nowMs)
}

/** Classify a non-2xx HTTP status; undefined means "not an error at this layer". */
export function classifyStatus(
  status: number,
  f: Pick<CallFacts, 'target' | 'idempotent'>,
  retryAfter: number,
  retryAfterGiven = false,
): FerryError | undefined {
  if (status >= 200 && status < 300) return undefined
  if (status === 429) {
    return HttpRateLimited([f.target, retryAfter], {
      details: { outcome: 'rate_limited', status, retryAfterMs: retryAfter, retryAfterGiven },
    })
  }
  if (status >= 500 && !f.idempotent) {
    // A gateway error after a write was sent says nothing about whether the backend applied it.
    return HttpOutcomeUnknown([f.target, `HTTP ${status}`], { details: { outcome: 'unknown_outcome', status } })
  }
  if (status >= 500 || status === 408)
    return HttpServerError([f.target, status], { details: { outcome: 'transient', status } })
  return HttpRejected([f.target, status], { details: { outcome: 'config', status } })
}

/**
 * Parse a JSON body; never throws a SyntaxError. HTML pages, empty and truncated bodies become
 * ERR_HTTP_BAD_BODY for reads and ERR_HTTP_OUTCOME_UNKNOWN for writes (the write may have landed).
 */
export function parseJsonBody(
  text: string,
  f: Pick<CallFacts, 'target' | 'idempotent'>,
  status: number,
  scrub: (s: string) => string,
): unknown {
  if (text.length > MAX_ANSWER_BYTES)
    return tooBig(f, `${text.length} characters, more than ${MAX_ANSWER_BYTES}`, status)
  const trimmed = text.trim()
  let problem: string
  if (trimmed === '') problem = 'empty body'
  else if (trimmed.startsWith('<')) problem = `an HTML page instead of JSON (HTTP ${status})`
  else {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed) as unknown
    } catch {
      parsed = NOT_JSON
    }
    if (parsed !== NOT_JSON) {
      // Checked here, at the door: everything downstream (hashing, mapping, redaction) may recurse.
      const deep = depthProblem(parsed)
      if (deep === undefined) return parsed
      return tooBig(f, `nested deeper than ${MAX_JSON_DEPTH} levels at ${deep.path}`, status)
    }
    problem = `not valid JSON (${text.length} bytes, starts ${JSON.stringify(scrub(trimmed.slice(0, 60)))})`
  }
  if (!f.idempotent) return failUnknown(f.target, problem, status)
  throw HttpBadBody([f.target, problem], { details: { outcome: 'transient', status } })
}

const NOT_JSON = Symbol('not JSON')

/** A write's answer past the limits may still mean the write landed: unknown outcome, never retried blindly. */
function tooBig(f: Pick<CallFacts, 'target' | 'idempotent'>, problem: string, status: number): never {
  if (!f.idempotent) return failUnknown(f.target, problem, status)
  throw HttpBodyLimit([f.target, problem], { details: { outcome: 'data', status } })
}

function failUnknown(target: string, problem: string, status: number): never {
  throw HttpOutcomeUnknown([target, `the answer was unreadable: ${problem}`], {
    details: { outcome: 'unknown_outcome', status },
  })
}

const KIND_OUTCOME: Record<FerryError['kind'], OutcomeKind> = {
  config: 'config',
  user: 'config',
  transient: 'transient',
  rate_limited: 'rate_limited',
  data: 'data',
  system: 'transient',
}

/**
 * The outcome an error stands for: `details.outcome` when the thrower set one (every transport
 * and vendor error does), otherwise derived from the kind. Target runtimes use it to build a
 * WriteOutcome from a caught error.
 */
export function outcomeOf(e: unknown): OutcomeKind {
  if (!isFerryError(e)) return 'transient'
  const o = (e.details as { outcome?: unknown }).outcome
  return typeof o === 'string' && o in OUTCOME_SET ? (o as OutcomeKind) : KIND_OUTCOME[e.kind]
}

const OUTCOME_SET: Record<OutcomeKind, true> = {
  ok: true,
  already_exists: true,
  rate_limited: true,
  transient: true,
  data: true,
  config: true,
  unknown_outcome: true,
}
