/**
 * Data-quality rules declared on a scheme's target side (`target.quality`), checked on each
 * mapped payload before the target is called: required, type, range, regex, allowed values,
 * unique within a run, lookup must resolve. The first failing rule parks the record with the
 * rule's code and the concrete field path; every failure is counted per rule for the run's
 * quality summary (rule, count, first examples).
 *
 * Regexes come from users, so they run on RE2JS (a linear-time engine: no backtracking, so no
 * catastrophic patterns); backreferences and lookarounds, which need backtracking, are refused
 * when the scheme loads. Patterns are limited to 512 characters.
 */
import { Decimal } from 'decimal.js'
import { RE2JS } from 're2js'
import type { FerryError } from '../core/errors.js'
import type { LookupProvider } from '../expr/index.js'
import {
  QualityDuplicate,
  QualityLookup,
  QualityNotAllowed,
  QualityPattern,
  QualityRange,
  QualityRequired,
  QualityRuleInvalid,
  QualityType,
} from './errors.js'
import { valuesAt } from './paths.js'

export const QUALITY_RULES = ['required', 'type', 'range', 'regex', 'allowed', 'unique', 'lookup'] as const
export const VALUE_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'array', 'object'] as const
export const MAX_PATTERN_LENGTH = 512

type Scalar = string | number | boolean

export type QualityRuleSpec =
  | { readonly rule: 'required'; readonly path: string; readonly name?: string }
  | {
      readonly rule: 'type'
      readonly path: string
      readonly type: (typeof VALUE_TYPES)[number]
      readonly name?: string
    }
  | {
      readonly rule: 'range'
      readonly path: string
      readonly min?: number
      readonly max?: number
      readonly name?: string
    }
  | {
      readonly rule: 'regex'
      readonly path: string
      readonly pattern: string
      readonly flags?: 'i'
      readonly name?: string
    }
  | { readonly rule: 'allowed'; readonly path: string; readonly values: readonly Scalar[]; readonly name?: string }
  | { readonly rule: 'unique'; readonly path: string; readonly name?: string }
  | {
      readonly rule: 'lookup'
      readonly path: string
      readonly collection: string
      readonly field: string
      readonly name?: string
    }

export interface QualityRule {
  readonly spec: QualityRuleSpec
  /** `name`, or `<rule> <path>`: how the summary names the rule. */
  readonly label: string
  readonly regex?: RE2JS
}

