/**
 * Error codes of alerting (rules, incidents, channels) and of the data-quality rules declared on a
 * scheme's target side. Quality codes are `data` errors: a record failing one is parked with the
 * rule's code and the field path, like any other data problem.
 */
import { defineError } from '../core/errors.js'

export const AlertConfigInvalid = defineError(
  {
    code: 'ERR_ALERT_CONFIG',
    kind: 'config',
    meaning: 'The `alerts` section of the configuration (rules, channels, quiet hours) has a value Ferry cannot use.',
    fix: 'Correct the setting at the path shown; docs/alerts.md lists every rule, default and channel setting.',
  },
  (what: string) => what,
)

export const AlertUnknownChannel = defineError(
  {
    code: 'ERR_ALERT_UNKNOWN_CHANNEL',
    kind: 'user',
    meaning: 'A command or a route names an alert channel that is not configured.',
    fix: 'Use one of the channel names under `alerts.channels` in the configuration (`ferry alerts` lists them).',
  },
  (name: string, known: string) => `no alert channel "${name}"; configured: ${known}`,
)

export const AlertChannelUnreachable = defineError(
  {
    code: 'ERR_ALERT_CHANNEL_UNREACHABLE',
    kind: 'transient',
    meaning: 'An alert could not be delivered: the channel\'s server did not answer, or answered with an HTTP/SMTP failure.',
    fix: 'Check the webhook URL or SMTP host and the network; the incident stays open and is notified again at the next evaluation.',
  },
  (channel: string, why: string) => `alert channel ${channel} could not be reached: ${why}`,
)

export const AlertChannelRejected = defineError(
  {
    code: 'ERR_ALERT_CHANNEL_REJECTED',
    kind: 'config',
    meaning: 'The channel\'s server refused the alert (a wrong robot key or secret, a signature or IP check, a keyword filter).',
    fix: 'Check the robot\'s webhook, secret and security settings in the chat tool; `ferry alerts test <channel>` shows the vendor\'s answer.',
  },
  (channel: string, answer: string) => `alert channel ${channel} refused the message: ${answer}`,
)

export const AlertRateLimited = defineError(
  {
    code: 'ERR_ALERT_RATE_LIMITED',
    kind: 'rate_limited',
    meaning: 'A channel\'s own limit (`ratePerMinute`) held a message back so a storm of incidents does not flood the chat.',
    fix: 'Nothing to do: the incident stays open and is notified when the channel has room; raise `ratePerMinute` if messages are too late.',
  },
  (channel: string, limit: number) => `alert channel ${channel} sent ${limit} messages in the last minute; this one waits`,
)

export const QualityRuleInvalid = defineError(
  {
    code: 'ERR_QUALITY_RULE_INVALID',
    kind: 'config',
    meaning: 'A data-quality rule in the scheme\'s `target.quality` list is malformed (unknown rule, missing path, a regex that is too long or not linear-safe).',
    fix: 'Fix the rule at the path shown; docs/schemes.md lists the rules and their fields.',
  },
  (what: string) => what,
)

const quality = (code: string, meaning: string, message: (path: string, detail: string) => string) => defineError(
  { code, kind: 'data', meaning, fix: 'Fix the source document or the mapping (or the rule, when it is too strict), then `ferry retry` the record.' },
  message,
)

export const QualityRequired = quality('ERR_QUALITY_REQUIRED', 'A field a `required` quality rule names is empty after mapping.',
  (p, d) => `${p} is required${d === '' ? '' : ` (${d})`}`)
export const QualityType = quality('ERR_QUALITY_TYPE', 'A field does not have the type its `type` quality rule demands.',
  (p, d) => `${p} ${d}`)
export const QualityRange = quality('ERR_QUALITY_RANGE', 'A number (or a string\'s length) is outside the bounds of its `range` quality rule.',
  (p, d) => `${p} ${d}`)
export const QualityPattern = quality('ERR_QUALITY_PATTERN', 'A field does not match the pattern of its `regex` quality rule.',
  (p, d) => `${p} ${d}`)
export const QualityNotAllowed = quality('ERR_QUALITY_NOT_ALLOWED', 'A field holds a value outside the list of its `allowed` quality rule.',
  (p, d) => `${p} ${d}`)
export const QualityDuplicate = quality('ERR_QUALITY_DUPLICATE', 'Two records of one run carry the same value in a field a `unique` quality rule names.',
  (p, d) => `${p} ${d}`)
export const QualityLookup = quality('ERR_QUALITY_LOOKUP', 'A field a `lookup` quality rule names has no matching row in the collection it must resolve in.',
  (p, d) => `${p} ${d}`)
