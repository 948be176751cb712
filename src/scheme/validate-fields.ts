/**
 * Validation of the field lists of a side's metadata (`request`, `otherRequest`, `response`,
 * `otherResponse`, a remedy's `takeOverRequest`): every evaluated `value` is parsed with the
 * expression parser, so a broken `_function` is reported at `path@line:column`.
 */
import { FerryError, isFerryError } from '../core/errors.js'
import { parseValue } from '../expr/index.js'
import { countImplicitLookupEnds } from '../expr/lexer.js'
import { DuplicateField, SchemeValue, UnknownParser } from './errors.js'
import type { Issues } from './issues.js'
import { describeType, isPlainObject, join } from './path.js'
import { isKnownParser, PARSER_NAMES, parserNeeds } from './parsers.js'

export type Side = 'source' | 'target'

const FIELD_KEYS = new Set([
  'field',
  'label',
  'type',
  'value',
  'describe',
  'is_required',
  'parser',
  'children',
  'parent',
  'parent_id',
  'id',
  'display',
  'enableDisplay',
  'default',
  'is_request',
  'name',
])
const CONTAINER_TYPES = new Set(['array', 'object'])
const BARE_KEY = /^[\p{L}\p{N}_$-]+(?:\.[\p{L}\p{N}_$-]+)*$/u
/** Real request trees nest two or three levels; a deeper tree is a mistake or an attack. */
export const MAX_FIELD_DEPTH = 8

/** Which lists hold values Ferry evaluates (responses only document the API). */
export type ListRole = 'evaluated' | 'documented'

/** Re-anchor an expression error (located `line:col` inside the value) at the value's JSON path. */
function relocate(e: FerryError, path: string): FerryError {
  const pos = e.location
  return new FerryError(e.code, e.kind, e.message, {
    location: pos === undefined ? path : `${path}@${pos}`,
    cause: e,
    details: { ...e.details, ...(pos === undefined ? {} : { position: pos }) },
  })
}

/** Parse one value text, reporting a parse error at `path`. */
export function checkValue(issues: Issues, text: string, path: string): void {
  try {
    parseValue(text)
    if (text.startsWith('_function') && countImplicitLookupEnds(text) > 0) {
      issues.warn(
        'WARN_LOOKUP_IMPLICIT_END',
        path,
        'a _findCollection inside _function has no _endFind; accepted by the rule "a lookup that is a whole function argument ends at the next top-level , or )" — add _endFind to make it explicit',
      )
    }
  } catch (e) {
    if (!isFerryError(e)) throw e
    issues.error(relocate(e, path))
  }
}

function checkField(
  issues: Issues,
  item: Record<string, unknown>,
  path: string,
  role: ListRole,
  side: Side,
  depth: number,
): void {
  issues.unknownKeys(item, FIELD_KEYS, path)
  issues.requireString(item, 'field', path, 'the parameter or JSON key this item sets')
  for (const k of ['label', 'type', 'parent'] as const) issues.optionalString(item, k, path)
  issues.optionalBoolean(item, 'is_required', path)
  const type = typeof item.type === 'string' ? item.type.toLowerCase() : undefined
  const children = issues.optionalArray(item, 'children', path)
  const value = item.value
  const valuePath = join(path, 'value')
  if (
    role === 'evaluated' &&
    value !== undefined &&
    value !== null &&
    !['string', 'number', 'boolean'].includes(typeof value)
  ) {
    issues.type(valuePath, 'a string, number, boolean or null', value)
  }
  const isContainer = type !== undefined && CONTAINER_TYPES.has(type)
  if (children !== undefined && !isContainer && side === 'target' && role === 'evaluated') {
    issues.error(
      SchemeValue([describeType(item.type), '"array" or "object" on an item with children'], {
        location: join(path, 'type'),
      }),
    )
  }
  if (role === 'evaluated' && typeof value === 'string' && value !== '') {
    if (isContainer && children !== undefined) {
      // A detail array names its source array without braces (S-TGT).
      if (!BARE_KEY.test(value)) {
        issues.error(
          SchemeValue([JSON.stringify(value), 'the source detail array key without braces, e.g. "items"'], {
            location: valuePath,
          }),
        )
      }
    } else {
      checkValue(issues, value, valuePath)
    }
  }
  const parser = issues.optionalObject(item, 'parser', path)
  if (parser !== undefined) {
    const name = issues.requireString(parser, 'name', join(path, 'parser'), `one of ${PARSER_NAMES.join(', ')}`)
    if (name !== undefined && !isKnownParser(name)) {
      issues.error(UnknownParser([name, PARSER_NAMES.join(', ')], { location: join(join(path, 'parser'), 'name') }))
    }
    for (const k of ['params', 'params1', 'params2'] as const) issues.optionalString(parser, k, join(path, 'parser'))
    for (const k of name === undefined ? [] : parserNeeds(name)) {
      if (typeof parser[k] !== 'string' || parser[k] === '')
        issues.missing(join(path, 'parser'), k, `${name} needs it (e.g. "FNumber")`)
    }
  }
  if (children === undefined) return
  if (depth >= MAX_FIELD_DEPTH) {
    issues.error(
      SchemeValue([`children nested ${depth + 1} levels deep`, `at most ${MAX_FIELD_DEPTH} levels`], {
        location: join(path, 'children'),
      }),
    )
    return
  }
  checkFieldList(issues, children, join(path, 'children'), role, side, depth + 1)
}

export function checkFieldList(
  issues: Issues,
  list: unknown[],
  path: string,
  role: ListRole,
  side: Side,
  depth = 1,
): void {
  const seen = new Map<string, string>()
  list.forEach((item, i) => {
    const p = join(path, i)
    if (!isPlainObject(item)) {
      issues.type(p, 'a field spec object {field, value, …}', item)
      return
    }
    checkField(issues, item, p, role, side, depth)
    if (typeof item.field === 'string' && item.field !== '') {
      const first = seen.get(item.field)
      if (first !== undefined && role === 'evaluated')
        issues.error(DuplicateField([item.field, first], { location: join(p, 'field') }))
      else seen.set(item.field, p)
    }
  })
}
