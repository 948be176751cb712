/**
 * Error codes of the shared connector machinery: the registry, configuration, budgets and the
 * HTTP transport. Vendor-specific codes live in each connector's own `errors.ts`.
 *
 * Every transport error carries `details.outcome` (an {@link OutcomeKind}) so a target runtime can
 * turn it into a {@link WriteOutcome} without re-classifying: `unknown_outcome` means the request
 * may have reached the vendor and must be resolved by `probe()` before any retry.
 */
import { defineError } from '../core/errors.js'

export const ConnectorDuplicate = defineError(
  {
    code: 'ERR_CONNECTOR_DUPLICATE',
    kind: 'config',
    meaning: 'Two connectors in the registry list share one name.',
    fix: 'Give each connector a unique name, or list it only once in createRegistry().',
  },
  (name: string) => `connector "${name}" is registered twice`,
)

export const ConnectorInvalid = defineError(
  {
    code: 'ERR_CONNECTOR_INVALID',
    kind: 'config',
    meaning: 'A connector declaration breaks the connector contract (name, version, config spec, apis, budget).',
    fix: 'Correct the declaration at the location given; see docs/connectors/README.md for the contract.',
  },
  (name: string, problem: string) => `connector "${name}" is invalid: ${problem}`,
)

export const ConnectorNotFound = defineError(
  {
    code: 'ERR_CONNECTOR_NOT_FOUND',
    kind: 'config',
    meaning: 'A scheme or connection names a connector that is not registered.',
    fix: 'Use one of the registered connector names listed in the message.',
  },
  (name: string, known: string) => `connector "${name}" is not registered; registered: ${known}`,
)

export const ConnectorApiUnknown = defineError(
  {
    code: 'ERR_CONNECTOR_API_UNKNOWN',
    kind: 'config',
    meaning: 'A scheme asks a connector for an api it does not offer.',
    fix: 'Use one of the apis the connector declares (listed in the message).',
  },
  (connector: string, api: string, known: string) =>
    `connector "${connector}" has no api "${api}"; it offers: ${known}`,
)

export const ConnectionConfigInvalid = defineError(
  {
    code: 'ERR_CONNECTION_CONFIG',
    kind: 'config',
    meaning: 'A connection configuration is missing a required field or has a value of the wrong type.',
    fix: 'Complete the connection configuration at the location given.',
  },
  (connector: string, problem: string) => `connection for "${connector}": ${problem}`,
)

export const BudgetLimitsInvalid = defineError(
  {
    code: 'ERR_BUDGET_LIMITS',
    kind: 'config',
    meaning: 'A rate budget limit is not a positive whole number.',
    fix: 'Set perSecond, perMinute and inFlight to positive integers (or leave them out).',
  },
  (field: string, value: unknown) => `budget limit ${field} must be a positive integer, got ${JSON.stringify(value)}`,
)

export const BudgetStoreUnavailable = defineError(
  {
    code: 'ERR_BUDGET_REDIS',
    kind: 'transient',
    meaning:
      'The shared rate budget in Redis (`queue.redisUrl`) could not be reached, so no call was started: without it the processes sharing a credential could together exceed its quota.',
    fix: 'Check that Redis is running and reachable at queue.redisUrl; the record is retried once it is back.',
  },
  (key: string, reason: string) => `the shared rate budget ${key} could not be reached in Redis: ${reason}`,
)

export const CallAborted = defineError(
  {
    code: 'ERR_CALL_ABORTED',
    kind: 'transient',
    meaning: 'A call to an external API was cancelled by Ferry (run stopped or shutdown) before it finished.',
    fix: 'Nothing to fix; the work is picked up again by the next run.',
  },
  (what: string) => `${what} was cancelled`,
)

export const HttpConnectFailed = defineError(
  {
    code: 'ERR_HTTP_CONNECT',
    kind: 'transient',
    meaning: 'The connection to the vendor could not be opened, so the request was never sent.',
    fix: 'Usually passes by itself; if it persists check the base URL, DNS and the network path.',
  },
  (target: string, reason: string) => `cannot connect to ${target}: ${reason}`,
)

export const HttpTimeout = defineError(
  {
    code: 'ERR_HTTP_TIMEOUT',
    kind: 'transient',
    meaning: 'A read call to the vendor did not answer within its timeout; reads are safe to retry.',
    fix: 'Usually passes by itself; if it persists raise the timeout or narrow the query window.',
  },
  (target: string, timeoutMs: number) => `${target} did not answer within ${timeoutMs} ms`,
)

export const HttpInterrupted = defineError(
  {
    code: 'ERR_HTTP_INTERRUPTED',
    kind: 'transient',
    meaning: 'The connection broke while a read call was in progress; reads are safe to retry.',
    fix: 'Usually passes by itself; if it persists check proxies and the vendor status.',
  },
  (target: string, reason: string) => `connection to ${target} broke: ${reason}`,
)

export const HttpOutcomeUnknown = defineError(
  {
    code: 'ERR_HTTP_OUTCOME_UNKNOWN',
    kind: 'transient',
    meaning:
      'A write request was sent but no usable answer came back (timeout, reset, gateway error or unreadable body); the vendor may have applied it.',
    fix: 'Nothing to fix by hand: Ferry probes the target by business key before any retry, so no duplicate is created.',
  },
  (target: string, reason: string) => `outcome of write to ${target} is unknown: ${reason}`,
)

export const HttpServerError = defineError(
  {
    code: 'ERR_HTTP_SERVER',
    kind: 'transient',
    meaning: 'The vendor or a gateway answered a read call with an HTTP 5xx or 408 status.',
    fix: 'Usually passes by itself; if it persists check the vendor status page.',
  },
  (target: string, status: number) => `${target} answered HTTP ${status}`,
)

export const HttpRejected = defineError(
  {
    code: 'ERR_HTTP_REJECTED',
    kind: 'config',
    meaning:
      'The vendor answered with an HTTP 4xx status (other than 408/429): the URL, path or credentials are wrong.',
    fix: 'Check the connection base URL and the api path; the status is in the message.',
  },
  (target: string, status: number) => `${target} answered HTTP ${status}`,
)

export const HttpRateLimited = defineError(
  {
    code: 'ERR_HTTP_RATE_LIMITED',
    kind: 'rate_limited',
    meaning: 'The vendor answered HTTP 429 (too many requests).',
    fix: 'Nothing to fix: Ferry waits the hinted time and slows the credential budget.',
  },
  (target: string, waitMs: number) => `${target} throttled the call; retry after ${waitMs} ms`,
)

export const HttpBodyLimit = defineError(
  {
    code: 'ERR_HTTP_BODY_LIMIT',
    kind: 'data',
    meaning:
      'The vendor answered a read with JSON larger or more deeply nested than Ferry accepts (docs/schemes.md, Limits); it is not processed.',
    fix: 'Ask for smaller pages (page_size) or narrower windows; an answer nested this deep is not a real record, so report it to the vendor.',
  },
  (target: string, problem: string) => `${target} sent an answer past Ferry's limits: ${problem}`,
)

export const HttpBadBody = defineError(
  {
    code: 'ERR_HTTP_BAD_BODY',
    kind: 'transient',
    meaning:
      'The vendor answered a read call with a body that is not the expected JSON (HTML error page, truncated or empty body).',
    fix: 'Usually passes by itself; if it persists the base URL may point at a web page instead of the API.',
  },
  (target: string, problem: string) => `${target} sent an unreadable body: ${problem}`,
)
