/**
 * The JST md5 signature (JST spec §3.1), written independently of the connector:
 * md5_hex_lower(app_secret + concat(key + value for every non-empty param except `sign`,
 * keys in code-unit order)). `biz` is signed exactly as received, never re-serialised (§3.2).
 */
import { createHash } from 'node:crypto'

/** The string that is hashed (exposed for tests and for explaining mismatches; contains the secret). */
export function jstSignBase(appSecret: string, params: Readonly<Record<string, string | undefined | null>>): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign')
    .filter((k) => {
      const v = params[k]
      return v !== undefined && v !== null && v !== ''
    })
    // Code-unit order, as Java TreeMap / PHP ksort; never localeCompare.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return appSecret + keys.map((k) => `${k}${String(params[k])}`).join('')
}

/** Lowercase hex md5 signature over `params` (the `sign` entry, if any, is ignored). */
export function jstSign(appSecret: string, params: Readonly<Record<string, string | undefined | null>>): string {
  return createHash('md5').update(jstSignBase(appSecret, params), 'utf8').digest('hex')
}
