/**
 * Secrets never leave Ferry in logs, errors, API responses or snapshots. Every place that prints
 * or serialises external data goes through these helpers.
 */
import { MAX_JSON_DEPTH } from './limits.js'
import { remembered } from './memo.js'

/** Keys whose values are secrets, compared case-insensitively with `-` and `_` ignored. */
const SECRET_KEYS = new Set(
  [
    'app_secret',
    'appsecret',
    'access_token',
    'refresh_token',
    'client_secret',
    'app-token',
    'apptoken',
    'app_signature',
    'x-api-signature',
    'sign',
    'password',
    'master_key',
    'secret',
    'token',
    'authorization',
  ].map(normaliseKey),
)

function normaliseKey(k: string): string {
  return k.toLowerCase().replace(/[-_]/g, '')
}

export const REDACTED = '[redacted]'

/**
 * Names that end like a secret (`new_access_token`, `x-client-secret`, `db_password`) are secrets
 * too: vendors invent prefixes, and a redacted non-secret costs less than a leaked one.
 */
const SECRET_SUFFIX = /(token|secret|password|passwd|apikey|privatekey|signature)$/

/** Answers by key name: vendor answers repeat a few dozen names, and redaction asks for every key. */
const secretKeys = new Map<string, boolean>()

export function isSecretKey(key: string): boolean {
  return remembered(secretKeys, 4096, key, (name) => {
    const k = normaliseKey(name)
    return SECRET_KEYS.has(k) || SECRET_SUFFIX.test(k)
  })
}

/** Deep copy with secret-keyed values replaced. Cycles are cut, and so is nesting past {@link MAX_JSON_DEPTH}. */
export function redact<T>(value: T, seen = new WeakSet<object>(), depth = 1): T {
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) return '[cycle]' as T
  if (depth > MAX_JSON_DEPTH) return '[too deep]' as T
  seen.add(value)
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v, seen, depth + 1)) as T
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const kept = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, seen, depth + 1)
    // defineProperty: `out.__proto__ = …` would set the prototype and drop a data key named so.
    Object.defineProperty(out, k, { value: kept, enumerable: true, writable: true, configurable: true })
  }
  return out as T
}

/**
 * Replace every occurrence of the given secret strings inside free text (URLs, bodies, messages),
 * and every value that follows a secret-looking key ({@link scrubSecretFields}), so a quoted
 * answer carrying a token nobody knew yet (a fresh access_token) is covered too.
 */
export function scrubText(text: string, secrets: Iterable<string | undefined>): string {
  let out = text
  for (const s of secrets) {
    if (s !== undefined && s.length >= 4) out = out.split(s).join(REDACTED)
  }
  return scrubSecretFields(out)
}

/**
 * `key: value` and `key=value` pairs in text that need not parse: JSON (`"access_token":"…"`,
 * possibly cut off before its closing quote), form and query strings (`refresh_token=…&`),
 * headers (`Authorization: Bearer …`). The value runs to its closing quote, or for a bare value
 * to the next separator; a value cut off by truncation runs to the end of the text.
 */
const KEYED_VALUE =
  /(\\?["']|)([A-Za-z][\w.-]{0,63})\1(\s*[:=]\s*)(\[redacted\]|\\"(?:[^"\\]|\\[^"])*(?:\\"|$)|"(?:[^"\\]|\\.)*(?:"|$)|'[^']*(?:'|$)|(?:Bearer|Basic)\s+[^\s,;&}\]"'\\]*|[^\s,;&}\]"'\\]+)/g

export function scrubSecretFields(text: string): string {
  return text.replace(KEYED_VALUE, (whole, q: string, key: string, sep: string, value: string) => {
    if (value === REDACTED || !isSecretKey(key)) return whole
    // The value's own quote, `"`, `'` or `\"` when the body is itself quoted inside JSON text.
    const quote = /^(\\"|"|')/.exec(value)?.[0] ?? ''
    if (quote !== '' && value === quote + quote) return whole
    const closed = quote !== '' && value.length > quote.length && value.endsWith(quote)
    return `${q}${key}${q}${sep}${quote}${REDACTED}${closed ? quote : ''}`
  })
}
