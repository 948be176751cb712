/**
 * The JDY gateway signature, implemented from spec §2.2–2.3 for the simulator only. It shares no
 * code with the connector on purpose: if both sides imported one helper, a canonicalisation bug
 * would be invisible to every test.
 */
import { createHmac } from 'node:crypto'

function hexEscape(c: string): string {
  return '%' + c.charCodeAt(0).toString(16).toUpperCase()
}

/** `java.net.URLEncoder.encode(s, "UTF-8")`: keeps `A-Za-z0-9.-*_`, space → `+`. */
export function formEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, hexEscape)
    .replace(/%20/g, '+')
}

/** Kingdee `GwURLEncoder`: keeps `A-Za-z0-9-_.~`, space → `+`. */
export function gwEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, hexEscape)
    .replace(/%20/g, '+')
}

/**
 * The third line of the string-to-sign, from decoded `(key, value)` pairs: FORM-encode, sort the
 * `k=v` strings by UTF-16 code units (Java `String.compareTo`), then GW-encode both halves again.
 */
export function canonicalQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const items = params.map(([k, v]) => `${gwEncode(k)}=${formEncode(v)}`)
  items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return items
    .map((item) => {
      const eq = item.indexOf('=')
      return `${gwEncode(item.slice(0, eq))}=${gwEncode(item.slice(eq + 1))}`
    })
    .join('&')
}

/**
 * The canonical query a "double encodeURIComponent" client computes (spec §2.2, V5). Only used
 * when the simulator is told to accept that bug (`signature.acceptNaiveQueryEncoding`).
 */
export function naiveCanonicalQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const enc = (s: string): string => encodeURIComponent(encodeURIComponent(s))
  return params
    .map(([k, v]) => [k, v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&')
}

export interface StringToSignInput {
  readonly method: string
  /** URL path without the query. */
  readonly path: string
  /** The query as canonicalised text (see {@link canonicalQuery}). */
  readonly canonicalQuery: string
  /** Lower-cased signed header names with their values; sorted here. */
  readonly headers: ReadonlyArray<readonly [string, string]>
}

export function stringToSign(input: StringToSignInput): string {
  const headerLines = input.headers
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('')
  return `${input.method.toUpperCase()}\n${gwEncode(input.path)}\n${input.canonicalQuery}\n${headerLines}`
}

/** `Base64( hexLower( HMAC_SHA256(key, msg) ) )`: Base64 of the hex text, 88 characters. */
export function hmacHexBase64(key: string, msg: string): string {
  const hex = createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(msg, 'utf8')).digest('hex')
  return Buffer.from(hex, 'ascii').toString('base64')
}

/** `app_signature` of `kingdee_auth_token` (spec §1.2): key = appSecret, message = app_key. */
export function appSignature(appSecret: string, appKey: string): string {
  return hmacHexBase64(appSecret, appKey)
}

/** Compare two signatures without leaking where they differ through timing. */
export function sameSignature(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
