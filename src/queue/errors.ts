/**
 * Errors of the queue mode (BullMQ workers and schedulers, docs/deploy.md).
 */
import { defineError } from '../core/errors.js'

export const QueueNotConfigured = defineError(
  {
    code: 'ERR_QUEUE_NOT_CONFIGURED',
    kind: 'config',
    meaning: '`ferry worker` or `ferry scheduler` was started with a configuration without `queue.redisUrl`.',
    fix: 'Add `queue.redisUrl` (for example `redis://127.0.0.1:6379`) to the configuration (docs/deploy.md), or run `ferry start` for one process.',
  },
  (command: string) => `${command} needs queue.redisUrl in the configuration`,
)

export const QueueSchemeUnknown = defineError(
  {
    code: 'ERR_QUEUE_SCHEME_UNKNOWN',
    kind: 'config',
    meaning:
      'A worker took a job for a scheme its own configuration does not load (or loads without what the job needs): workers and schedulers disagree.',
    fix: 'Give every `ferry worker` the same configuration as `ferry serve`/`ferry scheduler`; the job is failed and kept in the queue for inspection.',
  },
  (scheme: string, kind: string) => `no loaded scheme ${scheme} for a ${kind} job`,
)

export const WorkerOption = defineError(
  {
    code: 'ERR_WORKER_OPTION',
    kind: 'user',
    meaning: 'An option of `ferry worker` has a value it cannot use.',
    fix: 'Correct the option named in the message (see `ferry worker --help`).',
  },
  (option: string, why: string) => `${option}: ${why}`,
)
