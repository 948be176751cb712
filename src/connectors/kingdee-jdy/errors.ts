/**
 * Error codes of the 金蝶云星辰 (JDY) connector. Vendor codes map onto these through the catalogue
 * in catalogue.ts; every message names the vendor code and description but never a credential.
 */
import { defineError } from '../../core/errors.js'

export const JdyConfigInvalid = defineError(
  {
    code: 'ERR_JDY_CONFIG_INVALID',
    kind: 'config',
    meaning: 'The JDY connection configuration is missing a field or has a value of the wrong type.',
    fix: 'Fill in the named field of the JDY connection (client id/secret from open.jdy.com, the outerInstanceId of the book).',
  },
  (field: string, problem: string) => `JDY connection field "${field}" ${problem}`,
)

export const JdyAuthorizationMissing = defineError(
  {
    code: 'ERR_JDY_AUTHORIZATION_MISSING',
    kind: 'config',
    meaning: 'push_app_authorize returned no active authorisation row for the configured book.',
    fix: 'Authorise the app for the book in 金蝶云星辰 (应用授权) and check outerInstanceId/accountId in the connection.',
  },
  (outerInstanceId: string, rows: number) =>
    `no active JDY authorisation (status 1) for outerInstanceId ${outerInstanceId} among ${rows} row(s)`,
)

export const JdyAuthRejected = defineError(
  {
    code: 'ERR_JDY_AUTH_REJECTED',
    kind: 'config',
    meaning: 'The JDY gateway rejected the credentials or the signature even after re-authorising once.',
    fix: 'Check client id and client secret, that the app is still authorised for the book, and the server clock (NTP).',
  },
  (vendorCode: string | number, description: string) => `JDY rejected authentication (${vendorCode}: ${description})`,
)

export const JdyTokenRejected = defineError(
  {
    code: 'ERR_JDY_TOKEN_REJECTED',
    kind: 'transient',
    meaning: 'A business call was refused for an expired or invalid app-token even after one renewal.',
    fix: 'Usually passes on the next attempt; if it persists, check the server clock and the app authorisation.',
  },
  (vendorCode: string | number, description: string) =>
    `JDY refused a freshly renewed app-token (${vendorCode}: ${description})`,
)

export const JdyClockSkew = defineError(
  {
    code: 'ERR_JDY_CLOCK_SKEW',
    kind: 'config',
    meaning: 'The JDY gateway refused X-Api-TimeStamp: the local clock is more than about 5 minutes off.',
    fix: 'Synchronise the host clock with NTP.',
  },
  (description: string) => `JDY refused the request timestamp (4006: ${description}); the local clock is off`,
)

export const JdyRateLimited = defineError(
  {
    code: 'ERR_JDY_RATE_LIMITED',
    kind: 'rate_limited',
    meaning: 'JDY throttled the book (HTTP 429, gateway 5006/5007 or system error 2000002000).',
    fix: 'Nothing; Ferry waits and slows the per-book budget. Lower budget.perMinute if it keeps happening.',
  },
  (vendorCode: string | number, description: string) => `JDY throttled the call (${vendorCode}: ${description})`,
)

export const JdyTransient = defineError(
  {
    code: 'ERR_JDY_TRANSIENT',
    kind: 'transient',
    meaning: 'JDY or the network failed in a way that is safe to retry (5xx, gateway unavailable, connection refused).',
    fix: 'Nothing; Ferry retries with backoff. If it persists, check https://api.kingdee.com reachability.',
  },
  (what: string) => `JDY call failed temporarily: ${what}`,
)

export const JdyUnknownOutcome = defineError(
  {
    code: 'ERR_JDY_UNKNOWN_OUTCOME',
    kind: 'transient',
    meaning: 'A bill save was sent but no answer came back, so it may or may not have been created.',
    fix: 'Nothing; Ferry probes the bill number before any retry, so no duplicate bill is created.',
  },
  (billNo: string, what: string) => `outcome of saving JDY bill ${billNo} is unknown: ${what}`,
)

export const JdyMasterDataMissing = defineError(
  {
    code: 'ERR_JDY_MASTER_DATA_MISSING',
    kind: 'data',
    meaning: 'JDY refused a bill because a material, unit or warehouse it references is missing, disabled or empty.',
    fix: 'Create or enable the master data in the book, or fix the code→id mapping, then re-push the record.',
  },
  (vendorCode: string | number, description: string) => `JDY master data problem (${vendorCode}): ${description}`,
)

export const JdyBillRejected = defineError(
  {
    code: 'ERR_JDY_BILL_REJECTED',
    kind: 'data',
    meaning: 'JDY refused the bill with a business validation error.',
    fix: 'Read the vendor description, fix the record or the mapping, then re-push the record.',
  },
  (vendorCode: string | number, description: string) => `JDY rejected the bill (${vendorCode}): ${description}`,
)

