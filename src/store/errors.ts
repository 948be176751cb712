/**
 * Errors of the state store: database settings, the master key, the record ledger.
 * Messages never carry secrets (keys, tokens, decrypted credentials).
 */
import { defineError } from '../core/errors.js'

export const StoreUrlInvalid = defineError(
  {
    code: 'ERR_STORE_URL_INVALID',
    kind: 'config',
    meaning: 'FERRY_DATABASE_URL (or the database setting) is not a form Ferry understands.',
    fix: 'Use sqlite:./data/ferry.db, sqlite::memory: or postgres://user@host:5432/db (optionally ?schema=name).',
  },
  (detail: string) => `database setting not understood: ${detail}`,
)

export const StoreUnreachable = defineError(
  {
    code: 'ERR_STORE_UNREACHABLE',
    kind: 'transient',
    meaning: 'Ferry could not open or reach its database.',
    fix: 'Check that the database server is running and that FERRY_DATABASE_URL names it, or that the SQLite directory is writable.',
  },
  (target: string, reason: string) => `cannot open the database ${target}: ${reason}`,
)

export const StoreDiskFull = defineError(
  {
    code: 'ERR_STORE_DISK_FULL',
    kind: 'transient',
    meaning:
      "The database could not write because its disk (or PostgreSQL's) is full; the transaction was rolled back, nothing was half-written.",
    fix: "Free space on the volume holding the database (SQLite: the directory of the file and its -wal; PostgreSQL: the server's data directory). Ferry retries and carries on once writes succeed.",
  },
  (target: string, reason: string) => `the database ${target} is out of disk space: ${reason}`,
)

export const StoreCorrupt = defineError(
  {
    code: 'ERR_STORE_CORRUPT',
    kind: 'system',
    meaning:
      'The database file is damaged or is not a database (SQLITE_CORRUPT, SQLITE_NOTADB; PostgreSQL XX001/XX002).',
    fix: 'Stop Ferry, keep a copy of the file, and restore the database from a backup (docs/storage.md, Backups). For SQLite, `sqlite3 ferry.db ".recover"` can salvage what is readable; then run `ferry verify`.',
  },
  (target: string, reason: string) => `the database ${target} is damaged: ${reason}`,
)

export const StoreRejected = defineError(
  {
    code: 'ERR_STORE_REJECTED',
    kind: 'config',
    meaning:
      "PostgreSQL refused Ferry's login or its use of the database or schema (wrong password, missing database, no privilege).",
    fix: 'Check the user, password, database and schema in FERRY_DATABASE_URL, and that the user may create tables in that schema.',
  },
  (target: string, reason: string) => `the database ${target} refused Ferry: ${reason}`,
)

export const StoreMigrationFailed = defineError(
  {
    code: 'ERR_STORE_MIGRATION_FAILED',
    kind: 'system',
    meaning: 'A database migration failed; the database was left at the last completed version.',
    fix: 'Read the cause in the log, fix the database (disk, permissions) and start Ferry again.',
  },
  (version: number, name: string, reason: string) => `migration ${version} (${name}) failed: ${reason}`,
)

export const StoreSchemaTooNew = defineError(
  {
    code: 'ERR_STORE_SCHEMA_TOO_NEW',
    kind: 'config',
    meaning: 'The database was migrated by a newer Ferry than the one running.',
    fix: 'Run the newer Ferry version, or point FERRY_DATABASE_URL at a database for this version.',
  },
  (dbVersion: number, known: number) => `database is at schema version ${dbVersion}, this Ferry knows up to ${known}`,
)

export const MasterKeyInvalid = defineError(
  {
    code: 'ERR_MASTER_KEY_INVALID',
    kind: 'config',
    meaning: 'The master key is not 32 bytes of base64.',
    fix: 'Set FERRY_MASTER_KEY to the output of `openssl rand -base64 32`, or fix the key file.',
  },
  (source: string) => `the master key from ${source} is not base64 of exactly 32 bytes`,
)

export const MasterKeyMismatch = defineError(
  {
    code: 'ERR_MASTER_KEY_MISMATCH',
    kind: 'config',
    meaning:
      'The master key cannot decrypt the secrets stored in this database; it is not the key they were saved with.',
    fix: 'Start Ferry with the master key this database was created with (FERRY_MASTER_KEY or the key file).',
  },
  (what: string) => `the master key does not match the one ${what} was encrypted with`,
)

export const MasterKeyFile = defineError(
  {
    code: 'ERR_MASTER_KEY_FILE',
    kind: 'config',
    meaning: 'The master key file cannot be read or created, or other users can read it.',
    fix: 'Make the key file readable only by Ferry (chmod 600) in a writable directory, or set FERRY_MASTER_KEY.',
  },
  (path: string, reason: string) => `master key file ${path}: ${reason}`,
)

