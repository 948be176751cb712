/** The settings of a batch-http connection (docs/connectors/batch-http.md is generated from them). */
import type { ConfigSpec } from '../contract.js'

export const BATCH_HTTP_CONFIG: ConfigSpec = {
  baseUrl: { type: 'url', required: true, title: 'Base URL', description: 'Every call path is appended to it.' },
  token: {
    type: 'secret',
    required: true,
    title: 'Bearer token',
    description: 'Sent as `Authorization: Bearer <token>`; never logged.',
  },
}

export interface BatchHttpOptions {
  readonly baseUrl: string
  readonly token: string
}

/** The options of a connection whose settings the registry has already checked against the spec. */
export function parseBatchHttpConfig(c: Readonly<Record<string, unknown>>): BatchHttpOptions {
  return { baseUrl: String(c.baseUrl), token: String(c.token) }
}
