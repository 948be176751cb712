/**
 * Validation of a whole scheme file: identity, both sides, schedule and retry settings, and the
 * checks that span sides. Every problem is collected; nothing stops at the first.
 */
import { compileQualityRules } from '../quality/rules.js'
import type { FerryError } from '../core/errors.js'
import { MAX_JSON_DEPTH, depthProblem } from '../core/limits.js'
import { BadTimeZone, SchemeLimit, SchemeValue } from './errors.js'
import { Issues } from './issues.js'
import { describeType, isPlainObject, join } from './path.js'
import { beatFlatArrays } from './beat-flat.js'
import type { SchemeFile, SchemeWarning } from './types.js'
import type { Side } from './validate-fields.js'
import { validateMetadata } from './validate-metadata.js'
import { checkCrontab } from './validate-sections.js'
import { isValidTimeZone } from './values.js'

export interface ValidationResult {
  readonly ok: boolean
  readonly errors: readonly FerryError[]
  readonly warnings: readonly SchemeWarning[]
  /** The document typed as a scheme; meaningful only when `ok`. */
  readonly scheme: SchemeFile | undefined
}

const TOP_KEYS = new Set(['id', 'name', 'description', 'source', 'target', 'schedule', 'retry', 'alerts'])
const SIDE_KEYS = new Set(['connector', 'connection', 'metadata', 'quality'])
const SCHEDULE_KEYS = new Set(['source', 'target', 'timezone', 'compat'])
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const MAX_RETRIES = 10

function checkSide(issues: Issues, doc: Record<string, unknown>, side: Side): void {
  const raw = doc[side]
  if (raw === undefined) {
    if (side === 'source') issues.missing('', 'source', '{connector, metadata} of the API records are read from')
    return
  }
  if (!isPlainObject(raw)) {
    issues.type(side, 'an object {connector, metadata}', raw)
    return
  }
  issues.unknownKeys(raw, SIDE_KEYS, side)
  issues.requireString(raw, 'connector', side, side === 'source' ? 'e.g. "jushuitan"' : 'e.g. "kingdee-jdy"')
  issues.optionalString(raw, 'connection', side)
  if (raw.metadata === undefined) issues.missing(side, 'metadata', 'the platform metadata JSON of this side')
  else validateMetadata(issues, raw.metadata, join(side, 'metadata'), side)
}

function checkSchedule(issues: Issues, doc: Record<string, unknown>): void {
  const s = issues.optionalObject(doc, 'schedule', '')
  if (s === undefined) return
  issues.unknownKeys(s, SCHEDULE_KEYS, 'schedule')
  for (const stage of ['source', 'target'] as const) {
    const st = issues.optionalObject(s, stage, 'schedule')
    if (st === undefined) continue
    const p = join('schedule', stage)
    issues.unknownKeys(st, new Set(['crontab']), p)
    if (st.crontab !== undefined) checkCrontab(issues, st.crontab, join(p, 'crontab'))
  }
  const tz = issues.optionalString(s, 'timezone', 'schedule')
  if (tz !== undefined && !isValidTimeZone(tz)) issues.error(BadTimeZone([tz], { location: 'schedule.timezone' }))
  issues.optionalBoolean(s, 'compat', 'schedule')
}

function checkRetry(issues: Issues, doc: Record<string, unknown>): void {
  const r = issues.optionalObject(doc, 'retry', '')
  if (r === undefined) return
  issues.unknownKeys(r, new Set(['ladder', 'jitter']), 'retry')
  const ladder = issues.optionalArray(r, 'ladder', 'retry')
  if (ladder !== undefined) {
    if (ladder.length > MAX_RETRIES)
      issues.error(
        SchemeValue([`${ladder.length} steps`, `at most ${MAX_RETRIES} retries`], { location: 'retry.ladder' }),
      )
    ladder.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
        issues.type(join('retry.ladder', i), 'a delay in seconds (> 0)', v)
    })
  }
  const j = r.jitter
  if (j !== undefined && (typeof j !== 'number' || !(j >= 0 && j <= 1))) {
    issues.error(SchemeValue([describeType(j), 'a fraction between 0 and 1'], { location: 'retry.jitter' }))
  }
}

function crossChecks(issues: Issues, scheme: SchemeFile): void {
  const target = scheme.target?.metadata
  if (target?.groupCalculate !== undefined && beatFlatArrays(scheme.source.metadata).length === 0) {
    issues.warn(
      'WARN_GROUP_WITHOUT_BEATFLAT',
      'target.metadata.groupCalculate',
      'groupCalculate merges flattened records; the source has no beatFlat, so detail arrays are not flattened first',
    )
  }
}

/** Validate a parsed scheme document. */
export function validateScheme(doc: unknown): ValidationResult {
  const issues = new Issues()
  // Before any walk: the validators, the compiler and the store's canonical hash recurse.
  const deep = depthProblem(doc)
  if (deep !== undefined) {
    issues.error(SchemeLimit([`nested deeper than ${MAX_JSON_DEPTH} levels`], { location: deep.path }))
    return { ok: false, errors: issues.errors, warnings: issues.warnings, scheme: undefined }
  }
  if (!isPlainObject(doc)) {
    issues.type('', 'a scheme object {id, name, source, target, …}', doc)
    return { ok: false, errors: issues.errors, warnings: issues.warnings, scheme: undefined }
  }
  issues.unknownKeys(doc, TOP_KEYS, '')
  const id = issues.requireString(
    doc,
    'id',
    '',
    'a stable scheme id (letters, digits, . _ -), e.g. jst-count-to-jdy-check-loss',
  )
  if (id !== undefined && !ID.test(id)) {
    issues.error(
      SchemeValue(
        [JSON.stringify(id), 'letters, digits, ".", "_" or "-" (at most 128, starting with a letter or digit)'],
        { location: 'id' },
      ),
    )
  }
  issues.requireString(doc, 'name', '', 'a human-readable scheme name')
  issues.optionalString(doc, 'description', '')
  checkSide(issues, doc, 'source')
  checkSide(issues, doc, 'target')
  checkSchedule(issues, doc)
  checkRetry(issues, doc)
  // Data-quality rules (src/quality; docs/schemes.md); `alerts` is checked with the configuration (src/alerts/config.ts).
  if (isPlainObject(doc.target)) for (const e of compileQualityRules(doc.target.quality).problems) issues.error(e)
  const ok = issues.errors.length === 0
  if (ok) crossChecks(issues, doc as SchemeFile)
  return { ok, errors: issues.errors, warnings: issues.warnings, scheme: ok ? (doc as SchemeFile) : undefined }
}
