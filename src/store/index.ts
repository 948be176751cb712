/** Public surface of the state store. */
export { openStore, storeOptionsFromEnv, Ledger } from './store.js'
export type { Store, OpenStoreOptions } from './store.js'
export { parseDatabaseUrl, DEFAULT_DATABASE_URL } from './settings.js'
export type { DatabaseSetting } from './settings.js'
export type { StoreCapabilities } from './dialect.js'
export { MIGRATION_LOCK_KEY } from './migrator.js'
export { DEFAULT_MASTER_KEY_FILE } from './crypto.js'
export { getPath, keyText } from './collections.js'
export { canonicalJson, contentHash } from './canonical.js'
export { RECORD_STATUSES, SETTLED_STATUSES, CLAIMABLE_STATUSES } from './ledger-types.js'
export type {
  LedgerRecord,
  LedgerError,
  RecordRef,
  RecordStatus,
  SourceRecordInput,
  UpsertEffect,
  UpsertOutcome,
  UpsertResult,
} from './ledger-types.js'
export type { UpsertOptions } from './ledger-upsert.js'
export type { LedgerPort, ReopenRequest } from './ledger-port.js'
export type { EnginePorts } from './engine-ports.js'
export type { CursorPort } from './windows.js'
export type { LeasePort } from './leases.js'
export type { RunPort } from './runs.js'
export type { SchemeStatePort } from './schemes.js'
export type { Claim, ClaimOptions } from './ledger-claims.js'
export type { PayloadToSave, WrittenProof } from './ledger-marks.js'
export type { FailureInfo, ParkedProof } from './ledger-unsettled.js'
export type { GroupClaim, LateMember } from './ledger-groups.js'
export type { ListFilter, RecordPage, RecordEvent, StatusCounts, InvariantViolation } from './ledger-admin.js'
export type { LookupQuery } from './collections.js'
export type { SchemeInfo, SchemeVersion, SaveSchemeResult } from './schemes.js'
export type { Connection, ConnectionInfo } from './connections.js'
export type { RunInfo, RunStatus, StageCounters, RunLogLine, LogLevel } from './runs.js'
export { BUDGET_STAGE, RUN_STATUSES } from './runs.js'
export type { Lease, LeaseOwner, Fence } from './leases.js'
export { hostIdentity, processAlive } from './leases.js'
export { LeaseFenced, StoreNotFound } from './errors.js'
export type { Incident, IncidentDetails, IncidentFilter, IncidentStatus, Delivery } from './alerts.js'
export { AlertRepo } from './alerts.js'
export type { UserRow, ApiTokenRow, SessionRow, AuditEntry, NewAuditEntry } from './access.js'
export type { RecordSearch } from './record-search.js'