export const JdyAuditRejected = defineError(
  {
    code: 'ERR_JDY_AUDIT_REJECTED',
    kind: 'data',
    meaning:
      "The bill was saved but JDY refused to audit it (e.g. stock would go negative). With auditCheck: bulk it is a warning in the log and a reconcile finding; with auditCheck: each it is the record's outcome.",
    fix: 'Fix the cause in JDY (stock, warehouse allow_negative) and re-push (ferry retry/requeue); the saved bill is reused, not duplicated.',
  },
  (billNo: string, vendorCode: string | number, description: string) =>
    `JDY saved bill ${billNo} but refused to audit it (${vendorCode}): ${description}`,
)

export const JdyBillNoTaken = defineError(
  {
    code: 'ERR_JDY_BILL_NO_TAKEN',
    kind: 'data',
    meaning:
      'JDY reports the bill number as a duplicate but no check-loss bill with that number exists (another bill type uses it).',
    fix: 'Change the bill_no template of the scheme so numbers cannot collide with other JDY bill types.',
  },
  (billNo: string) => `JDY says bill number ${billNo} is already used, but no check-loss bill has it`,
)

export const JdyBillNoNotHonoured = defineError(
  {
    code: 'ERR_JDY_BILL_NO_NOT_HONOURED',
    kind: 'data',
    meaning: 'JDY saved the bill under an auto-generated number instead of the bill_no Ferry sent.',
    fix: "Check the book's numbering rule (编码规则) allows manual numbers; Ferry falls back to finding bills by their remark tag.",
  },
  (sent: string, got: string) => `JDY ignored bill_no ${sent} and numbered the bill ${got}`,
)

export const JdyKeyMismatch = defineError(
  {
    code: 'ERR_JDY_KEY_MISMATCH',
    kind: 'config',
    meaning:
      'The payload bill_no differs from the business key the engine derived, so probing would look for the wrong bill.',
    fix: 'Map bill_no in the scheme from the same source field as the business key.',
  },
  (billNo: string, key: string) => `payload bill_no "${billNo}" differs from business key "${key}"`,
)

export const JdyUnsupported = defineError(
  {
    code: 'ERR_JDY_UNSUPPORTED',
    kind: 'config',
    meaning: 'The scheme asks the JDY connector for an API or an operation it does not offer.',
    fix: 'Use one of the APIs and operation_key values listed in docs/connectors/kingdee-jdy.md.',
  },
  (what: string, known: string) => `JDY connector does not support ${what}; supported: ${known}`,
)

export const JdyGatewayRejected = defineError(
  {
    code: 'ERR_JDY_GATEWAY_REJECTED',
    kind: 'config',
    meaning: 'The JDY gateway refused the call (unknown client id, bad signature, API not found or not permitted).',
    fix: 'Check client id/secret, that the app has the API permission in open.jdy.com, and the connector version.',
  },
  (vendorCode: string | number, description: string) => `JDY gateway refused the call (${vendorCode}: ${description})`,
)

export const JdyResponseInvalid = defineError(
  {
    code: 'ERR_JDY_RESPONSE_INVALID',
    kind: 'transient',
    meaning: 'JDY answered with a body that is not the documented JSON envelope.',
    fix: 'Usually a proxy or gateway hiccup; if it persists, capture the response and report it.',
  },
  (path: string, status: number, detail: string) =>
    `JDY ${path} answered HTTP ${status} with an unreadable body: ${detail}`,
)

export const JdyVendorError = defineError(
  {
    code: 'ERR_JDY_VENDOR_ERROR',
    kind: 'data',
    meaning: 'JDY answered a read with an error code the connector does not know.',
    fix: 'Read the vendor code and description; check the request parameters of the scheme.',
  },
  (path: string, vendorCode: string | number, description: string) =>
    `JDY ${path} failed (${vendorCode}): ${description}`,
)

export const JdyRowsMissing = defineError(
  {
    code: 'ERR_JDY_ROWS_MISSING',
    kind: 'transient',
    meaning:
      'A JDY list returned fewer distinct rows than its reported count (page truncation or data moving during the read).',
    fix: 'Nothing; the read is retried as a whole. If it persists, report the entity and counts.',
  },
  (path: string, got: number, count: number) => `JDY ${path} returned ${got} distinct rows but reported count ${count}`,
)

export const JdyAuthorizationAmbiguous = defineError(
  {
    code: 'ERR_JDY_AUTHORIZATION_AMBIGUOUS',
    kind: 'config',
    meaning: 'Several active authorisation rows match the connection, so the book cannot be chosen safely.',
    fix: 'Set accountId in the JDY connection to the book (账套) this connection writes to.',
  },
  (rows: number, accounts: string) => `${rows} active JDY authorisations match; set accountId to one of: ${accounts}`,
)
