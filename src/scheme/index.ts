/**
 * Scheme files: loading (JSON/YAML), validation of the whole QingQiCloud metadata dialect,
 * compilation, and the pure record functions the engine runs (condition, beatFlat,
 * groupCalculate, target mapping). See docs/schemes.md for the file format.
 *
 * ```ts
 * const loaded = await loadSchemeFile('examples/jst-count-to-jdy-check-loss.json')
 * if (!loaded.ok) for (const e of loaded.errors) console.log(e.toLine())
 * const compiled = compileScheme(loaded.scheme!)
 * const records = applySourcePipeline(compiled.scheme.source.metadata, docs, { tz: compiled.schedule.timezone })
 * const { payload, unresolved } = await mapTarget(compiled.target!, records[0]!, { now, tz, lookups })
 * ```
 */
import type { FerryError } from '../core/errors.js'
import { compileScheme, type CompiledScheme } from './compile.js'
import { SchemeInvalid } from './errors.js'
import { formatOf, readSchemeFile, type SchemeFormat } from './load.js'
import type { SchemeFile, SchemeWarning } from './types.js'
import { validateScheme } from './validate.js'

export * from './types.js'
export { parseSchemeText, readSchemeFile, saveSchemeText, formatOf, type SchemeFormat } from './load.js'
export { validateScheme, type ValidationResult } from './validate.js'
export {
  compileScheme,
  compileSide,
  compileFields,
  type CompiledScheme,
  type CompiledSide,
  type CompiledField,
} from './compile.js'
export { applyCondition, filterDocuments, testClause, type ConditionOptions } from './condition.js'
export { beatFlat, beatFlatArrays, type BeatFlatOptions } from './beat-flat.js'
export { groupCalculate, accumulate, headerGroupKey, type GroupedDocument } from './group-calculate.js'
export {
  mapTarget,
  renderRequest,
  coerce,
  type MapContext,
  type MappedPayload,
  type RenderedRequest,
  type UnresolvedLookup,
} from './map-target.js'
export { applySourcePipeline, type SourcePipelineOptions } from './source-pipeline.js'
export {
  resolveRetry,
  resolveSchedule,
  DEFAULT_RETRY_LADDER_S,
  DEFAULT_JITTER,
  DEFAULT_TIMEZONE,
  type ResolvedRetry,
  type ResolvedSchedule,
} from './settings.js'
export { PARSER_NAMES } from './parsers.js'

export interface LoadedScheme {
  readonly file: string
  readonly format: SchemeFormat
  /** The document exactly as parsed (unknown keys included); save it with saveSchemeText. */
  readonly document: unknown
  readonly ok: boolean
  readonly errors: readonly FerryError[]
  readonly warnings: readonly SchemeWarning[]
  readonly scheme: SchemeFile | undefined
}

/**
 * Read, parse and validate a scheme file. A syntax error is returned as the only error (its
 * location is `line:column`); a missing file throws ERR_SCHEME_READ.
 */
export async function loadSchemeFile(file: string): Promise<LoadedScheme> {
  const format = formatOf(file)
  let document: unknown
  try {
    document = await readSchemeFile(file)
  } catch (e) {
    const err = e as FerryError
    if (err.code !== 'ERR_SCHEME_SYNTAX') throw e
    return { file, format, document: undefined, ok: false, errors: [err], warnings: [], scheme: undefined }
  }
  return { file, format, document, ...validateScheme(document) }
}

/** Load, validate and compile, throwing ERR_SCHEME_INVALID (details list every error) on failure. */
export async function loadCompiledScheme(
  file: string,
): Promise<{ compiled: CompiledScheme; warnings: readonly SchemeWarning[] }> {
  const loaded = await loadSchemeFile(file)
  if (!loaded.ok || loaded.scheme === undefined) {
    const first = loaded.errors[0]
    throw SchemeInvalid([file, loaded.errors.length, first === undefined ? '-' : first.toLine()], {
      details: { errors: loaded.errors.map((e) => e.toJSON()) },
    })
  }
  return { compiled: compileScheme(loaded.scheme), warnings: loaded.warnings }
}
