/**
 * Compiling a scheme: every `value` is parsed once, so the engine can map thousands of records
 * without re-parsing. Compiled fields keep their JSON path in the scheme for error reports.
 */
import { parseValue, type ValueNode } from '../expr/index.js'
import { beatFlatArrays } from './beat-flat.js'
import { join } from './path.js'
import { resolveRetry, resolveSchedule, type ResolvedRetry, type ResolvedSchedule } from './settings.js'
import type { AdapterMetadata, FieldSpec, ParserSpec, SchemeFile } from './types.js'

export interface CompiledContainer {
  readonly kind: 'array' | 'object'
  /** Source key the rows (or the sub-object) come from; undefined = the current context. */
  readonly sourceKey: string | undefined
  readonly children: readonly CompiledField[]
}

export interface CompiledField {
  readonly field: string
  /** JSON path of the field spec in the scheme file (`target.metadata.request[4]`). */
  readonly path: string
  /** Declared type, lower-cased. */
  readonly type: string | undefined
  /** The parsed value; undefined when the value is absent, null or empty. */
  readonly node: ValueNode | undefined
  /** A non-string literal value (number, boolean) passes through as written. */
  readonly constant?: number | boolean
  readonly parser: ParserSpec | undefined
  readonly container: CompiledContainer | undefined
}

export interface CompiledSide {
  readonly metadata: AdapterMetadata
  readonly request: readonly CompiledField[]
  readonly otherRequest: readonly CompiledField[]
  /** `omissionRemedy.takeOverRequest` (source side only). */
  readonly takeOverRequest: readonly CompiledField[]
}

export interface CompiledScheme {
  readonly scheme: SchemeFile
  readonly source: CompiledSide
  readonly target: CompiledSide | undefined
  readonly schedule: ResolvedSchedule
  readonly retry: ResolvedRetry
  /** Detail arrays the source flattens (top-level `beatFlat` plus the otherRequest form). */
  readonly beatFlat: readonly string[]
}

function compileField(spec: FieldSpec, path: string): CompiledField {
  const type = typeof spec.type === 'string' ? spec.type.toLowerCase() : undefined
  const children = Array.isArray(spec.children) ? spec.children : undefined
  const isContainer = children !== undefined && (type === 'array' || type === 'object')
  const value = spec.value
  let node: ValueNode | undefined
  let constant: number | boolean | undefined
  let sourceKey: string | undefined
  if (typeof value === 'string' && value !== '') {
    if (isContainer) sourceKey = value.trim()
    else node = parseValue(value)
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    constant = value
  }
  return {
    field: spec.field,
    path,
    type,
    node,
    ...(constant === undefined ? {} : { constant }),
    parser: spec.parser,
    container: isContainer
      ? { kind: type, sourceKey, children: compileFields(children, join(path, 'children')) }
      : undefined,
  }
}

/** Parse every value of a field list. Throws the parser's FerryError on a broken value. */
export function compileFields(list: readonly FieldSpec[] | undefined, path: string): CompiledField[] {
  return (list ?? []).map((spec, i) => compileField(spec, join(path, i)))
}

const compiledSides = new WeakSet<object>()
const sideCache = new WeakMap<AdapterMetadata, CompiledSide>()

export function compileSide(meta: AdapterMetadata, path: string): CompiledSide {
  const side: CompiledSide = {
    metadata: meta,
    request: compileFields(meta.request, join(path, 'request')),
    otherRequest: compileFields(meta.otherRequest, join(path, 'otherRequest')),
    takeOverRequest: compileFields(
      meta.omissionRemedy?.takeOverRequest,
      join(join(path, 'omissionRemedy'), 'takeOverRequest'),
    ),
  }
  compiledSides.add(side)
  return side
}

/**
 * A compiled side as is, or metadata compiled once and remembered (by object identity; a caller
 * that mutates metadata after mapping must compile again with compileSide).
 */
export function asCompiledSide(meta: AdapterMetadata | CompiledSide, path: string): CompiledSide {
  if (compiledSides.has(meta)) return meta as CompiledSide
  const m = meta as AdapterMetadata
  let side = sideCache.get(m)
  if (side === undefined) {
    side = compileSide(m, path)
    sideCache.set(m, side)
  }
  return side
}

/** Compile a validated scheme (validation has already reported any value that does not parse). */
export function compileScheme(scheme: SchemeFile): CompiledScheme {
  return {
    scheme,
    source: compileSide(scheme.source.metadata, 'source.metadata'),
    target: scheme.target === undefined ? undefined : compileSide(scheme.target.metadata, 'target.metadata'),
    schedule: resolveSchedule(scheme),
    retry: resolveRetry(scheme),
    beatFlat: beatFlatArrays(scheme.source.metadata),
  }
}
