/**
 * Reading JDY answers: the business envelope `{errcode, description, data}` and the
 * push_app_authorize variant `{code: 200, msg, data}` (spec §3.1, §1.1). Types are loose on the
 * wire (numeric strings, string booleans), so everything is normalised here, once.
 */
import { MAX_JSON_DEPTH, depthProblem } from '../../core/limits.js'
import type { HttpResult } from '../http/client.js'
import { JdyBillRejected, JdyGatewayRejected, JdyResponseInvalid, JdyUnknownOutcome } from './errors.js'

/** A parsed JDY answer; `errcode` 0 means success whatever envelope it came in. */
export interface JdyAnswer {
  readonly status: number
  readonly errcode: number
  readonly description: string
  readonly data: unknown
  readonly retryAfter?: string
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Parse an envelope; undefined when the body is not one (no errcode and no code). */
export function readEnvelope(status: number, body: unknown, retryAfter?: string): JdyAnswer | undefined {
  if (!isRecord(body)) return undefined
  const rawCode = body.errcode ?? body.code
  if (rawCode === undefined || rawCode === null || rawCode === '') return undefined
  const n = Number(rawCode)
  if (!Number.isFinite(n)) return undefined
  // The authorize variant reports success as code 200; a business errcode is never 200.
  const errcode = body.errcode === undefined && n === 200 ? 0 : n
  const description =
    [body.description, body.msg, body.description_cn, body.descriptionCn].find(
      (d): d is string => typeof d === 'string' && d !== '',
    ) ?? ''
  return { status, errcode, description, data: body.data, ...(retryAfter === undefined ? {} : { retryAfter }) }
}

/** A string id or number from a loosely typed field; undefined for empty values. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

/** `count`/`total_page` arrive as numbers or numeric strings. */
export function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? Math.trunc(n) : undefined
}

/**
 * The answer in an HTTP result, or a classified error when there is none: a 4xx without an
 * envelope is a definitive refusal (never an unknown outcome); anything else unreadable after a
 * save was sent may hide a committed bill, so it is `unknown_outcome`.
 */
export function answerOf(path: string, res: HttpResult, idempotent: boolean): JdyAnswer {
  let body: unknown
  try {
    body = JSON.parse(res.text) as unknown
  } catch {
    body = undefined
  }
  // Checked at the door, as for every vendor answer (http/classify.ts): what reads the answer
  // after this (redaction, the ledger, mapping) may recurse.
  const deep = depthProblem(body)
  const answer = deep === undefined ? readEnvelope(res.status, body, res.headers['retry-after']) : undefined
  if (answer !== undefined) return answer
  const details = { status: res.status, path }
  // An answer too deep to read says nothing about the status either: a write may have landed.
  if (deep === undefined && res.status === 413) {
    throw JdyBillRejected(['HTTP 413', 'the request body is larger than JDY accepts'], {
      details: { ...details, outcome: 'data' },
    })
  }
  if (deep === undefined && res.status >= 400 && res.status < 500) {
    throw JdyGatewayRejected(
      [`HTTP ${res.status}`, `${path} refused without a JDY answer; check baseUrl and the API path`],
      { details: { ...details, outcome: 'config' } },
    )
  }
  const problem =
    deep !== undefined
      ? `nested deeper than ${MAX_JSON_DEPTH} levels at ${deep.path}`
      : res.text.trim() === ''
        ? 'empty body'
        : body === undefined
          ? 'not JSON'
          : 'no errcode in the body'
  if (!idempotent) {
    throw JdyUnknownOutcome([path, `HTTP ${res.status} answered with ${problem}`], {
      details: { ...details, outcome: 'unknown_outcome' },
    })
  }
  throw JdyResponseInvalid([path, res.status, problem], { details: { ...details, outcome: 'transient' } })
}
