/**
 * A deliberately minimal JST client for driving the simulator in tests: its own md5 signing
 * (JST spec §3.1) and form encoding, no code shared with the simulator or the connectors.
 */
import { createHash } from 'node:crypto'

export function md5Sign(secret: string, params: Record<string, string>): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== '')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  let s = secret
  for (const k of keys) s += k + params[k]
  return createHash('md5').update(s, 'utf8').digest('hex')
}

/** Vendor JSON as tests read it: assertions check the shape, so the type stays open. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

export interface Reply {
  status: number
  text: string
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json?: { code: number; msg: string; data: Json; [k: string]: unknown }
}

/** POST a form exactly as given (fields in insertion order). */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  init: { signal?: AbortSignal } = {},
): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(fields).toString(),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  })
  const text = await res.text()
  let json: Reply['json']
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, text, ...(json === undefined ? {} : { json }) }
}

export interface Creds {
  appKey: string
  appSecret: string
  accessToken: string
}

/** Signed business-call fields; `biz` is serialised once and signed exactly as sent (§3.2). */
export function businessFields(c: Creds, biz: unknown, timestampSec: number): Record<string, string> {
  const f: Record<string, string> = {
    app_key: c.appKey,
    access_token: c.accessToken,
    timestamp: String(timestampSec),
    charset: 'utf-8',
    version: '2',
    biz: typeof biz === 'string' ? biz : JSON.stringify(biz),
  }
  f.sign = md5Sign(c.appSecret, f)
  return f
}

export function initTokenFields(
  appKey: string,
  appSecret: string,
  timestampSec: number,
  code = 'ab12cd',
): Record<string, string> {
  const f: Record<string, string> = {
    app_key: appKey,
    timestamp: String(timestampSec),
    grant_type: 'authorization_code',
    charset: 'utf-8',
    code,
  }
  f.sign = md5Sign(appSecret, f)
  return f
}

export function refreshFields(
  appKey: string,
  appSecret: string,
  refreshToken: string,
  timestampSec: number,
): Record<string, string> {
  const f: Record<string, string> = {
    app_key: appKey,
    timestamp: String(timestampSec),
    grant_type: 'refresh_token',
    charset: 'utf-8',
    refresh_token: refreshToken,
    scope: 'all',
  }
  f.sign = md5Sign(appSecret, f)
  return f
}

/** The client-side checks JST spec §6.1 asks for before calling; returns the problem or undefined. */
export function precheckCountBiz(biz: {
  modified_begin?: string
  modified_end?: string
  io_ids?: string
  page_size?: number
}): string | undefined {
  if ((biz.modified_begin === undefined) !== (biz.modified_end === undefined))
    return 'modified_begin and modified_end go together'
  if (biz.page_size !== undefined && (biz.page_size < 1 || biz.page_size > 50)) return 'page_size must be 1..50'
  if (biz.io_ids !== undefined && biz.io_ids.split(',').length > 50) return 'at most 50 io_ids'
  if (biz.modified_begin !== undefined && biz.modified_end !== undefined) {
    const ms = (s: string) => Date.parse(`${s.replace(' ', 'T')}+08:00`)
    if (ms(biz.modified_end) - ms(biz.modified_begin) > 7 * 86_400_000) return 'window longer than 7 days'
  } else if (biz.io_ids === undefined) {
    return 'a time range or io_ids is required'
  }
  return undefined
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai. */
export function shanghai(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}
