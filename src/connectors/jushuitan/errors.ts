/**
 * Error codes of the 聚水潭 (JST) connector. Vendor answers are mapped to these by the catalogue in
 * catalogue.ts; every error carries `details.vendorCode`/`details.outcome` where it applies, and
 * never a token, secret or signature.
 */
import { defineError } from '../../core/errors.js'

export const JstRateLimited = defineError(
  {
    code: 'ERR_JST_RATE_LIMITED',
    kind: 'rate_limited',
    meaning: '聚水潭 kept answering 199 (too many calls per second) or 200 (per-minute quota) after Ferry slowed down.',
    fix: "Nothing to fix for a burst; if it recurs, lower the jushuitan budget (perSecond/perMinute) to match the app's API permission package.",
  },
  (api: string, vendorCode: number, msg: string) => `聚水潭 throttled ${api} (code ${vendorCode}: ${msg})`,
)

export const JstTokenRejected = defineError(
  {
    code: 'ERR_JST_TOKEN',
    kind: 'config',
    meaning: '聚水潭 rejected the access_token (code 100) even after Ferry renewed it once.',
    fix: 'Check that app_key/app_secret belong to the authorised app; for an ISV app, have the merchant authorise again.',
  },
  (api: string, msg: string) => `聚水潭 rejected the access token on ${api} after a renewal: ${msg}`,
)

export const JstReauthorize = defineError(
  {
    code: 'ERR_JST_REAUTHORIZE',
    kind: 'config',
    meaning:
      'The 聚水潭 token cannot be renewed automatically: an ISV app may not refresh (code 150) or getInitToken is for self-built apps only (code 21024).',
    fix: 'Have the merchant authorise the app again and put the new access token in the connection, or set appType to match the app.',
  },
  (detail: string) => `聚水潭 needs a new authorisation: ${detail}`,
)

export const JstSignature = defineError(
  {
    code: 'ERR_JST_SIGNATURE',
    kind: 'config',
    meaning: '聚水潭 rejected the request signature (code 10 or 120): the app_secret does not match the app_key.',
    fix: 'Check app_key and app_secret in the connection (copy them again from the 聚水潭 developer console).',
  },
  (api: string, msg: string) => `聚水潭 rejected the signature on ${api}: ${msg}`,
)

export const JstIpNotAllowed = defineError(
  {
    code: 'ERR_JST_IP_WHITELIST',
    kind: 'config',
    meaning: 'The app has an IP whitelist in 聚水潭 and the address Ferry calls from is not on it (code 110).',
    fix: "Add the egress IP named in the message to the app's whitelist in the 聚水潭 developer console.",
  },
  (msg: string) => `聚水潭 refused the caller IP: ${msg}`,
)

export const JstNoPermission = defineError(
  {
    code: 'ERR_JST_NO_PERMISSION',
    kind: 'config',
    meaning: 'The app has no permission for this 聚水潭 API (code 190).',
    fix: 'Apply for the API permission package that contains the api in the 聚水潭 developer console.',
  },
  (api: string) => `the 聚水潭 app has no permission for ${api}`,
)

export const JstParams = defineError(
  {
    code: 'ERR_JST_PARAMS',
    kind: 'config',
    meaning: '聚水潭 refused the request parameters (codes 130, 140, 10015, -4).',
    fix: 'Check the scheme request fields for the api named in the message; the vendor message says which one.',
  },
  (api: string, vendorCode: number, msg: string) =>
    `聚水潭 refused the parameters of ${api} (code ${vendorCode}: ${msg})`,
)

export const JstClockSkew = defineError(
  {
    code: 'ERR_JST_TIMESTAMP',
    kind: 'transient',
    meaning:
      '聚水潭 refused the request timestamp twice (code 180, or 140 about timestamp): the server clock is off by more than 10 minutes.',
    fix: 'Synchronise the host clock (NTP); the call is retried on the next attempt.',
  },
  (api: string, msg: string) => `聚水潭 refused the timestamp on ${api}: ${msg}`,
)

