/** The settings of a tiny-vendor connection. */
import type { ConfigSpec } from '../../../src/connectors/contract.js'

export const TINY_CONFIG: ConfigSpec = {
  baseUrl: { type: 'url', required: true, title: 'Base URL', description: 'Every call path is appended to it.' },
  apiKey: { type: 'secret', required: true, title: 'API key', description: 'Sent as `x-tiny-key`; never logged.' },
  pageSize: { type: 'number', default: 2, description: 'Orders per page.' },
}

export interface TinyOptions {
  readonly baseUrl: string
  readonly apiKey: string
  readonly pageSize: number
}

export function parseTinyConfig(c: Readonly<Record<string, unknown>>): TinyOptions {
  return { baseUrl: String(c.baseUrl), apiKey: String(c.apiKey), pageSize: Number(c.pageSize) }
}
