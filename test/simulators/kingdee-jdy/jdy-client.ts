/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read arbitrary vendor JSON */
/**
 * A minimal JDY client written for these tests only, independent of the simulator's code and of
 * the real connector: its encoders work byte by byte from the spec's character tables (§2.2), so
 * a shared misunderstanding would have to be made twice, in two different ways.
 */
import { createHmac } from 'node:crypto'

const FORM_SAFE = /[A-Za-z0-9.\-*_]/
const GW_SAFE = /[A-Za-z0-9\-_.~]/

function encodeWith(safe: RegExp, s: string): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    if (byte < 0x80 && safe.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/** `java.net.URLEncoder` (spec §2.2 FORM). */
export const form = (s: string): string => encodeWith(FORM_SAFE, s)
/** Kingdee `GwURLEncoder` (spec §2.2 GW). */
export const gw = (s: string): string => encodeWith(GW_SAFE, s)

export function canonical(params: Record<string, string>): string {
  const items = Object.entries(params)
    .map(([k, v]) => `${gw(k)}=${form(v)}`)
    .sort()
  return items
    .map((it) => {
      const i = it.indexOf('=')
      return `${gw(it.slice(0, i))}=${gw(it.slice(i + 1))}`
    })
    .join('&')
}

export interface SignParts {
  method: string
  path: string
  query: string
  nonce: string
  timestamp: string
  /** Leave off the mandatory final newline (a classic bug, spec §2.4 V2). */
  dropTrailingNewline?: boolean
}

export function signingText(p: SignParts): string {
  const text =
    [p.method.toUpperCase(), gw(p.path), p.query, `x-api-nonce:${p.nonce}`, `x-api-timestamp:${p.timestamp}`].join(
      '\n',
    ) + '\n'
  return p.dropTrailingNewline === true ? text.slice(0, -1) : text
}

export type SignVariant = 'official' | 'raw_digest' | 'upper_hex'

export function hmacSign(secret: string, text: string, variant: SignVariant = 'official'): string {
  const mac = createHmac('sha256', secret).update(text, 'utf8')
  if (variant === 'raw_digest') return mac.digest('base64')
  const hex = mac.digest('hex')
  return Buffer.from(variant === 'upper_hex' ? hex.toUpperCase() : hex).toString('base64')
}

export interface Creds {
  clientId: string
  clientSecret: string
  outerInstanceId: string
  appKey: string
  appSecret: string
  domain: string
}

export interface CallOptions {
  query?: Record<string, string>
  body?: unknown
  /** Raw body text, sent as is (for malformed-input tests). */
  rawBody?: string
  /** Headers to add or override; `null` removes one. */
  headers?: Record<string, string | null>
  /** Send business headers (app-token, X-GW-Router-Addr). Default: true except for auth paths. */
  business?: boolean
  /** How the query line is canonicalised for signing (the naive one is spec §2.4 V5's bug). */
  queryEncoding?: 'official' | 'naive'
  signVariant?: SignVariant
  dropTrailingNewline?: boolean
  signal?: AbortSignal
  /** Use this nonce instead of a fresh one. */
  nonce?: string
}

export interface CallResult {
  status: number
  headers: Headers
  text: string
  json: any
}

let nonceCounter = 0

export class JdyTestClient {
  token: string | undefined
  constructor(
    readonly baseUrl: string,
    public creds: Creds,
    readonly now: () => number = Date.now,
  ) {}

  async call(method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
    const query = o.query ?? {}
    const nonce = o.nonce ?? String(1_000_000_000 + (++nonceCounter % 8_999_999_999))
    const timestamp = String(this.now())
    const naive = (s: string): string => encodeURIComponent(encodeURIComponent(s))
    const q =
      o.queryEncoding === 'naive'
        ? Object.keys(query)
            .sort()
            .map((k) => `${naive(k)}=${naive(query[k]!)}`)
            .join('&')
        : canonical(query)
    const text = signingText({ method, path, query: q, nonce, timestamp, dropTrailingNewline: o.dropTrailingNewline })
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Api-ClientID': this.creds.clientId,
      'X-Api-Auth-Version': '2.0',
      'X-Api-TimeStamp': timestamp,
      'X-Api-Nonce': nonce,
      'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
      'X-Api-Signature': hmacSign(this.creds.clientSecret, text, o.signVariant),
    }
    const business = o.business ?? !path.startsWith('/jdyconnector/')
    if (business) {
      if (this.token !== undefined) headers['app-token'] = this.token
      headers['X-GW-Router-Addr'] = this.creds.domain
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      for (const existing of Object.keys(headers))
        if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing]
      if (v !== null) headers[k] = v
    }
    const qs = Object.entries(query)
      .map(([k, v]) => `${form(k)}=${form(v)}`)
      .join('&')
    const sendQuery =
      o.queryEncoding === 'naive'
        ? Object.entries(query)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&')
        : qs
    const url = `${this.baseUrl}${path}${sendQuery === '' ? '' : `?${sendQuery}`}`
    const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body))
    const res = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    })
    const textBody = await res.text()
    let json: any
    try {
      json = JSON.parse(textBody)
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, text: textBody, json }
  }

  appSignature(secret = this.creds.appSecret): string {
    const hex = createHmac('sha256', secret).update(this.creds.appKey).digest('hex')
    return Buffer.from(hex).toString('base64')
  }

  /** push_app_authorize for this client's book; adopts the returned appSecret and domain. */
  async authorize(): Promise<CallResult> {
    const r = await this.call('POST', '/jdyconnector/app_management/push_app_authorize', {
      query: { outerInstanceId: this.creds.outerInstanceId },
      body: {},
    })
    const row = (r.json?.data ?? []).find((x: any) => x.outerInstanceId === this.creds.outerInstanceId)
    if (row !== undefined)
      this.creds = { ...this.creds, appKey: row.appKey, appSecret: row.appSecret, domain: row.domain }
    return r
  }

  async fetchToken(): Promise<CallResult> {
    const r = await this.call('GET', '/jdyconnector/app_management/kingdee_auth_token', {
      query: { app_key: this.creds.appKey, app_signature: this.appSignature() },
    })
    const t = r.json?.data?.['app-token']
    if (typeof t === 'string') this.token = t
    return r
  }

  /** authorize → token; throws when either step fails. */
  async login(): Promise<void> {
    const a = await this.authorize()
    if (a.json?.code !== 200 && a.json?.errcode !== 0) throw new Error(`authorize failed: ${a.text}`)
    const t = await this.fetchToken()
    if (t.json?.errcode !== 0) throw new Error(`token failed: ${t.text}`)
  }
}
