/**
 * Error codes raised by the engine (pipeline, ledger decisions, scheduler, engine CLI).
 * Connector and scheme errors keep their own codes; these cover what only the engine knows.
 */
import { defineError } from '../core/errors.js'

export const LookupMissing = defineError(
  {
    code: 'ERR_LOOKUP_MISSING',
    kind: 'data',
    meaning: 'A `_findCollection` lookup found no record, so the target document cannot be built.',
    fix: 'Add the missing master data in the target system, re-run the master-data scheme, then `ferry retry <scheme> --all-failed`.',
  },
  (what: string, key: string) => `${what} not found for ${key}`,
)

export const GroupAlreadyWritten = defineError(
  {
    code: 'ERR_GROUP_ALREADY_WRITTEN',
    kind: 'data',
    meaning:
      "A record of a groupCalculate scheme became ready after its header group's document was written; Ferry never writes a second document under the same key, and the target offers no confirmed way to add rows to an existing one.",
    fix: "Add the record's rows to the named document in the target by hand, then `ferry resolve <scheme> <id>` the record.",
  },
  (recordId: string, key: string, targetId: string) =>
    `record ${recordId} joined header group ${key} after its document ${targetId} was written; its rows are not in that document`,
)

export const RequiredFieldMissing = defineError(
  {
    code: 'ERR_REQUIRED_FIELD_MISSING',
    kind: 'data',
    meaning: 'A field the target requires is empty after mapping.',
    fix: 'Fix the source document or the mapping, then `ferry edit` or `ferry retry` the record.',
  },
  (path: string) => `required field ${path} is empty`,
)

export const QuantityNotPositive = defineError(
  {
    code: 'ERR_QUANTITY_NOT_POSITIVE',
    kind: 'data',
    meaning: 'The target demands a positive quantity and the mapped value is zero, negative or not a number.',
    fix: 'Check the mapping (e.g. `_function abs(...)`) and the source quantities, then retry the record.',
  },
  (path: string, value: string) => `${path} must be a positive number, got ${value}`,
)

export const BusinessKeyMissing = defineError(
  {
    code: 'ERR_BUSINESS_KEY_MISSING',
    kind: 'data',
    meaning: 'The mapped payload has no business key, so the write could not be made idempotent.',
    fix: 'Map the business key field (the one the target connector names, see docs/connectors/) from a stable source field.',
  },
  (field: string) => `business key ${field} is empty; Ferry never writes a document it cannot find again`,
)

export const TargetRejected = defineError(
  {
    code: 'ERR_TARGET_REJECTED',
    kind: 'data',
    meaning: 'The target refused the document because of its content.',
    fix: 'Read the vendor message on the record (`ferry record`), fix the data or mapping, then retry.',
  },
  (message: string) => `target rejected the document: ${message}`,
)

export const TargetConfig = defineError(
  {
    code: 'ERR_TARGET_CONFIG',
    kind: 'config',
    meaning: 'The target refused the call because of credentials, permissions or settings; the scheme is paused.',
    fix: 'Fix the connection settings, then resume the scheme and retry the failed records.',
  },
  (message: string) => `target refused the call: ${message}`,
)

export const TargetTransient = defineError(
  {
    code: 'ERR_TARGET_TRANSIENT',
    kind: 'transient',
    meaning: 'The target failed temporarily; the record is retried on the retry ladder.',
    fix: 'Nothing to do unless it persists; then check the target system status.',
  },
  (message: string) => `target failed temporarily: ${message}`,
)

export const TargetRateLimited = defineError(
  {
    code: 'ERR_TARGET_RATE_LIMITED',
    kind: 'rate_limited',
    meaning: 'The target throttled the call; the record is retried after the hinted wait.',
    fix: 'Nothing to do; lower the connection budget if it happens often.',
  },
  (message: string) => `target throttled the call: ${message}`,
)

export const OutcomeUnknown = defineError(
  {
    code: 'ERR_OUTCOME_UNKNOWN',
    kind: 'transient',
    meaning: 'A write may or may not have reached the target; Ferry probes by business key before any retry.',
    fix: 'Nothing to do: the next attempt probes the target first and never writes blind.',
  },
  (key: string, message: string) =>
    `outcome of the write for ${key} is unknown (${message}); the target will be probed before any retry`,
)

export const RetriesExhausted = defineError(
  {
    code: 'ERR_RETRIES_EXHAUSTED',
    kind: 'transient',
    meaning: 'A record failed on every step of the retry ladder and waits in the failed-record queue.',
    fix: 'Check the last error on the record, then `ferry retry` it.',
  },
  (attempts: number, last: string) => `gave up after ${attempts} attempts; last error: ${last}`,
)

