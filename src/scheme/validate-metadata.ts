/**
 * Validation of one side's metadata JSON (spec qeasy-metadata §3, §4, §7.1). Accepts the whole
 * dialect, collects every problem, and parses every `value` with the expression parser so a
 * broken `_function` is reported before any run, at `path@line:column`.
 */
import { FerryError, isFerryError } from '../core/errors.js'
import { parseValue } from '../expr/index.js'
import { countImplicitLookupEnds } from '../expr/lexer.js'
import { isValidCrontab } from './crontab.js'
import {
  BadCrontab,
  DuplicateField,
  EffectConflict,
  EffectSide,
  SchemeValue,
  UnknownAccumulator,
  UnknownParser,
} from './errors.js'
import type { Issues } from './issues.js'
import { describeType, isPlainObject, join } from './path.js'
import { isKnownParser, PARSER_NAMES, parserNeeds } from './parsers.js'
import { ACCUMULATORS, type Effect } from './types.js'
import { validateCondition } from './validate-condition.js'

export type Side = 'source' | 'target'

const METADATA_KEYS = new Set([
  'api',
  'effect',
  'type',
  'method',
  'id',
  'number',
  'name',
  'idCheck',
  'request',
  'otherRequest',
  'response',
  'otherResponse',
  'condition',
  'condition_bak',
  'autoFillResponse',
  'beatFlat',
  'pagination',
  'omissionRemedy',
  'operation',
  'groupCalculate',
  'distributionOrg',
  'formatResponse',
])
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
const SOURCE_ONLY = ['condition', 'beatFlat', 'omissionRemedy', 'pagination', 'autoFillResponse'] as const
const TARGET_ONLY = ['operation', 'groupCalculate', 'distributionOrg'] as const
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const CONTAINER_TYPES = new Set(['array', 'object'])
const BARE_KEY = /^[\p{L}\p{N}_$-]+(?:\.[\p{L}\p{N}_$-]+)*$/u
/** Real request trees nest two or three levels; a deeper tree is a mistake or an attack. */
export const MAX_FIELD_DEPTH = 8

/** Which lists hold values Ferry evaluates (responses only document the API). */
type ListRole = 'evaluated' | 'documented'

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

