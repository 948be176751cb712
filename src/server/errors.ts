/**
 * Errors of the HTTP service: authentication, roles, CSRF, sign-in throttling and request
 * validation. Every other error a route meets keeps its own code; src/server/http-errors.ts maps
 * each code (or its kind) to an HTTP status.
 */
import { defineError } from '../core/errors.js'

export const AuthRequired = defineError(
  {
    code: 'ERR_AUTH_REQUIRED',
    kind: 'user',
    meaning: 'The request carries no valid credentials (no API token, no live session).',
    fix: 'Send `Authorization: Bearer <token>` (create one with `ferry token create`) or sign in at POST /api/v1/auth/login.',
  },
  (why: string) => `authentication required: ${why}`,
)

export const LoginFailed = defineError(
  {
    code: 'ERR_AUTH_LOGIN_FAILED',
    kind: 'user',
    meaning: 'The user name or the password is wrong, or the account is disabled.',
    fix: 'Check the name and password; an admin can reset it (PATCH /api/v1/users/{id}) or `ferry user add` a new account.',
  },
  () => 'user name or password is wrong',
)

export const Forbidden = defineError(
  {
    code: 'ERR_AUTH_FORBIDDEN',
    kind: 'user',
    meaning: 'The caller is signed in, but its role may not do this.',
    fix: 'Ask an admin for a token or account with the role named in the message (viewer < operator < admin).',
  },
  (role: string, needed: string, action: string) => `role ${role} may not ${action}; it needs ${needed}`,
)

export const CsrfInvalid = defineError(
  {
    code: 'ERR_AUTH_CSRF',
    kind: 'user',
    meaning: 'A state-changing request signed in by session cookie lacks the matching X-CSRF-Token header.',
    fix: 'Send the csrfToken returned at sign-in (also in the ferry_csrf cookie) as the X-CSRF-Token header; programs use API tokens instead.',
  },
  () => 'the X-CSRF-Token header is missing or does not match this session',
)

export const LoginThrottled = defineError(
  {
    code: 'ERR_AUTH_LOGIN_THROTTLED',
    kind: 'rate_limited',
    meaning: 'Too many failed sign-ins from this address or for this user in a short time.',
    fix: 'Wait for the time in `details.retryAfterSeconds` (also the Retry-After header) and try again.',
  },
  (seconds: number) => `too many failed sign-ins; try again in ${seconds} s`,
)

export const RequestInvalid = defineError(
  {
    code: 'ERR_API_REQUEST_INVALID',
    kind: 'user',
    meaning: "The request body, query or path parameters do not match the route's schema; nothing was changed.",
    fix: 'Correct the fields listed in `details.errors` (each with its JSON path); the schemas are in /openapi.json.',
  },
  (where: string, first: string) => `invalid ${where}: ${first}`,
)

export const BadRequest = defineError(
  {
    code: 'ERR_API_BAD_REQUEST',
    kind: 'user',
    meaning: 'The request could not be read (malformed JSON, wrong content type, body too large).',
    fix: 'Send a JSON body with `Content-Type: application/json` under the size limit.',
  },
  (detail: string) => detail,
)

export const RouteNotFound = defineError(
  {
    code: 'ERR_API_ROUTE_NOT_FOUND',
    kind: 'user',
    meaning: 'No route answers this method and path.',
    fix: 'Check the path against /openapi.json (every route is listed there).',
  },
  (method: string, path: string) => `no route ${method} ${path}`,
)

export const NotFound = defineError(
  {
    code: 'ERR_API_NOT_FOUND',
    kind: 'user',
    meaning: 'The run, job, user, token, connection or console file named in the path does not exist.',
    fix: 'List the resources (GET on the collection) and use one of their ids.',
  },
  (what: string, id: string) => `${what} "${id}" does not exist`,
)

export const Conflict = defineError(
  {
    code: 'ERR_API_CONFLICT',
    kind: 'user',
    meaning:
      'The request conflicts with the current state (a user name taken, a connector changed on an existing connection).',
    fix: 'Read the message, then choose another name or delete the existing resource first.',
  },
  (detail: string) => detail,
)

export const ConnectionSettingsInvalid = defineError(
  {
    code: 'ERR_API_CONNECTION_SETTINGS',
    kind: 'user',
    meaning: "A connection's settings do not fit its connector (unknown field, wrong type, missing required field).",
    fix: 'Use the fields the connector declares (GET /api/v1/connectors lists them); secrets may be left out on update to keep the stored ones.',
  },
  (detail: string) => detail,
)

export const ServeOption = defineError(
  {
    code: 'ERR_SERVE_OPTION',
    kind: 'user',
    meaning: 'An option of `ferry serve`, `ferry user add` or `ferry token create` is not valid.',
    fix: 'Correct the option named in the message (`ferry <command> --help` lists them).',
  },
  (option: string, detail: string) => `${option}: ${detail}`,
)

export const SchemeVersionInvalid = defineError(
  {
    code: 'ERR_API_SCHEME_INVALID',
    kind: 'user',
    meaning: 'A new scheme version was refused: the definition has validation errors; no version was saved.',
    fix: 'Correct each problem in `details.errors` (each with its JSON path in `location`) and save again; POST /api/v1/schemes/validate checks without saving.',
  },
  (count: number, first: string) => `the definition has ${count} validation error(s); first: ${first}`,
)
