/**
 * The condition engine (高级查询条件引擎, spec qeasy-metadata §3.3): a source-side filter applied to
 * every fetched document before it is stored.
 *
 * `condition` is an OR of AND groups. A clause whose field starts with a detail array
 * (`items.qty` when `items` is a list) is tested row by row: in the default mode the failing rows
 * are removed and the document kept; with `strictMode: true` one failing row fails the group.
 * A group that leaves a detail array with no rows fails. Rows kept by any passing group survive,
 * in their original order; rows no group kept are removed.
 */
import { getKey, getPath, isPlainObject } from './path.js'
import type { Condition, ConditionClause } from './types.js'
import { type Decimal, toDecimal, toText, toUnixSeconds } from './values.js'

export interface ConditionOptions {
  /** Zone of wall-clock date strings in records (for `timestamp:` values). */
  readonly tz: string
}

const TIMESTAMP = 'timestamp:'

type Ordering = -1 | 0 | 1 | undefined

function compareTimes(fieldValue: unknown, ts: string, tz: string): Ordering {
  const left = toUnixSeconds(fieldValue, tz)
  const right = toDecimal(ts)
  if (left === undefined || right === undefined) return undefined
  return left.cmp(right) as -1 | 0 | 1
}

/** An integer a double holds exactly, written plainly: JSON numbers compare with it as doubles, exactly. */
const SMALL_INTEGER = /^-?\d{1,15}$/

/**
 * A JSON number against a small integer without building two decimals (every line of every
 * fetched document meets the filter). Exact: parsing is monotonic and the integer is a double,
 * so the number's shortest decimal form orders against it as the double itself does.
 */
function compareNumber(fieldValue: unknown, value: string): Ordering | null {
  if (typeof fieldValue !== 'number' || !Number.isFinite(fieldValue) || !SMALL_INTEGER.test(value)) return null
  const r = Number(value)
  return fieldValue < r ? -1 : fieldValue > r ? 1 : 0
}

// Numbers compare as exact decimals when both sides are numeric; anything else compares as text
// (which orders `yyyy-MM-dd HH:mm:ss` strings correctly).
function compare(fieldValue: unknown, value: string, tz: string): Ordering {
  if (value.startsWith(TIMESTAMP)) return compareTimes(fieldValue, value.slice(TIMESTAMP.length).trim(), tz)
  if (fieldValue === null || fieldValue === undefined || fieldValue === '') return undefined
  const fast = compareNumber(fieldValue, value)
  if (fast !== null) return fast
  const l = toDecimal(fieldValue)
  const r = toDecimal(value)
  if (l !== undefined && r !== undefined) return l.cmp(r) as -1 | 0 | 1
  const a = toText(fieldValue)
  return a < value ? -1 : a > value ? 1 : 0
}

function equals(fieldValue: unknown, value: string): boolean {
  const fast = compareNumber(fieldValue, value)
  if (fast !== null) return fast === 0
  const l = toDecimal(fieldValue)
  const r: Decimal | undefined = l === undefined ? undefined : toDecimal(value)
  if (l !== undefined && r !== undefined) return l.eq(r)
  return toText(fieldValue) === value
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim())
}

/** Does one value satisfy one clause? Exported for tests and the flow designer's preview. */
export function testClause(clause: ConditionClause, fieldValue: unknown, opts: ConditionOptions): boolean {
  const value = clause.value === undefined ? '' : String(clause.value)
  const cmp = (): Ordering => compare(fieldValue, value, opts.tz)
  switch (clause.logic) {
    case 'eq':
      return equals(fieldValue, value)
    case 'neq':
      return !equals(fieldValue, value)
    case 'gt':
      return cmp() === 1
    case 'egt': {
      const c = cmp()
      return c === 1 || c === 0
    }
    case 'lt':
      return cmp() === -1
    case 'elt': {
      const c = cmp()
      return c === -1 || c === 0
    }
    case 'like':
      return toText(fieldValue).includes(value)
    case 'notlike':
      return !toText(fieldValue).includes(value)
    case 'notnull':
      return !isEmpty(fieldValue)
    case 'isnull':
      return isEmpty(fieldValue)
    case 'in':
      return splitList(value).some((v) => equals(fieldValue, v))
    case 'notin':
      return !splitList(value).some((v) => equals(fieldValue, v))
    case 'between': {
      const [lo, hi] = splitBetween(value)
      const a = compare(fieldValue, lo, opts.tz)
      const b = compare(fieldValue, hi, opts.tz)
      return (a === 1 || a === 0) && (b === -1 || b === 0)
    }
  }
}

