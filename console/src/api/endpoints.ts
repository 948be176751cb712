/** Typed calls, one per API route the console uses; new pages add theirs here. */
import { api, setCsrfToken, withQuery } from './client.js'
import type {
  LedgerRecord,
  Me,
  RecordEvent,
  RecordPage,
  RecordStatus,
  RetryAnswer,
  Run,
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
