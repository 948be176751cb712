/** Typed calls, one per API route the console uses; new pages add theirs here. */
import { api, setCsrfToken, withQuery } from './client.js'
import type {
  Connection,
  Connector,
  Dashboard,
  Job,
  LedgerRecord,
  Me,
  RecordEvent,
  RecordPage,
  ReconcileResult,
  ReconcileStatus,
  RecordStatus,
  RetryAnswer,
  Run,
  RunDetail,
  SchemeDetail,
  SchemeSummary,
} from './types.js'

const seg = encodeURIComponent

export const auth = {
  me: () => api<Me>('GET', '/auth/me'),
  async login(name: string, password: string): Promise<Me> {
    const r = await api<{ user: { id: string; name: string; role: Me['role'] }; csrfToken: string }>(
      'POST',
      '/auth/login',
      { name, password },
    )
    setCsrfToken(r.csrfToken)
    return { kind: 'user', ...r.user }
  },
  async logout(): Promise<void> {
    await api<unknown>('POST', '/auth/logout')
    setCsrfToken(undefined)
  },
}

export const schemes = {
  list: async () => (await api<{ schemes: SchemeSummary[] }>('GET', '/schemes')).schemes,
  get: (id: string) => api<SchemeDetail>('GET', `/schemes/${seg(id)}`),
}

export const runs = {
  list: async (scheme: string, limit = 10) =>
    (await api<{ runs: Run[] }>('GET', withQuery('/runs', { scheme, limit }))).runs,
}

/** `from`/`to`: the record's last change, `YYYY-MM-DDTHH:mm` read in Asia/Shanghai by the API. */
export interface RecordFilter {
  status?: RecordStatus
  errorCode?: string
  number?: string
  from?: string
  to?: string
  cursor?: string
  limit?: number
}

export const records = {
  search: (scheme: string, f: RecordFilter) =>
    api<RecordPage>('GET', withQuery(`/schemes/${seg(scheme)}/records`, { ...f })),
  get: (scheme: string, id: string) =>
    api<{ record: LedgerRecord; events: RecordEvent[] }>('GET', `/schemes/${seg(scheme)}/records/${seg(id)}`),
  retry: (scheme: string, id: string) => api<RetryAnswer>('POST', `/schemes/${seg(scheme)}/records/${seg(id)}/retry`),
  edit: (scheme: string, id: string, payload: Record<string, unknown>) =>
    api<RetryAnswer>('POST', `/schemes/${seg(scheme)}/records/${seg(id)}/edit`, { payload }),
  retryAllFailed: (scheme: string) =>
    api<RetryAnswer>('POST', `/schemes/${seg(scheme)}/records/retry`, { allFailed: true }),
  resolve: (scheme: string, id: string, note: string) =>
    api<{ record: LedgerRecord }>('POST', `/schemes/${seg(scheme)}/records/${seg(id)}/resolve`, { note }),
}

// --- Dashboard, scheme page, connections, reconcile (issue 15, dashboard slice) ---

export const dashboard = {
  get: (q: { scheme?: string; days?: number } = {}) => api<Dashboard>('GET', withQuery('/dashboard', { ...q })),
}

export const runDetail = {
  get: (id: string) => api<RunDetail>('GET', `/runs/${seg(id)}`),
  start: (scheme: string) =>
    api<{ runId: string; schemeId: string; events: string }>('POST', `/schemes/${seg(scheme)}/runs`, {}),
  /** The SSE stream of a run, for {@link useEventStream}. */
  eventsPath: (id: string) => `/runs/${seg(id)}/events`,
}

export const bulk = {
  retry: (scheme: string, ids: readonly string[]) =>
    api<RetryAnswer>('POST', `/schemes/${seg(scheme)}/records/retry`, { ids }),
}

export const connections = {
  connectors: async () => (await api<{ connectors: Connector[] }>('GET', '/connectors')).connectors,
  list: async () => (await api<{ connections: Connection[] }>('GET', '/connections')).connections,
  /** Secrets are write-only: leave one out (or send "set") to keep the stored value. */
  save: (id: string, connector: string, settings: Record<string, string | number | boolean>) =>
    api<Connection & { appliesAt: string }>('PUT', `/connections/${seg(id)}`, { connector, settings }),
}

export const reconcile = {
  list: async (scheme: string) =>
    (await api<{ results: RunDetail[] }>('GET', `/schemes/${seg(scheme)}/reconcile`)).results,
  start: (scheme: string, from: string, to: string) =>
    api<{ jobId: string }>('POST', `/schemes/${seg(scheme)}/reconcile`, { from, to }),
  job: (id: string) => api<Job>('GET', `/jobs/${seg(id)}`),
  differences: (scheme: string, runId: string, cursor?: string) =>
    api<ReconcileResult>('GET', withQuery(`/schemes/${seg(scheme)}/reconcile/${seg(runId)}`, { cursor, limit: 100 })),
}
export type { ReconcileStatus }