/** `"min,max"`, where `timestamp:` may prefix the whole value or each bound. */
export function splitBetween(value: string): [string, string] {
  const prefixed = value.startsWith(TIMESTAMP)
  const body = prefixed ? value.slice(TIMESTAMP.length) : value
  const parts = body.split(',').map((s) => s.trim())
  const fix = (s: string): string => (prefixed && !s.startsWith(TIMESTAMP) ? `${TIMESTAMP}${s}` : s)
  return [fix(parts[0] ?? ''), fix(parts[1] ?? '')]
}

/** Where a clause's field points: a plain path, or a detail array plus a path inside each row. */
function resolveField(doc: Record<string, unknown>, field: string): { array: string; rest: string } | undefined {
  const parts = field.split('.')
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join('.')
    const v = getPath(doc, head)
    if (Array.isArray(v)) return { array: head, rest: parts.slice(i).join('.') }
    if (!isPlainObject(v)) return undefined
  }
  return undefined
}

interface GroupResult {
  readonly pass: boolean
  /** Per detail array constrained by the group: indices of the rows it keeps. */
  readonly rows: Map<string, Set<number>>
}

function evaluateGroup(
  doc: Record<string, unknown>,
  group: readonly ConditionClause[],
  opts: ConditionOptions,
): GroupResult {
  const rows = new Map<string, Set<number>>()
  for (const clause of group) {
    const detail = resolveField(doc, clause.field)
    if (detail === undefined) {
      if (!testClause(clause, getPath(doc, clause.field), opts)) return { pass: false, rows }
      continue
    }
    const list = getPath(doc, detail.array) as unknown[]
    const passing = new Set<number>()
    list.forEach((row, i) => {
      if (testClause(clause, getPath(row, detail.rest), opts)) passing.add(i)
    })
    if (clause.strictMode === true && passing.size < list.length) return { pass: false, rows }
    const kept = rows.get(detail.array) ?? new Set(list.keys())
    for (const i of kept) if (!passing.has(i)) kept.delete(i)
    if (kept.size === 0) return { pass: false, rows }
    rows.set(detail.array, kept)
  }
  return { pass: true, rows }
}

function withRows(doc: Record<string, unknown>, arrayPath: string, keep: Set<number>): Record<string, unknown> {
  const [head, ...rest] = arrayPath.split('.') as [string, ...string[]]
  const current = getKey(doc, head)
  const replaced =
    rest.length === 0
      ? (current as unknown[]).filter((_, i) => keep.has(i))
      : withRows(current as Record<string, unknown>, rest.join('.'), keep)
  return { ...doc, [head]: replaced }
}

/**
 * Apply a condition to one document. Returns the document (detail rows filtered, the input left
 * untouched) or undefined when it is dropped. An empty or absent condition keeps everything.
 */
export function applyCondition(
  doc: Record<string, unknown>,
  condition: Condition | undefined,
  opts: ConditionOptions,
): Record<string, unknown> | undefined {
  if (condition === undefined || condition.length === 0) return doc
  const passing = condition
    .filter((g) => g.length > 0)
    .map((g) => evaluateGroup(doc, g, opts))
    .filter((r) => r.pass)
  if (passing.length === 0 && condition.some((g) => g.length > 0)) return undefined
  // A group that does not constrain an array keeps all of its rows.
  const constrained = new Set(passing.flatMap((r) => [...r.rows.keys()]))
  let out = doc
  for (const array of constrained) {
    if (passing.some((r) => !r.rows.has(array))) continue
    const keep = new Set<number>()
    for (const r of passing) for (const i of r.rows.get(array) ?? []) keep.add(i)
    out = withRows(out, array, keep)
  }
  return out
}

/** Filter a list of documents; the survivors keep their order. */
export function filterDocuments(
  docs: readonly Record<string, unknown>[],
  condition: Condition | undefined,
  opts: ConditionOptions,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const d of docs) {
    const kept = applyCondition(d, condition, opts)
    if (kept !== undefined) out.push(kept)
  }
  return out
}