export const JstInternal = defineError(
  {
    code: 'ERR_JST_INTERNAL',
    kind: 'transient',
    meaning: '聚水潭 reported an internal error (code 150 内部处理异常, or 160) on a read.',
    fix: 'Usually passes by itself; the read is retried with back-off.',
  },
  (api: string, vendorCode: number, msg: string) => `聚水潭 internal error on ${api} (code ${vendorCode}: ${msg})`,
)

export const JstVendorError = defineError(
  {
    code: 'ERR_JST_VENDOR',
    kind: 'config',
    meaning: '聚水潭 answered with an error code Ferry does not know; it is not retried.',
    fix: 'Read the vendor code and message; report the code so it can be added to the catalogue.',
  },
  (api: string, vendorCode: number, msg: string) => `聚水潭 error on ${api} (code ${vendorCode}: ${msg})`,
)

export const JstBadResponse = defineError(
  {
    code: 'ERR_JST_BAD_RESPONSE',
    kind: 'transient',
    meaning:
      '聚水潭 answered with JSON that is not its envelope ({code, msg, data}) or a page without its paging block.',
    fix: 'Usually passes by itself; if it persists the base URL may point at another service.',
  },
  (api: string, problem: string) => `聚水潭 answer to ${api} is malformed: ${problem}`,
)

export const JstWindowTooLong = defineError(
  {
    code: 'ERR_JST_WINDOW_TOO_LONG',
    kind: 'config',
    meaning:
      'A 聚水潭 query asks for a modified-time range longer than the api allows (7 days) or that ends before it begins.',
    fix: 'Narrow modified_begin/modified_end, or let Ferry plan the windows (leave them out of the scheme request).',
  },
  (api: string, problem: string) => `${api}: ${problem}`,
)

export const JstHalfRange = defineError(
  {
    code: 'ERR_JST_HALF_RANGE',
    kind: 'config',
    meaning: 'A 聚水潭 query gives only one of modified_begin/modified_end; the api needs both or neither.',
    fix: 'Give both modified_begin and modified_end, or neither.',
  },
  (api: string, given: string) => `${api}: ${given} is given without its partner; give both or neither`,
)

export const JstNoSelector = defineError(
  {
    code: 'ERR_JST_NO_SELECTOR',
    kind: 'config',
    meaning: 'A 聚水潭 query has neither a modified-time range nor ids; the api refuses that.',
    fix: 'Give a time window (the engine plans one) or a list of ids.',
  },
  (api: string, ids: string) => `${api}: give a modified_begin/modified_end range or ${ids}`,
)

export const JstTooManyIds = defineError(
  {
    code: 'ERR_JST_TOO_MANY_IDS',
    kind: 'config',
    meaning: 'A 聚水潭 query lists more ids than the api accepts in one call (50 io_ids).',
    fix: 'Split the id list into groups of at most the limit named in the message.',
  },
  (api: string, field: string, count: number, max: number) =>
    `${api}: ${field} has ${count} ids; at most ${max} per call`,
)

export const JstBadParam = defineError(
  {
    code: 'ERR_JST_BAD_PARAM',
    kind: 'config',
    meaning:
      'A 聚水潭 query parameter has a value the api does not accept (page size over 50, unknown status, malformed date).',
    fix: 'Correct the parameter named in the location.',
  },
  (api: string, problem: string) => `${api}: ${problem}`,
)

export const JstWindowUnstable = defineError(
  {
    code: 'ERR_JST_WINDOW_UNSTABLE',
    kind: 'transient',
    meaning:
      'The count orders of a 聚水潭 window kept changing while Ferry paged through it, so it could not prove it saw every order.',
    fix: 'Nothing to fix: the window is not marked complete and is read again on the next attempt.',
  },
  (window: string, passes: number) => `window ${window} still changed after ${passes} verification passes`,
)