export const NoStartTime = defineError(
  {
    code: 'ERR_NO_START_TIME',
    kind: 'config',
    meaning: 'A scheme has never run and no start time is configured, so Ferry does not know where to begin.',
    fix: 'Set `start` for the scheme in the configuration, or run a backfill with `ferry run <scheme> --from <time>`.',
  },
  (scheme: string) => `scheme ${scheme} has no closed window and no configured start; refusing to guess where to begin`,
)

export const SchemePaused = defineError(
  {
    code: 'ERR_SCHEME_PAUSED',
    kind: 'config',
    meaning: 'The scheme was paused after a configuration error and does not run until resumed.',
    fix: 'Fix the reason shown, then resume the scheme (`ferry retry` the failed records afterwards).',
  },
  (scheme: string, reason: string) => `scheme ${scheme} is paused: ${reason}`,
)

export const SchemeBusy = defineError(
  {
    code: 'ERR_SCHEME_BUSY',
    kind: 'user',
    meaning: 'Another run of the same scheme stage holds the lease.',
    fix: 'Wait for the other run to finish. A holder on this host whose process is gone is taken over at once; one on another host (or a stopped process) holds the lease until it expires (engine.leaseTtlSeconds, default 60 s).',
  },
  (scheme: string, stage: string, holder: string) => `scheme ${scheme} ${stage} stage is already running (${holder})`,
)

export const LeaseLost = defineError(
  {
    code: 'ERR_LEASE_LOST',
    kind: 'transient',
    meaning:
      'This run lost the lease of its stage (it could not renew it in time, e.g. the process was paused or the database unreachable), so it stopped before its next write; another worker may hold the lease now.',
    fix: 'Nothing to repair: whatever this run left open is probed and finished by the next holder. If it recurs, find what stalls the process (a suspended VM, swapping, SIGSTOP, a slow database) or raise engine.leaseTtlSeconds.',
  },
  (lease: string, reason: string) => `lease ${lease} lost: ${reason}; the stage stopped before its next write`,
)

export const TargetNoBatch = defineError(
  {
    code: 'ERR_TARGET_NO_BATCH',
    kind: 'config',
    meaning: 'The scheme writes with operation batchArraySave but its target connector cannot write batches.',
    fix: 'Use a connector that offers batch writes (docs/connectors/README.md lists them), or operation {"method":"none"}.',
  },
  (api: string) => `the target connector of ${api} cannot write batches (operation batchArraySave)`,
)

export const StubTargetUsed = defineError(
  {
    code: 'ERR_PREVIEW_TARGET_CALLED',
    kind: 'system',
    meaning: 'A preview against an input file tried to call the target; previews never write.',
    fix: 'This is a bug in Ferry: report it with the command line.',
  },
  (call: string) => `preview called the target (${call}); previews never write`,
)

export const PreviewInput = defineError(
  {
    code: 'ERR_PREVIEW_INPUT',
    kind: 'user',
    meaning: 'A file given to `ferry preview --input/--lookups` is not what it must be.',
    fix: '--input takes a JSON array of source documents; --lookups a JSON object {collection: [rows]}.',
  },
  (file: string, reason: string) => `${file}: ${reason}`,
)

export const UnknownScheme = defineError(
  {
    code: 'ERR_UNKNOWN_SCHEME',
    kind: 'user',
    meaning: 'No loaded scheme has that id or name.',
    fix: 'Use one of the scheme ids listed in the message, or add the scheme to the configuration.',
  },
  (scheme: string, known: string) => `unknown scheme "${scheme}"; loaded: ${known}`,
)

export const RecordNotFound = defineError(
  {
    code: 'ERR_RECORD_NOT_FOUND',
    kind: 'user',
    meaning: 'The ledger has no record with that id for the scheme.',
    fix: 'List the records with `ferry records <scheme>` and use an id from there.',
  },
  (scheme: string, id: string) => `scheme ${scheme} has no record ${id}`,
)

export const InvalidTime = defineError(
  {
    code: 'ERR_INVALID_TIME',
    kind: 'user',
    meaning: 'A time given on the command line could not be read.',
    fix: 'Use ISO 8601 (2026-11-01T00:00:00+08:00) or `YYYY-MM-DD HH:mm:ss` in the scheme time zone.',
  },
  (text: string) => `cannot read time "${text}"`,
)

export const InvalidPayloadEdit = defineError(
  {
    code: 'ERR_INVALID_PAYLOAD_EDIT',
    kind: 'user',
    meaning: 'An edited payload is not a JSON object.',
    fix: 'Save the payload as one JSON object and try again.',
  },
  (detail: string) => `edited payload is not a JSON object: ${detail}`,
)

export const RetryNothing = defineError(
  {
    code: 'ERR_RETRY_NOTHING',
    kind: 'user',
    meaning: '`ferry retry` was given neither record ids nor `--all-failed`.',
    fix: 'Name the record ids to retry, or pass `--all-failed`.',
  },
  () => 'name the record ids to retry, or pass --all-failed',
)