export interface QualityExample {
  readonly recordIds: readonly string[]
  readonly path: string
  readonly value: unknown
  readonly message: string
}
export interface QualitySummaryEntry {
  readonly rule: string
  readonly code: string
  readonly path: string
  readonly count: number
  readonly examples: readonly QualityExample[]
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/** Check and compile `target.quality`; every problem is returned with its path. */
export function compileQualityRules(
  raw: unknown,
  at = 'target.quality',
): { rules: QualityRule[]; problems: FerryError[] } {
  const problems: FerryError[] = []
  const bad = (path: string, what: string): void => {
    problems.push(QualityRuleInvalid([`${path}: ${what}`], { location: path }))
  }
  if (raw === undefined) return { rules: [], problems }
  if (!Array.isArray(raw)) {
    bad(at, 'expected a list of rules')
    return { rules: [], problems }
  }
  const rules: QualityRule[] = []
  raw.forEach((r: unknown, i): void => {
    const here = `${at}[${i}]`
    if (!isObj(r)) {
      bad(here, 'expected {rule, path, …}')
      return
    }
    if (typeof r.rule !== 'string' || !(QUALITY_RULES as readonly string[]).includes(r.rule))
      return bad(`${here}.rule`, `expected one of ${QUALITY_RULES.join(', ')}`)
    if (typeof r.path !== 'string' || !/^[^.\s[\]]+(\[\])?(\.[^.\s[\]]+(\[\])?)*$/.test(r.path))
      return bad(`${here}.path`, 'expected a payload path such as bill_no or material_entity[].qty')
    if (r.name !== undefined && typeof r.name !== 'string') return bad(`${here}.name`, 'expected a string')
    const allowedKeys: Record<string, string[]> = {
      required: [],
      type: ['type'],
      range: ['min', 'max'],
      regex: ['pattern', 'flags'],
      allowed: ['values'],
      unique: [],
      lookup: ['collection', 'field'],
    }
    for (const k of Object.keys(r))
      if (!['rule', 'path', 'name', ...(allowedKeys[r.rule] ?? [])].includes(k))
        bad(`${here}.${k}`, `unknown key for a ${r.rule} rule`)
    const label = typeof r.name === 'string' ? r.name : `${r.rule} ${r.path}`
    const spec = r as unknown as QualityRuleSpec
    switch (spec.rule) {
      case 'type':
        if (!(VALUE_TYPES as readonly string[]).includes(spec.type))
          return bad(`${here}.type`, `expected one of ${VALUE_TYPES.join(', ')}`)
        break
      case 'range':
        if (
          (spec.min !== undefined && typeof spec.min !== 'number') ||
          (spec.max !== undefined && typeof spec.max !== 'number') ||
          (spec.min === undefined && spec.max === undefined)
        ) {
          return bad(here, 'a range rule needs a numeric min, max or both')
        }
        break
      case 'regex': {
        if (typeof spec.pattern !== 'string' || spec.pattern === '') return bad(`${here}.pattern`, 'expected a pattern')
        if (spec.pattern.length > MAX_PATTERN_LENGTH)
          return bad(`${here}.pattern`, `is ${spec.pattern.length} characters; the limit is ${MAX_PATTERN_LENGTH}`)
        if (spec.flags !== undefined && spec.flags !== 'i')
          return bad(`${here}.flags`, 'only "i" (ignore case) is supported')
        try {
          rules.push({
            spec,
            label,
            regex: RE2JS.compile(spec.pattern, spec.flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0),
          })
        } catch (e) {
          bad(
            `${here}.pattern`,
            `${e instanceof Error ? e.message : String(e)} (RE2 syntax: no backreferences or lookarounds)`,
          )
        }
        return
      }
      case 'allowed':
        if (
          !Array.isArray(spec.values) ||
          spec.values.length === 0 ||
          !spec.values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))
        )
          return bad(`${here}.values`, 'expected a non-empty list of strings, numbers or booleans')
        break
      case 'lookup':
        if (typeof spec.collection !== 'string' || spec.collection === '')
          return bad(`${here}.collection`, 'expected a collection (a master-data scheme id or a configured collection)')
        if (typeof spec.field !== 'string' || spec.field === '')
          return bad(`${here}.field`, 'expected the collection field the value must match')
        break
      case 'required':
      case 'unique':
        break
    }
    rules.push({ spec, label })
  })
  return { rules, problems }
}

function typeProblem(v: unknown, type: (typeof VALUE_TYPES)[number]): string | undefined {
  const ok = (() => {
    switch (type) {
      case 'string':
        return typeof v === 'string'
      case 'number':
        return typeof v === 'number'
          ? Number.isFinite(v)
          : typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v)
      case 'integer':
        return typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)
      case 'boolean':
        return typeof v === 'boolean'
      case 'date':
        return (
          typeof v === 'string' &&
          /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) &&
          !Number.isNaN(new Date(v.replace(' ', 'T')).getTime())
        )
      case 'array':
        return Array.isArray(v)
      case 'object':
        return isObj(v)
    }
  })()
  return ok
    ? undefined
    : `must be ${type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a'} ${type}, got ${show(v)}`
}

function rangeProblem(v: unknown, min: number | undefined, max: number | undefined): string | undefined {
  let d: Decimal
  try {
    if (typeof v !== 'number' && typeof v !== 'string') throw new Error('not a number')
    d = new Decimal(typeof v === 'string' ? v.trim() : v)
  } catch {
    return `must be a number between ${min ?? '-∞'} and ${max ?? '∞'}, got ${show(v)}`
  }
  if ((min !== undefined && d.lt(min)) || (max !== undefined && d.gt(max)))
    return `is ${d.toString()}, outside ${min ?? '-∞'}..${max ?? '∞'}`
  return undefined
}

/** One run's checks: keeps the `unique` values seen and the per-rule counts of the summary. */
export class QualityRun {
  private readonly seen = new Map<number, Map<string, readonly string[]>>()
  private readonly counts = new Map<number, { code: string; count: number; examples: QualityExample[] }>()

