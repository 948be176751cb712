/**
 * JDY API-gateway request signing (spec §2), implemented after the official Java `apigwclient`:
 * HMAC-SHA256 over a canonical string, hex-lowercased, then Base64 of that hex *text*.
 *
 * Two encoders matter and they differ on purpose: FORM is `java.net.URLEncoder` (leaves `*`,
 * encodes `~`) and GW is Kingdee's `GwURLEncoder` (leaves `~`, encodes `*`). The canonical query
 * is GW(FORM(x)), so a value with ` !'()*~` signs differently from the "double
 * encodeURIComponent" that most third-party clients use (vector V5).
 */
import { createHmac, randomInt } from 'node:crypto'
import { remembered } from '../../core/memo.js'

function percentOf(c: string): string {
  return '%' + c.charCodeAt(0).toString(16).toUpperCase()
}

/** `java.net.URLEncoder.encode(s, "UTF-8")`: keeps `A-Za-z0-9.-*_`, space → `+`. */
export function formEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, percentOf)
    .replace(/%20/g, '+')
}

/** Kingdee `GwURLEncoder`: keeps `A-Za-z0-9-_.~`, space → `+`. */
export function gwEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, percentOf)
    .replace(/%20/g, '+')
}

/** Query parameters as Ferry sends them: empty and undefined values are neither sent nor signed. */
export type QueryParams = Readonly<Record<string, string | number | boolean | undefined | null>>

/** The parameters that are actually sent, as strings, in key order (signed set = sent set). */
export function sentParams(params: QueryParams = {}): [string, string][] {
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue
    const s = String(v)
    if (s === '') continue
    out.push([k, s])
  }
  return out
}

/** Java `String.compareTo`: UTF-16 code-unit order, which is what JS `<` compares. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The third line of the string-to-sign (official `getQueryEncode`); '' when there is no query. */
export function canonicalQuery(params?: QueryParams): string {
  // Saves carry no query: the common case skips the encoders (and keeps their call sites monomorphic).
  if (params === undefined) return ''
  const items = sentParams(params).map(([k, v]) => `${gwEncode(k)}=${formEncode(v)}`)
  items.sort(compareCodeUnits)
  return items
    .map((item) => {
      const eq = item.indexOf('=')
      return `${gwEncode(item.slice(0, eq))}=${gwEncode(item.slice(eq + 1))}`
    })
    .join('&')
}

/** The query string actually sent (form-encoded, sorted); '' when there is no query. */
export function wireQuery(params?: QueryParams): string {
  if (params === undefined) return ''
  return sentParams(params)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`)
    .sort(compareCodeUnits)
    .join('&')
}

export interface SignInput {
  readonly method: 'GET' | 'POST'
  /** Path without query, e.g. `/jdy/v2/scm/inv_check_loss_bill`. */
  readonly path: string
  readonly params?: QueryParams
  readonly nonce: string
  readonly timestamp: string
}

/** `gwEncode` of API paths, which are a handful of constants per connection. */
const encodedPaths = new Map<string, string>()

function encodedPath(path: string): string {
  return remembered(encodedPaths, 256, path, gwEncode)
}

/** The exact string HMAC'd; note the mandatory trailing newline after the timestamp line. */
export function stringToSign(input: SignInput): string {
  // Header names are lower-cased and sorted, so nonce always precedes timestamp.
  return [
    input.method.toUpperCase(),
    encodedPath(input.path),
    canonicalQuery(input.params),
    `x-api-nonce:${input.nonce}`,
    `x-api-timestamp:${input.timestamp}`,
    '',
  ].join('\n')
}

/** Base64 of the lowercase hex text of HMAC-SHA256(key, message): 88 characters. */
export function hmacHexBase64(key: string, message: string): string {
  const hex = createHmac('sha256', key).update(message, 'utf8').digest('hex')
  return Buffer.from(hex, 'ascii').toString('base64')
}

/** `X-Api-Signature` for one request. */
export function signRequest(input: SignInput, clientSecret: string): string {
  return hmacHexBase64(clientSecret, stringToSign(input))
}

/** `app_signature` for `kingdee_auth_token`: key = appSecret, message = app_key (spec §1.2, V1). */
export function appSignature(appKey: string, appSecret: string): string {
  return hmacHexBase64(appSecret, appKey)
}

/** A 10-digit random positive integer, like the official Java client. */
export function makeNonce(): string {
  return String(randomInt(1_000_000_000, 10_000_000_000))
}

/** The six signing headers of spec §2.1 (the doc order of `X-Api-SignHeaders`). */
export function signingHeaders(
  input: { method: 'GET' | 'POST'; path: string; params?: QueryParams },
  clientId: string,
  clientSecret: string,
  now: Date,
  nonce: string = makeNonce(),
): Record<string, string> {
  const timestamp = String(now.getTime())
  return {
    'X-Api-ClientID': clientId,
    'X-Api-Auth-Version': '2.0',
    'X-Api-TimeStamp': timestamp,
    'X-Api-Nonce': nonce,
    'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
    'X-Api-Signature': signRequest({ ...input, nonce, timestamp }, clientSecret),
  }
}
