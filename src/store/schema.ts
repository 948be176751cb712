/**
 * Row types of every store table, as Kysely sees them. Times are epoch milliseconds (BIGINT on
 * PostgreSQL, INTEGER on SQLite) so both dialects compare and sort them the same way; JSON is
 * TEXT so the raw scheme JSON survives byte for byte; booleans are 0/1.
 */
import type { Generated } from 'kysely'

export interface MetaTable {
  key: string
  value: string
}

export interface MigrationTable {
  version: number
  name: string
  applied_at: number
}

export interface SchemeTable {
  id: string
  name: string | null
  current_version: number
  paused: number
  pause_reason: string | null
  created_at: number
  updated_at: number
}

export interface SchemeVersionTable {
  scheme_id: string
  version: number
  raw_json: string
  hash: string
  created_at: number
}

export interface ConnectionTable {
  id: string
  connector: string
  config_enc: string
  created_at: number
  updated_at: number
}

export interface CredentialTable {
  connection_id: string
  name: string
  value_enc: string
  expires_at: number | null
  updated_at: number
}

export interface RunTable {
  id: string
  scheme_id: string
  kind: string
  status: string
  started_at: number
  finished_at: number | null
  params: string | null
  error_code: string | null
  error_message: string | null
}

export interface RunCounterTable {
  run_id: string
  stage: string
  name: string
  value: number
}

export interface RunLogTable {
  seq: Generated<number>
  run_id: string
  at: number
  level: string
  msg: string
  data: string | null
}

export interface ClosedWindowTable {
  scheme_id: string
  api: string
  start_ms: number
  end_ms: number
}

export interface RecordTable {
  seq: Generated<number>
  scheme_id: string
  record_id: string
  number: string | null
  content: string
  content_hash: string
  pending_content: string | null
  pending_hash: string | null
  changed_after_sync: number
  payload: string | null
  payload_edited: number
  business_key: string | null
  /** groupCalculate header group (`<spec fingerprint>:<values>`), null for ungrouped schemes. */
  group_key: string | null
  target_id: string | null
  response: string | null
  status: string
  attempts: number
  next_attempt_at: number | null
  claim_token: string | null
  claimed_until: number | null
  error_code: string | null
  error_kind: string | null
  error_message: string | null
  resolved_at: number | null
  resolved_note: string | null
  created_at: number
  updated_at: number
  done_at: number | null
}

export interface RecordEventTable {
  seq: Generated<number>
  scheme_id: string
  record_id: string
  at: number
  event: string
  detail: string | null
}

export interface LookupKeyTable {
  collection_id: string
  field: string
}

export interface CollectionIndexTable {
  collection_id: string
  key_field: string
  key_value: string
  ref_seq: number
}

export interface StaticCollectionTable {
  id: string
  updated_at: number
}

export interface StaticRowTable {
  seq: Generated<number>
  collection_id: string
  content: string
}

export interface LeaseTable {
  name: string
  holder: string
  token: number
  expires_at: number
  /** Holder's host identity and process id (migration 5); null for leases taken before it. */
  host: string | null
  pid: number | null
}

export interface AlertIncidentTable {
  id: string
  key: string
  scheme_id: string
  rule: string
  severity: string
  status: string
  opened_at: number
  updated_at: number
  resolved_at: number | null
  details: string
}

export interface AlertDeliveryTable {
  seq: Generated<number>
  incident_id: string
  channel: string
  state: string
  at: number
  ok: number
  error: string | null
}

export interface AlertChannelTable {
  name: string
  type: string
  config_enc: string
  updated_at: number
}

export interface UserTable {
  id: string
  name: string
  role: string
  /** `scrypt$N$r$p$salt$hash` (base64url); never the password. */
  password_hash: string
  disabled: number
  created_at: number
  updated_at: number
}

export interface SessionTable {
  /** SHA-256 of the session id the cookie carries. */
  id_hash: string
  user_id: string
  csrf_hash: string
  ip: string | null
  created_at: number
  expires_at: number
  last_seen_at: number
}

export interface ApiTokenTable {
  id: string
  name: string
  role: string
  token_hash: string
  created_by: string
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
}

export interface AuditLogTable {
  seq: Generated<number>
  at: number
  actor: string
  actor_kind: string
  role: string | null
  action: string
  target: string
  status: number
  ip: string | null
  request_id: string | null
  detail: string | null
}

export interface StoreDatabase {
  ferry_meta: MetaTable
  ferry_migrations: MigrationTable
  schemes: SchemeTable
  scheme_versions: SchemeVersionTable
  connections: ConnectionTable
  credentials: CredentialTable
  runs: RunTable
  run_counters: RunCounterTable
  run_log: RunLogTable
  closed_windows: ClosedWindowTable
  records: RecordTable
  record_events: RecordEventTable
  lookup_keys: LookupKeyTable
  collection_index: CollectionIndexTable
  static_collections: StaticCollectionTable
  static_rows: StaticRowTable
  leases: LeaseTable
  alert_incidents: AlertIncidentTable
  alert_deliveries: AlertDeliveryTable
  alert_channels: AlertChannelTable
  users: UserTable
  sessions: SessionTable
  api_tokens: ApiTokenTable
  audit_log: AuditLogTable
}
