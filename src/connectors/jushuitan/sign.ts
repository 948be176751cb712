/**
 * 聚水潭 request signing (spec §3): md5 over app_secret followed by `key + value` of every
 * non-empty parameter except `sign`, keys in code-unit (ASCII) order, as lowercase hex.
 *
 * `biz` is serialised once by the caller and the same string is signed and sent: the signature
 * covers the literal text, so re-serialising after signing would break it.
 */
import { createHash } from 'node:crypto'

export type FormParams = Readonly<Record<string, string | undefined>>

/** The string whose md5 is the signature; exported for the official test vectors. */
export function signingString(appSecret: string, params: FormParams): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== '')
    // Code-unit order as Java TreeMap / PHP ksort; localeCompare is not ASCII order.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return appSecret + keys.map((k) => `${k}${params[k]}`).join('')
}

export function signJst(appSecret: string, params: FormParams): string {
  return createHash('md5').update(signingString(appSecret, params), 'utf8').digest('hex')
}

/** Drop empty parameters, add `sign`, and encode as `application/x-www-form-urlencoded`. */
export function signedForm(appSecret: string, params: FormParams): string {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') body.append(k, v)
  body.append('sign', signJst(appSecret, params))
  return body.toString()
}

/** Public parameters of a business call (spec §2), in the order the official examples send them. */
export function businessParams(appKey: string, accessToken: string, timestampSec: number, biz: string): FormParams {
  return {
    app_key: appKey,
    access_token: accessToken,
    timestamp: String(timestampSec),
    charset: 'utf-8',
    version: '2',
    biz,
  }
}
