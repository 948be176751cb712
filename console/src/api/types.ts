/** The shapes the console reads from the API (docs/api.md); only the fields it uses. */
export type Role = 'viewer' | 'operator' | 'admin'
export const ROLE_ORDER: readonly Role[] = ['viewer', 'operator', 'admin']
export const atLeast = (have: Role, need: Role) => ROLE_ORDER.indexOf(have) >= ROLE_ORDER.indexOf(need)

export interface Me {
  kind: 'user' | 'token'
  id: string
  name: string
  role: Role
}

export interface SchemeSummary {
  id: string
  name: string
  source: { connection: string; api: string }
  target?: { connection: string; api: string }
  collection?: boolean
  schedule: { source: string | null; target: string | null; timezone: string | null; start: string | null }
  paused: boolean
  pauseReason: string | null
  version: number | null
}

export type RecordStatus = 'waiting' | 'queued' | 'unknown' | 'done' | 'duplicate' | 'error'
export const RECORD_STATUSES: readonly RecordStatus[] = ['waiting', 'queued', 'unknown', 'done', 'duplicate', 'error']

export type LedgerCounts = Partial<Record<RecordStatus, number>>
export interface SchemeDetail extends SchemeSummary {
  ledger: LedgerCounts
  definition: unknown
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled'
export interface Run {
  id: string
  schemeId: string
  kind: string
  status: RunStatus
  startedAt: string
  finishedAt: string | null
  errorCode: string | null
  errorMessage: string | null
  counters: Record<string, Record<string, number>>
}

export interface LedgerRecord {
  seq: number
  id: string
  number: string | null
  content: Record<string, unknown>
  payload: Record<string, unknown> | null
  payloadEdited: boolean
  targetId: string | null
  response: unknown
  status: RecordStatus
  attempts: number
  inFlight: boolean
  lastError: { code: string; kind: string; message: string } | null
  resolvedAt: string | null
  resolvedNote: string | null
  changedAfterSync: boolean
  createdAt: string
  updatedAt: string
}

export interface RecordEvent {
  at: string
  event: string
  detail: Record<string, unknown> | null
}
export interface RecordPage {
  records: LedgerRecord[]
  nextCursor?: string
}
export interface RetryAnswer {
  requeued: string[]
  runId: string | null
  note?: string
}

// --- Dashboard, scheme page, connections, reconcile (issue 15, dashboard slice) ---

export interface DayCounts {
  day: string
  read: number
  written: number
  calls: number
  throttled: number
}

export interface SchemeStats {
  id: string
  timeZone: string
  lastSyncTime: string | null
  lagSeconds: number | null
  days: DayCounts[]
  failedByCode: { code: string; count: number }[]
  throttled: { calls: number; throttled: number }
  lastRun: { id: string; kind: string; status: RunStatus; startedAt: string; finishedAt: string | null } | null
  reconcile: ReconcileStatus | null
}

export interface ReconcileStatus {
  runId: string
  status: RunStatus
  at: string
  from: string | null
  to: string | null
  counts: Record<string, number>
  differences: number
}

export interface Dashboard {
  generatedAt: string
  days: number
  schemes: SchemeStats[]
}

export interface RunDetail extends Run {
  params?: unknown
  live?: { stage: string; counters: Record<string, number> }
}

/** `GET /runs/{id}/events`: one `progress` per report, then one `end`. */
export interface RunProgressEvent {
  runId: string
  schemeId: string
  stage?: string
  counters: Record<string, number> | Record<string, Record<string, number>>
}
export interface RunEndEvent {
  runId: string
  schemeId?: string
  status?: RunStatus
  counters?: Record<string, unknown>
  error?: { code: string; message: string }
  note?: string
}

export interface ConfigField {
  type: 'string' | 'secret' | 'number' | 'boolean' | 'url'
  required?: boolean
  default?: string | number | boolean
  description?: string
  title?: string
}
export interface Connector {
  name: string
  title: string
  settings: Record<string, ConfigField>
}
export interface Connection {
  id: string
  connector: string
  source: 'store' | 'config'
  /** Secrets appear only as "set"; a secret not set is absent. */
  settings: Record<string, string | number | boolean>
  updatedAt?: string
}

export interface Job {
  id: string
  kind: string
  schemeId: string
  status: 'running' | 'succeeded' | 'failed'
  result?: unknown
  error?: { code: string; message: string }
}

export interface ReconcileDifference {
  reason: string
  kind: string
  key: string
  code: string
  recordIds?: string[]
  targetId?: string
}
export interface ReconcileResult {
  result: RunDetail
  differences: ReconcileDifference[]
  repairs: { note: string; action?: string; key?: string }[]
  nextCursor?: string
}
