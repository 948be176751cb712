/**
 * Error codes of alerting: the `alerts` settings, channels and their vendors' answers.
 */
import { defineError } from '../core/errors.js'

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
    meaning:
      "An alert could not be delivered: the channel's server did not answer, or answered with an HTTP/SMTP failure.",
    fix: 'Check the webhook URL or SMTP host and the network; the incident stays open and is notified again at the next evaluation.',
  },
  (channel: string, why: string) => `alert channel ${channel} could not be reached: ${why}`,
)

export const AlertChannelRejected = defineError(
  {
    code: 'ERR_ALERT_CHANNEL_REJECTED',
    kind: 'config',
    meaning:
      "The channel's server refused the alert (a wrong robot key or secret, a signature or IP check, a keyword filter).",
    fix: "Check the robot's webhook, secret and security settings in the chat tool; `ferry alerts test <channel>` shows the vendor's answer.",
  },
  (channel: string, answer: string) => `alert channel ${channel} refused the message: ${answer}`,
)

export const AlertRateLimited = defineError(
  {
    code: 'ERR_ALERT_RATE_LIMITED',
    kind: 'rate_limited',
    meaning:
      "A channel's own limit (`ratePerMinute`) held a message back so a storm of incidents does not flood the chat.",
    fix: 'Nothing to do: the incident stays open and is notified when the channel has room; raise `ratePerMinute` if messages are too late.',
  },
  (channel: string, limit: number) =>
    `alert channel ${channel} sent ${limit} messages in the last minute; this one waits`,
)
