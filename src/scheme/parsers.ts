/**
 * Value parsers (值解析器) of field specs, applied to a mapped value after evaluation.
 * Only the two the platform is confirmed to use are implemented; validation rejects the rest.
 */
import type { ParserSpec } from './types.js'
import { toText } from './values.js'

type Parser = (value: unknown, params: string) => unknown

const PARSERS: Readonly<Record<string, Parser>> = {
  /** A list becomes one string joined by `params` (default ","); a non-list passes unchanged. */
  ArrayToString: (value, sep) => (Array.isArray(value) ? value.map(toText).join(sep === '' ? ',' : sep) : value),
  /** A string becomes a list split at `params` (default ","); empty → []; a non-string passes. */
  StringToArray: (value, sep) => {
    if (typeof value !== 'string') return value
    return value === '' ? [] : value.split(sep === '' ? ',' : sep)
  },
}

export const PARSER_NAMES: readonly string[] = Object.keys(PARSERS)

export function isKnownParser(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(PARSERS, name)
}

/** Apply a parser; the caller has validated the name. */
export function applyParser(spec: ParserSpec, value: unknown): unknown {
  const p = isKnownParser(spec.name) ? PARSERS[spec.name] : undefined
  return p === undefined ? value : p(value, typeof spec.params === 'string' ? spec.params : '')
}
