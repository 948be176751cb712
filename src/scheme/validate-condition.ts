/** Validation of `condition` (OR of AND groups of `{field, logic, value, strictMode}` clauses). */
import { ConditionValue, UnknownOperator } from './errors.js'
import type { Issues } from './issues.js'
import { describeType, isPlainObject, join } from './path.js'
import { CONDITION_OPERATORS, EXTENSION_OPERATORS } from './types.js'
import { toDecimal } from './values.js'
import { splitBetween } from './condition.js'

const CLAUSE_KEYS = new Set(['field', 'logic', 'value', 'strictMode'])
const NO_VALUE = new Set(['notnull', 'isnull'])
const ORDERING = new Set(['gt', 'egt', 'lt', 'elt'])
const KNOWN_LIST = [...CONDITION_OPERATORS, ...EXTENSION_OPERATORS].join(', ')

function isTimestampValue(v: string): boolean {
  return v.startsWith('timestamp:')
}

function checkTimestamp(issues: Issues, logic: string, v: string, path: string): void {
  const n = v.slice('timestamp:'.length).trim()
  if (!/^-?\d+(\.\d+)?$/.test(n)) {
    issues.error(
      ConditionValue([logic, '"timestamp:" followed by Unix seconds', JSON.stringify(v)], { location: path }),
    )
  }
}

function checkClause(issues: Issues, clause: Record<string, unknown>, path: string): void {
  issues.unknownKeys(clause, CLAUSE_KEYS, path)
  issues.requireString(clause, 'field', path, 'the record field (dotted path, e.g. items.qty) the clause tests')
  issues.optionalBoolean(clause, 'strictMode', path)
  const logic = clause.logic
  if (logic === undefined || logic === '') {
    issues.missing(path, 'logic', `one of ${KNOWN_LIST}`)
    return
  }
  if (typeof logic !== 'string') {
    issues.type(join(path, 'logic'), 'an operator name', logic)
    return
  }
  const valuePath = join(path, 'value')
  if (!(CONDITION_OPERATORS as readonly string[]).includes(logic)) {
    if ((EXTENSION_OPERATORS as readonly string[]).includes(logic)) {
      issues.warn(
        'WARN_EXTENSION',
        join(path, 'logic'),
        `"${logic}" is a Ferry extension (comma-separated list); the platform does not document it`,
      )
    } else {
      issues.error(UnknownOperator([logic, KNOWN_LIST], { location: join(path, 'logic') }))
      return
    }
  }
  const raw = clause.value
  if (NO_VALUE.has(logic)) {
    if (raw !== undefined && raw !== null && raw !== '') {
      issues.warn('WARN_IGNORED', valuePath, `"${logic}" takes no value; the value is ignored`)
    }
    return
  }
  if (raw === undefined || raw === null) {
    issues.missing(path, 'value', `"${logic}" compares against a value`)
    return
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    issues.type(valuePath, 'a string or a number', raw)
    return
  }
  const v = String(raw)
  if (logic === 'between') {
    const parts = (isTimestampValue(v) ? v.slice('timestamp:'.length) : v).split(',')
    if (parts.length !== 2 || parts.some((p) => p.trim() === '')) {
      issues.error(ConditionValue([logic, '"min,max"', describeType(raw)], { location: valuePath }))
      return
    }
    const [lo, hi] = splitBetween(v)
    for (const bound of [lo, hi]) if (isTimestampValue(bound)) checkTimestamp(issues, logic, bound, valuePath)
    const [a, b] = [toDecimal(lo), toDecimal(hi)]
    if (a !== undefined && b !== undefined && a.gt(b)) {
      issues.error(ConditionValue([logic, 'min ≤ max', JSON.stringify(v)], { location: valuePath }))
    }
    return
  }
  if (ORDERING.has(logic) && isTimestampValue(v)) checkTimestamp(issues, logic, v, valuePath)
}

/** Check a `condition` value at `path` (e.g. `source.metadata.condition`). */
export function validateCondition(issues: Issues, condition: unknown, path: string): void {
  if (!Array.isArray(condition)) {
    issues.type(path, 'a list of clause groups (outer list = OR, inner list = AND)', condition)
    return
  }
  condition.forEach((group, g) => {
    const gp = join(path, g)
    if (!Array.isArray(group)) {
      issues.type(gp, 'a list of clauses (one AND group); wrap single clauses as [[{…}]]', group)
      return
    }
    group.forEach((clause, c) => {
      const cp = join(gp, c)
      if (!isPlainObject(clause)) issues.type(cp, 'a clause object {field, logic, value}', clause)
      else checkClause(issues, clause, cp)
    })
  })
}
