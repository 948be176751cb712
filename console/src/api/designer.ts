/** Typed calls of the flow designer and the mapping editor (docs/api.md, "Designer"). */
import { api, withQuery } from './client.js'

const seg = encodeURIComponent

export interface Problem {
  code: string
  kind?: string
  message: string
  /** JSON path in the scheme, with `@line:col` for a problem inside an expression. */
  location?: string
}
export interface Warning {
  code: string
  path: string
  message: string
}
export interface DiffEntry {
  path: string
  op: 'added' | 'removed' | 'changed'
  before?: unknown
  after?: unknown
}
export interface DraftDiff {
  against: number
  changes: DiffEntry[]
  ok: boolean
  errors: Problem[]
  warnings: Warning[]
}
export interface SavedVersion {
  version: number
  changed: boolean
  previous: number | null
  warnings: Warning[]
}
export interface SampleRecord {
  id: string
  number: string
  content: Record<string, unknown>
}
export interface FunctionHelp {
  name: string
  aliases: string[]
  signature: string
  description: string
  category: string
  examples: { value: string; record?: Record<string, unknown>; result: unknown }[]
}
export type Evaluation =
  | { ok: true; result: unknown; targets: string[] }
  | { ok: false; stage: 'parse' | 'evaluate'; error: Problem; targets: string[] }

export interface VersionInfo {
  version: number
  hash: string
  createdAt: string
}

export const designer = {
  versions: async (scheme: string) =>
    (await api<{ versions: VersionInfo[] }>('GET', `/schemes/${seg(scheme)}/versions`)).versions,
  diff: (scheme: string, definition: unknown) => api<DraftDiff>('POST', `/schemes/${seg(scheme)}/diff`, { definition }),
  save: (scheme: string, definition: unknown, basedOn: number | null) =>
    api<SavedVersion>('POST', `/schemes/${seg(scheme)}/versions`, {
      definition,
      ...(basedOn === null ? {} : { basedOn }),
    }),
  validate: (definition: unknown) =>
    api<{ ok: boolean; errors: Problem[]; warnings: Warning[] }>('POST', '/schemes/validate', { definition }),
  sample: (scheme: string, limit = 5) =>
    api<{ from: 'ledger' | 'source'; records: SampleRecord[] }>(
      'GET',
      withQuery(`/schemes/${seg(scheme)}/sample`, { limit }),
    ),
  functions: async () => (await api<{ functions: FunctionHelp[] }>('GET', '/expressions/functions')).functions,
  evaluate: (body: { value: string; record: Record<string, unknown>; rowPath?: string; timezone?: string }) =>
    api<Evaluation>('POST', '/expressions/evaluate', body),
  targets: async (values: string[]) =>
    (await api<{ values: { targets: string[] }[] }>('POST', '/expressions/targets', { values })).values,
  runNow: (scheme: string) => api<{ runId: string }>('POST', `/schemes/${seg(scheme)}/runs`, {}),
}