  constructor(
    private readonly rules: readonly QualityRule[],
    private readonly lookups?: LookupProvider,
    private readonly maxExamples = 3,
  ) {}

  get empty(): boolean {
    return this.rules.length === 0
  }

  /** The first failure of the payload (the record is parked with it), after counting every failure. */
  async check(payload: Record<string, unknown>, recordIds: readonly string[]): Promise<FerryError | undefined> {
    let first: FerryError | undefined
    for (const [i, rule] of this.rules.entries()) {
      for (const e of await this.failures(i, rule, payload, recordIds)) {
        this.count(i, e, recordIds)
        first ??= e
      }
    }
    return first
  }

  private async failures(
    i: number,
    rule: QualityRule,
    payload: Record<string, unknown>,
    recordIds: readonly string[],
  ): Promise<FerryError[]> {
    const s = rule.spec
    const found = valuesAt(payload, s.path)
    const out: FerryError[] = []
    const fail = (make: typeof QualityType, path: string, detail: string, value: unknown) =>
      out.push(
        make([path, detail], {
          location: path,
          details: { rule: rule.label, value: value === undefined ? null : value },
        }),
      )
    if (s.rule === 'required') {
      if (found.length === 0)
        fail(
          QualityRequired,
          s.path.split('[]')[0] ?? s.path,
          rule.label === `required ${s.path}` ? '' : rule.label,
          undefined,
        )
      for (const [p, v] of found)
        if (isEmpty(v)) fail(QualityRequired, p, rule.label === `required ${s.path}` ? '' : rule.label, v)
      return out
    }
    for (const [p, v] of found) {
      if (isEmpty(v)) continue // emptiness is the `required` rule's business
      switch (s.rule) {
        case 'type': {
          const d = typeProblem(v, s.type)
          if (d !== undefined) fail(QualityType, p, d, v)
          break
        }
        case 'range': {
          const d = rangeProblem(v, s.min, s.max)
          if (d !== undefined) fail(QualityRange, p, d, v)
          break
        }
        case 'regex': {
          const text = typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)
          if (rule.regex?.matcher(text).find() !== true)
            fail(QualityPattern, p, `${show(v)} does not match /${s.pattern}/${s.flags ?? ''}`, v)
          break
        }
        case 'allowed':
          if (!s.values.some((a) => a === v || (typeof v === 'string' && String(a) === v)))
            fail(QualityNotAllowed, p, `is ${show(v)}; allowed: ${s.values.map((a) => show(a)).join(', ')}`, v)
          break
        case 'unique': {
          const seen = this.seen.get(i) ?? new Map<string, readonly string[]>()
          this.seen.set(i, seen)
          const key = JSON.stringify(v)
          const before = seen.get(key)
          if (before !== undefined && before.join() !== recordIds.join())
            fail(QualityDuplicate, p, `${show(v)} is also the value of record ${before.join(', ')} in this run`, v)
          else seen.set(key, recordIds)
          break
        }
        case 'lookup': {
          const hit = await this.lookups?.find({
            collection: s.collection,
            field: s.field,
            where: { [s.field]: typeof v === 'string' ? v : JSON.stringify(v) },
          })
          if (hit === undefined || hit === null)
            fail(QualityLookup, p, `${show(v)} is not a ${s.field} in ${s.collection}`, v)
          break
        }
      }
    }
    return out
  }

  private count(i: number, e: FerryError, recordIds: readonly string[]): void {
    const c = this.counts.get(i) ?? { code: e.code, count: 0, examples: [] }
    c.count++
    if (c.examples.length < this.maxExamples)
      c.examples.push({
        recordIds: [...recordIds],
        path: e.location ?? '',
        value: (e.details as { value?: unknown } | undefined)?.value ?? null,
        message: e.message,
      })
    this.counts.set(i, c)
  }

  /** Per rule that failed at least once: its label, code, path, count and first examples. */
  summary(): QualitySummaryEntry[] {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, c]) => ({
        rule: this.rules[i]?.label ?? '',
        code: c.code,
        path: this.rules[i]?.spec.path ?? '',
        count: c.count,
        examples: c.examples,
      }))
  }
}