export const SchemeJsonInvalid = defineError(
  {
    code: 'ERR_STORE_SCHEME_JSON',
    kind: 'user',
    meaning: 'A scheme definition given to the store is not a JSON object.',
    fix: 'Fix the JSON at the location shown and save the scheme again.',
  },
  (reason: string) => `scheme definition is not a JSON object: ${reason}`,
)

export const StoreNotFound = defineError(
  {
    code: 'ERR_STORE_NOT_FOUND',
    kind: 'user',
    meaning: 'A scheme, connection or run named in a request does not exist in the store.',
    fix: 'Check the id (list them with the CLI) and try again.',
  },
  (what: string, id: string) => `${what} "${id}" does not exist`,
)

export const StoreBadInput = defineError(
  {
    code: 'ERR_STORE_BAD_INPUT',
    kind: 'user',
    meaning: 'A request to the store has an invalid argument (page size, cursor, time, interval).',
    fix: 'Correct the argument named in the message.',
  },
  (detail: string) => detail,
)

export const RecordNotFound = defineError(
  {
    code: 'ERR_LEDGER_RECORD_NOT_FOUND',
    kind: 'user',
    meaning: 'No record with this id is stored for the scheme.',
    fix: 'List the scheme records (`ferry records <scheme>`) and use one of their ids.',
  },
  (schemeId: string, recordId: string) => `scheme ${schemeId} has no record "${recordId}"`,
)

export const RecordBadSource = defineError(
  {
    code: 'ERR_LEDGER_BAD_SOURCE_RECORD',
    kind: 'data',
    meaning: 'A source record has no usable id (the value of the metadata `id` field) or its content is not an object.',
    fix: 'Check the scheme `id` field names a field every source record carries.',
  },
  (detail: string) => detail,
)

export const PayloadLimit = defineError(
  {
    code: 'ERR_LEDGER_PAYLOAD_LIMIT',
    kind: 'user',
    meaning:
      'An edited payload is larger or more deeply nested than Ferry accepts (docs/schemes.md, Limits); nothing was saved.',
    fix: 'Edit the payload the mapping produced (`ferry records <scheme> --id …` shows it) rather than building a new structure.',
  },
  (detail: string) => `the edited payload ${detail}`,
)

export const RecordSettled = defineError(
  {
    code: 'ERR_LEDGER_RECORD_SETTLED',
    kind: 'user',
    meaning:
      'The record was already written to the target (done or duplicate), so it cannot be edited or queued again.',
    fix: 'Nothing to retry: the target holds the document. Use `ferry resolve` to acknowledge a changed-after-sync flag.',
  },
  (recordId: string, status: string) => `record "${recordId}" is ${status}; it is never written twice`,
)

export const TargetIdTaken = defineError(
  {
    code: 'ERR_LEDGER_TARGET_ID_TAKEN',
    kind: 'data',
    meaning:
      'The target answered with a document id that a record of the same scheme with a different (or no) business key already maps to.',
    fix: 'Two business keys map to one target document: check the business key derivation, then resolve one of the records.',
  },
  (targetId: string, recordId: string, owner: string) =>
    `target document ${targetId} for record "${recordId}" already belongs to record "${owner}" under another business key`,
)

export const WriteWithoutProof = defineError(
  {
    code: 'ERR_LEDGER_WRITE_WITHOUT_PROOF',
    kind: 'system',
    meaning: 'A record was to be marked done without the target id and response that prove the write.',
    fix: 'This is a bug in the engine or a connector; report it with the record id.',
  },
  (recordId: string) => `record "${recordId}" cannot be marked done without a target id and a response`,
)

export const LeaseFenced = defineError(
  {
    code: 'ERR_STORE_LEASE_FENCED',
    kind: 'transient',
    meaning:
      'A write carried the fencing token of a lease that another worker has taken since (the lease expired while this worker was paused, stalled or cut off), so the store refused it.',
    fix: 'Nothing to repair: the worker that holds the lease now carries on, and this one stopped before its next write. If it happens often, look for what stalls the process (a suspended VM, swapping, SIGSTOP) or raise engine.leaseTtlSeconds.',
  },
  (lease: string, token: number, current: string) =>
    `lease ${lease}: fencing token ${token} is stale (${current}); the write was refused`,
)

export const ClaimLost = defineError(
  {
    code: 'ERR_STORE_CLAIM_LOST',
    kind: 'transient',
    meaning:
      "A write intent carried the token of a claim that is no longer this writer's: the claim expired and another writer (another part of a split target stage, or a hand-run `ferry run`) claimed the record since, so the store refused the intent and nothing was sent.",
    fix: 'Nothing to repair: the writer that holds the claim now writes the record, and this one skipped it without marking it failed. If it happens often, look for what stalls the worker (a suspended VM, swapping, SIGSTOP) or raise engine.leaseTtlSeconds.',
  },
  (recordId: string) =>
    `record "${recordId}": the claim of this writer was lost to another writer before its write intent; the record was skipped, not sent`,
)