export function checkCrontab(issues: Issues, v: unknown, path: string): void {
  if (typeof v !== 'string' || v.trim() === '') {
    issues.type(path, 'a crontab string such as "*/5 * * * *"', v)
    return
  }
  const reason = isValidCrontab(v)
  if (reason !== undefined) issues.error(BadCrontab([v, reason], { location: path }))
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

function normaliseEffect(v: unknown): Effect | undefined {
  return typeof v === 'string' && ['QUERY', 'EXECUTE'].includes(v.toUpperCase())
    ? (v.toUpperCase() as Effect)
    : undefined
}

function checkEffect(issues: Issues, meta: Record<string, unknown>, path: string, side: Side): void {
  const expected: Effect = side === 'source' ? 'QUERY' : 'EXECUTE'
  let effect: Effect | undefined
  for (const key of ['effect', 'type'] as const) {
    const v = meta[key]
    if (v === undefined) continue
    const e = normaliseEffect(v)
    if (e === undefined) {
      issues.error(SchemeValue([describeType(v), 'QUERY or EXECUTE'], { location: join(path, key) }))
      return
    }
    if (effect !== undefined && effect !== e) {
      issues.error(EffectConflict([effect, e], { location: join(path, key) }))
      return
    }
    effect = e
  }
  if (effect !== undefined && effect !== expected) {
    issues.error(
      EffectSide([side, effect, expected], { location: join(path, meta.effect === undefined ? 'type' : 'effect') }),
    )
  }
}

function checkOmissionRemedy(issues: Issues, meta: Record<string, unknown>, path: string): void {
  const r = issues.optionalObject(meta, 'omissionRemedy', path)
  if (r === undefined) return
  const p = join(path, 'omissionRemedy')
  issues.unknownKeys(r, new Set(['crontab', 'takeOverRequest', 'adapter']), p)
  if (r.crontab === undefined) issues.missing(p, 'crontab', 'when the catch-up query runs, e.g. "0 0 * * *"')
  else checkCrontab(issues, r.crontab, join(p, 'crontab'))
  if (r.takeOverRequest === undefined)
    issues.missing(p, 'takeOverRequest', 'the request fields the catch-up query overrides')
  const list = issues.optionalArray(r, 'takeOverRequest', p)
  if (list !== undefined) checkFieldList(issues, list, join(p, 'takeOverRequest'), 'evaluated', 'source')
  issues.optionalString(r, 'adapter', p)
}

/** Records per batch call at most: the platform's batch adapters stop at 1000 rows (spec §6). */
export const MAX_BATCH_ROWS = 1000

function checkOperation(issues: Issues, meta: Record<string, unknown>, path: string): void {
  const op = issues.optionalObject(meta, 'operation', path)
  if (op === undefined) return
  const p = join(path, 'operation')
  const method = issues.requireString(op, 'method', p, '"none" (one stored record → one write) or "batchArraySave"')
  if (method === 'merge') {
    issues.warn(
      'WARN_UNCONFIRMED',
      join(p, 'method'),
      '"merge" is implied by the platform but its keys are unconfirmed (spec 4.1); Ferry writes one record per document — use groupCalculate to merge',
    )
  } else if (method === 'batchArraySave') {
    issues.unknownKeys(op, new Set(['method', 'rows', 'rowsKey']), p)
    if (op.rows !== undefined) {
      positiveInt(issues, op.rows, join(p, 'rows'), 'a positive whole number of records per call')
      if (typeof op.rows === 'number' && op.rows > MAX_BATCH_ROWS)
        issues.error(
          SchemeValue([String(op.rows), `at most ${MAX_BATCH_ROWS} records per call`], { location: join(p, 'rows') }),
        )
    }
    issues.requireString(op, 'rowsKey', p, 'the request key that holds the array of records, e.g. "array"')
    if (meta.groupCalculate !== undefined) {
      issues.error(
        SchemeValue(['batchArraySave with groupCalculate', 'one of them: a grouped document is already one write'], {
          location: join(p, 'method'),
        }),
      )
    }
  } else if (method !== undefined && method !== 'none') {
    issues.error(
      SchemeValue([JSON.stringify(method), '"none", "batchArraySave" (or "merge", unconfirmed)'], {
        location: join(p, 'method'),
      }),
    )
  }
  if (method === 'none') issues.unknownKeys(op, new Set(['method']), p)
}

function positiveInt(issues: Issues, v: unknown, path: string, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) issues.type(path, what, v)
}

function checkGroupCalculate(issues: Issues, meta: Record<string, unknown>, path: string): void {
  const g = issues.optionalObject(meta, 'groupCalculate', path)
  if (g === undefined) return
  const p = join(path, 'groupCalculate')
  issues.unknownKeys(
    g,
    new Set(['headerGroup', 'bodyGroup', 'bodyName', 'targetBodyName', 'bodyMaxLine', 'calculate']),
    p,
  )
  if (g.headerGroup === undefined) issues.missing(p, 'headerGroup', 'the fields that make one target document')
  else {
    const l = issues.stringList(g.headerGroup, join(p, 'headerGroup'))
    if (l !== undefined && l.length === 0)
      issues.missing(p, 'headerGroup', 'at least one field: an empty list would merge everything into one document')
  }
  if (g.bodyGroup !== undefined) issues.stringList(g.bodyGroup, join(p, 'bodyGroup'))
  issues.requireString(g, 'bodyName', p, 'the list key that holds the merged rows')
  issues.optionalString(g, 'targetBodyName', p)
  if (g.bodyMaxLine !== undefined && g.bodyMaxLine !== null)
    positiveInt(issues, g.bodyMaxLine, join(p, 'bodyMaxLine'), 'a positive whole number of rows')
  const calc = g.calculate === undefined ? undefined : issues.optionalObject(g, 'calculate', p)
  if (g.calculate === undefined) issues.missing(p, 'calculate', 'e.g. {"details_num": "$sum"}')
  for (const [field, op] of Object.entries(calc ?? {})) {
    if (typeof op !== 'string' || !(ACCUMULATORS as readonly string[]).includes(op)) {
      issues.error(
        UnknownAccumulator([String(op), ACCUMULATORS.join(', ')], { location: join(join(p, 'calculate'), field) }),
      )
    }
  }
}

