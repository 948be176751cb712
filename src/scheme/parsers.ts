/**
 * Value parsers (值解析器) of field specs, applied to a mapped value after evaluation and before
 * the declared type is applied. ArrayToString / StringToArray are seen in real schemes; the
 * ConvertJson / ConvertObjectParser / ConvertTwoStageObjectParser semantics follow the
 * platform's parser documentation (datahub docs/advanced/parser.md) and are [INFERRED] where
 * that page is silent — see docs/schemes.md "Value parsers".
 */
import { ParserInput } from './errors.js'
import { isPlainObject } from './path.js'
import type { ParserSpec } from './types.js'
import { toText } from './values.js'

interface ParserDef {
  /** Parameter keys the parser needs (validation reports a missing one). */
  readonly needs: readonly ('params' | 'params1' | 'params2')[]
  /**
   * Whether the field's declared `type` describes the parser's input (`before`) or its result
   * (`after`). Real 星空 schemes declare `"type":"string"` on a field whose ConvertObjectParser
   * makes `{"FNumber": "…"}`: the type is the value's, the parser shapes it.
   */
  readonly typed: 'before' | 'after'
  readonly apply: (value: unknown, spec: ParserSpec, at: string) => unknown
}

const str = (spec: ParserSpec, k: string): string => (typeof spec[k] === 'string' ? spec[k] : '')

/** `{"1033": "x"}` → `[{"Key": 1033, "Value": "x"}]`; integer-looking keys become numbers (as the platform shows). */
function keyValueList(obj: Record<string, unknown>): { Key: string | number; Value: unknown }[] {
  return Object.entries(obj).map(([k, v]) => ({ Key: /^(0|[1-9]\d{0,14})$/.test(k) ? Number(k) : k, Value: v }))
}

const PARSERS: Readonly<Record<string, ParserDef>> = {
  /** A list becomes one string joined by `params` (default ","); a non-list passes unchanged. */
  ArrayToString: {
    needs: [],
    typed: 'after',
    apply: (value, spec) => (Array.isArray(value) ? value.map(toText).join(str(spec, 'params') || ',') : value),
  },
  /** A string becomes a list split at `params` (default ","); empty or blank → []; a non-string passes. */
  StringToArray: {
    needs: [],
    typed: 'before',
    apply: (value, spec) =>
      typeof value !== 'string' ? value : value.trim() === '' ? [] : value.split(str(spec, 'params') || ','),
  },
  /**
   * An object (or JSON text of one, newlines removed first) becomes a `[{Key, Value}]` list.
   * Null passes; anything else fails the record (a silent pass-through would write the wrong shape).
   */
  ConvertJson: {
    needs: [],
    typed: 'before',
    apply: (value, _spec, at) => {
      if (value === null || value === undefined) return value
      let obj: unknown = value
      if (typeof value === 'string') {
        try {
          obj = JSON.parse(value.replace(/[\r\n]/g, ''))
        } catch {
          throw ParserInput(['ConvertJson', at, 'text that is not JSON'], { location: at })
        }
      }
      if (!isPlainObject(obj))
        throw ParserInput(['ConvertJson', at, Array.isArray(obj) ? 'a list' : typeof obj], { location: at })
      return keyValueList(obj)
    },
  },
  /** `v` → `{[params]: v}` (金蝶云星空 base data: `{"FNumber": "SUP001"}`). Null stays null (the field is omitted). */
  ConvertObjectParser: {
    needs: ['params'],
    typed: 'before',
    apply: (value, spec) => (value === null || value === undefined ? value : { [str(spec, 'params')]: value }),
  },
  /** `v` → `{[params1]: {[params2]: v}}`. Null stays null. */
  ConvertTwoStageObjectParser: {
    needs: ['params1', 'params2'],
    typed: 'before',
    apply: (value, spec) =>
      value === null || value === undefined ? value : { [str(spec, 'params1')]: { [str(spec, 'params2')]: value } },
  },
}

export const PARSER_NAMES: readonly string[] = Object.keys(PARSERS)

export function isKnownParser(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(PARSERS, name)
}

/** Parameter keys a known parser requires. */
export function parserNeeds(name: string): readonly string[] {
  return isKnownParser(name) ? PARSERS[name]!.needs : []
}

/** True when the field's declared type applies to the parser's input rather than its result. */
export function typedBeforeParser(spec: ParserSpec): boolean {
  return isKnownParser(spec.name) && PARSERS[spec.name]!.typed === 'before'
}

/** Apply a parser; the caller has validated the name. `at` is the payload path for errors. */
export function applyParser(spec: ParserSpec, value: unknown, at = ''): unknown {
  const p = isKnownParser(spec.name) ? PARSERS[spec.name] : undefined
  return p === undefined ? value : p.apply(value, spec, at)
}
