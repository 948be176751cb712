/**
 * One mapping from Ferry errors to HTTP: a code with a meaning HTTP has a status for (not found,
 * conflict, unauthenticated, forbidden) gets that status; every other error gets its kind's
 * status. The body is always `{code, message, details}`; `details.kind` carries the kind and
 * `details.location` the JSON path where there is one.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isFerryError, toFerryError, type ErrorKind, type FerryError } from '../core/errors.js'
import { BadRequest, RequestInvalid } from './errors.js'

const BY_CODE: Readonly<Record<string, number>> = {
  ERR_AUTH_REQUIRED: 401,
  ERR_AUTH_LOGIN_FAILED: 401,
  ERR_AUTH_FORBIDDEN: 403,
  ERR_AUTH_CSRF: 403,
  ERR_API_ROUTE_NOT_FOUND: 404,
  ERR_API_NOT_FOUND: 404,
  ERR_STORE_NOT_FOUND: 404,
  ERR_LEDGER_RECORD_NOT_FOUND: 404,
  ERR_RECORD_NOT_FOUND: 404,
  ERR_UNKNOWN_SCHEME: 404,
  ERR_ALERT_UNKNOWN_CHANNEL: 404,
  ERR_API_CONFLICT: 409,
  ERR_SCHEME_BUSY: 409,
  ERR_SCHEME_PAUSED: 409,
  ERR_LEDGER_RECORD_SETTLED: 409,
}

const BY_KIND: Readonly<Record<ErrorKind, number>> = {
  user: 400,
  config: 422,
  data: 422,
  rate_limited: 429,
  transient: 503,
  system: 500,
}

export function httpStatus(e: Pick<FerryError, 'code' | 'kind'>): number {
  return BY_CODE[e.code] ?? BY_KIND[e.kind]
}

export interface ErrorBody {
  code: string
  message: string
  details: Record<string, unknown>
}

export function errorBody(e: FerryError): ErrorBody {
  return {
    code: e.code,
    message: e.message,
    details: { kind: e.kind, ...(e.location === undefined ? {} : { location: e.location }), ...e.details },
  }
}

/** Fastify's own errors (schema validation, body parsing) become coded Ferry errors. */
export function fromFastifyError(err: FastifyError): FerryError {
  if (err.validation !== undefined) {
    const where = err.validationContext ?? 'request'
    const errors = err.validation.map((v) => ({
      path: `${where}${v.instancePath.replace(/\//g, '.')}`,
      message: v.message ?? v.keyword,
    }))
    return RequestInvalid([where, `${errors[0]?.path ?? where} ${errors[0]?.message ?? ''}`.trim()], {
      details: { errors },
      ...(errors[0] === undefined ? {} : { location: errors[0].path }),
    })
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return BadRequest([err.message], { details: { status: err.statusCode } })
  }
  return toFerryError(err)
}

export function sendError(req: FastifyRequest, reply: FastifyReply, e: unknown): FastifyReply {
  const fe = isFastifyError(e) ? fromFastifyError(e) : toFerryError(e)
  const status =
    fe.code === BadRequest.code && typeof fe.details.status === 'number' ? fe.details.status : httpStatus(fe)
  if (status >= 500)
    req.log.error(
      { err: { code: fe.code, message: fe.message, stack: e instanceof Error ? e.stack : undefined } },
      'request failed',
    )
  else req.log.info({ code: fe.code, status }, 'request refused')
  const retry = fe.details.retryAfterSeconds
  if (typeof retry === 'number') void reply.header('retry-after', String(retry))
  return reply.status(status).type('application/json; charset=utf-8').send(errorBody(fe))
}

/** An error Fastify raised itself (validation, parsing), not one of ours. */
function isFastifyError(e: unknown): e is FastifyError {
  if (isFerryError(e) || !(e instanceof Error)) return false
  const f = e as FastifyError
  return f.validation !== undefined || (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500)
}