/** Validate the metadata of one side at `path` (e.g. `source.metadata`). */
export function validateMetadata(issues: Issues, meta: unknown, path: string, side: Side): void {
  if (!isPlainObject(meta)) {
    issues.type(path, 'the metadata object {api, effect, request, …}', meta)
    return
  }
  issues.unknownKeys(meta, METADATA_KEYS, path)
  issues.requireString(meta, 'api', path, 'the API path or method, e.g. /open/inventory/count/query')
  checkEffect(issues, meta, path, side)
  const method = issues.optionalString(meta, 'method', path)
  if (method !== undefined && !METHODS.includes(method.toUpperCase())) {
    issues.error(SchemeValue([JSON.stringify(method), METHODS.join(', ')], { location: join(path, 'method') }))
  }
  if (side === 'source') {
    issues.requireString(meta, 'id', path, 'the record field holding the unique key (e.g. io_id)')
    issues.optionalString(meta, 'number', path)
    issues.optionalString(meta, 'name', path)
  } else {
    // Placeholders on the target side ("1" in the case article).
    for (const k of ['id', 'number', 'name'] as const) {
      const v = meta[k]
      if (v !== undefined && typeof v !== 'string' && typeof v !== 'number') issues.type(join(path, k), 'a string', v)
    }
  }
  issues.optionalBoolean(meta, 'idCheck', path)
  issues.optionalBoolean(meta, 'autoFillResponse', path)
  for (const [key, role] of [
    ['request', 'evaluated'],
    ['otherRequest', 'evaluated'],
    ['response', 'documented'],
    ['otherResponse', 'documented'],
  ] as const) {
    const list = issues.optionalArray(meta, key, path)
    if (list !== undefined) checkFieldList(issues, list, join(path, key), role, side)
  }
  const misplaced = side === 'source' ? TARGET_ONLY : SOURCE_ONLY
  for (const k of misplaced) {
    // The platform's catalogue shows {"operation":{"method":"none"}} on query APIs too: the default, so silent.
    if (
      k === 'operation' &&
      isPlainObject(meta.operation) &&
      meta.operation.method === 'none' &&
      Object.keys(meta.operation).length === 1
    )
      continue
    if (meta[k] !== undefined)
      issues.warn(
        'WARN_IGNORED',
        join(path, k),
        `"${k}" applies to the ${side === 'source' ? 'target' : 'source'} side only; ignored here`,
      )
  }
  if (meta.condition_bak !== undefined)
    issues.warn('WARN_IGNORED', join(path, 'condition_bak'), '"condition_bak" is kept but ignored (no known meaning)')
  if (meta.formatResponse !== undefined)
    issues.warn(
      'WARN_IGNORED',
      join(path, 'formatResponse'),
      '"formatResponse" is unconfirmed (spec 3.8) and not implemented; kept but ignored',
    )
  if (meta.distributionOrg !== undefined)
    issues.warn(
      'WARN_IGNORED',
      join(path, 'distributionOrg'),
      '"distributionOrg" is for 金蝶云星空 base data; kept but no Ferry connector reads it',
    )
  if (side === 'source') {
    if (meta.condition !== undefined) validateCondition(issues, meta.condition, join(path, 'condition'))
    if (meta.beatFlat !== undefined) issues.stringList(meta.beatFlat, join(path, 'beatFlat'))
    const pg = issues.optionalObject(meta, 'pagination', path)
    if (pg?.pageSize !== undefined)
      positiveInt(issues, pg.pageSize, join(join(path, 'pagination'), 'pageSize'), 'a positive whole number')
    checkOmissionRemedy(issues, meta, path)
  } else {
    checkOperation(issues, meta, path)
    checkGroupCalculate(issues, meta, path)
  }
}
