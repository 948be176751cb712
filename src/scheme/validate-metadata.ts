/**
 * Validation of one side's metadata JSON (spec qeasy-metadata §3, §4, §7.1). Accepts the whole
 * dialect, collects every problem, and parses every `value` with the expression parser so a
 * broken `_function` is reported before any run, at `path@line:column`. The field lists are
 * checked in validate-fields.ts, the sections only one side has in validate-sections.ts.
 */
import { EffectConflict, EffectSide, SchemeValue } from './errors.js'
import type { Issues } from './issues.js'
import { describeType, isPlainObject, join } from './path.js'
import type { Effect } from './types.js'
import { validateCondition } from './validate-condition.js'
import { checkFieldList, type Side } from './validate-fields.js'
import { checkGroupCalculate, checkOmissionRemedy, checkOperation, positiveInt } from './validate-sections.js'

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
const SOURCE_ONLY = ['condition', 'beatFlat', 'omissionRemedy', 'pagination', 'autoFillResponse'] as const
const TARGET_ONLY = ['operation', 'groupCalculate', 'distributionOrg'] as const
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

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
