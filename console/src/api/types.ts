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
