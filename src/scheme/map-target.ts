/**
 * Building payloads from field-spec trees: the target write body (`mapTarget`, spec 4.2) and the
 * source request parameters (`renderRequest`, with `omissionRemedy.takeOverRequest` overrides).
 *
 * Every value is evaluated with the expression language. Detail arrays (`type: "array"` with
 * `children`) produce one output row per source row; children see the row as `ctx.row`. A null
 * result is omitted (the platform's removeNull). A `_findCollection` that finds nothing is listed
 * in `unresolved`, so the engine can park the record as a data error naming the missing key.
 */
import { FerryError, isFerryError } from '../core/errors.js'
import { evaluate, type EvalContext, type LookupProvider } from '../expr/index.js'
import { asCompiledSide, type CompiledField, type CompiledSide } from './compile.js'
import { TargetArraySource, TargetValueType } from './errors.js'
import { applyParser, typedBeforeParser } from './parsers.js'
import { describeType, getPath, isPlainObject, join, setKey } from './path.js'
import type { AdapterMetadata } from './types.js'
import { decimalToJson, toDecimal } from './values.js'

/** What the caller supplies: everything of an EvalContext except the record and row. */
export type MapContext = Omit<EvalContext, 'record' | 'row' | 'rowPath'>

export interface UnresolvedLookup {
  /** Payload path of the field whose value needed the lookup (`material_entity[0].material_id`). */
  readonly field: string
  readonly collection: string
  /** The field the lookup asked for. */
  readonly lookupField: string
  readonly where: Readonly<Record<string, unknown>>
}

export interface MappedPayload {
  readonly payload: Record<string, unknown>
  readonly unresolved: readonly UnresolvedLookup[]
}

interface Frame {
  readonly record: Record<string, unknown>
  readonly row: unknown
  readonly rowPath: string | undefined
}

class Mapper {
  readonly unresolved: UnresolvedLookup[] = []
  private currentField = ''
  private readonly lookups: LookupProvider | undefined

  constructor(private readonly ctx: MapContext) {
    const inner = ctx.lookups
    this.lookups =
      inner === undefined
        ? undefined
        : {
            find: async (q) => {
              const found = await inner.find(q)
              // An `in` list tries alternatives: only a miss of the last one is a miss of the lookup.
              const last = q.attempt === undefined || q.attempt.index === q.attempt.of - 1
              if (last && (found === undefined || found === null || found === '')) {
                this.unresolved.push({
                  field: this.currentField,
                  collection: q.collection,
                  lookupField: q.field,
                  where: { ...q.where },
                })
              }
              return found
            },
          }
  }

  private evalContext(frame: Frame): EvalContext {
    return {
      ...this.ctx,
      record: frame.record,
      ...(frame.row === undefined ? {} : { row: frame.row as Record<string, unknown>, rowPath: frame.rowPath }),
      ...(this.lookups === undefined ? {} : { lookups: this.lookups }),
    }
  }

  async object(fields: readonly CompiledField[], frame: Frame, outPath: string): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {}
    // One context per frame, not per field: spreading the caller's context for every value was a
    // visible share of mapping time (evaluation never changes the context it is given).
    let ec: EvalContext | undefined
    for (const f of fields) {
      const p = join(outPath, f.field)
      const v =
        f.container !== undefined
          ? await this.container(f, frame, p)
          : f.constant !== undefined
            ? await this.scalar(f, undefined, p)
            : await this.scalar(f, (ec ??= this.evalContext(frame)), p)
      if (v !== null && v !== undefined) setKey(out, f.field, v)
    }
    return out
  }

  private sourceOf(key: string, frame: Frame): unknown {
    // A child array may name a list inside the current row before one on the header.
    if (frame.row !== undefined) {
      const prefix = frame.rowPath === undefined ? '' : `${frame.rowPath}.`
      const inRow = getPath(frame.row, key.startsWith(prefix) && prefix !== '' ? key.slice(prefix.length) : key)
      if (inRow !== undefined) return inRow
    }
    return getPath(frame.record, key)
  }

  private async container(f: CompiledField, frame: Frame, outPath: string): Promise<unknown> {
    const c = f.container!
    if (c.kind === 'object') {
      if (c.sourceKey === undefined) return this.object(c.children, frame, outPath)
      const sub = this.sourceOf(c.sourceKey, frame)
      if (sub === undefined || sub === null) return undefined
      return this.object(c.children, { record: frame.record, row: sub, rowPath: c.sourceKey }, outPath)
    }
    const key = c.sourceKey ?? f.field
    const rows = this.sourceOf(key, frame)
    if (rows === undefined || rows === null) return []
    if (!Array.isArray(rows)) throw TargetArraySource([outPath, key, describeType(rows)], { location: outPath })
    const out: Record<string, unknown>[] = []
    for (const [i, row] of (rows as unknown[]).entries()) {
      out.push(
        await this.object(
          c.children,
          { record: frame.record, row: isPlainObject(row) ? row : { value: row }, rowPath: key },
          join(outPath, i),
        ),
      )
    }
    return out
  }

  private async scalar(f: CompiledField, ec: EvalContext | undefined, outPath: string): Promise<unknown> {
    if (f.constant !== undefined) return f.constant
    if (f.node === undefined || ec === undefined) return undefined
    this.currentField = outPath
    let v: unknown
    try {
      v = await evaluate(f.node, ec)
    } catch (e) {
      if (!isFerryError(e)) throw e
      const err = e
      throw new FerryError(err.code, err.kind, `${outPath}: ${err.message}`, {
        location: outPath,
        cause: e,
        details: {
          ...err.details,
          schemePath: f.path,
          ...(err.location === undefined ? {} : { position: err.location }),
        },
      })
    }
    if (f.parser === undefined) return coerce(v, f.type, outPath)
    if (typedBeforeParser(f.parser)) return applyParser(f.parser, coerce(v, f.type, outPath), outPath)
    return coerce(applyParser(f.parser, v, outPath), f.type, outPath)
  }
}

const INT_TYPES = new Set(['int', 'integer', 'long', 'bigint'])
const NUMBER_TYPES = new Set(['float', 'double', 'number', 'decimal', 'numeric', 'money'])
const BOOL_TYPES = new Set(['boolean', 'bool'])

// Not a closure inside coerce: that allocated one per mapped value (coerce runs for every field).
function typeError(v: unknown, type: string | undefined, outPath: string): FerryError {
  return TargetValueType([outPath, type ?? '?', describeType(v)], { location: outPath })
}

/** Convert a mapped value to the field spec's declared type; undeclared types pass as JSON. */
export function coerce(v: unknown, type: string | undefined, outPath: string): unknown {
  if (v === null || v === undefined) return null
  if (type === 'string') {
    if (typeof v === 'string') return v
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    throw typeError(v, type, outPath)
  }
  if (type !== undefined && (INT_TYPES.has(type) || NUMBER_TYPES.has(type))) {
    if (v === '') return null
    const d = toDecimal(v)
    if (d === undefined) throw typeError(v, type, outPath)
    if (INT_TYPES.has(type) && !d.isInteger()) throw typeError(v, type, outPath)
    return decimalToJson(d)
  }
  if (type !== undefined && BOOL_TYPES.has(type)) {
    if (typeof v === 'boolean') return v
    if (v === 1 || v === '1' || v === 'true') return true
    if (v === 0 || v === '0' || v === 'false') return false
    throw typeError(v, type, outPath)
  }
  return v
}

/**
 * Build the target payload for one record from the target `request[]` tree. Pass a compiled
 * side (from `compileScheme`) or metadata (compiled on first use and remembered).
 * Throws a FerryError (kind `data` for bad record values) located at the payload path.
 */
export async function mapTarget(
  meta: AdapterMetadata | CompiledSide,
  record: Record<string, unknown>,
  ctx: MapContext,
): Promise<MappedPayload> {
  const side = asCompiledSide(meta, 'target.metadata')
  const m = new Mapper(ctx)
  const payload = await m.object(side.request, { record, row: undefined, rowPath: undefined }, '')
  return { payload, unresolved: m.unresolved }
}

export interface RenderedRequest {
  readonly request: Record<string, unknown>
  readonly otherRequest: Record<string, unknown>
  readonly unresolved: readonly UnresolvedLookup[]
}

/**
 * Render the source request parameters. With `omissionRemedy: true` the takeOverRequest items
 * replace the same-named request items (others keep their normal values; new ones are added).
 */
export async function renderRequest(
  meta: AdapterMetadata | CompiledSide,
  ctx: MapContext,
  opts: { omissionRemedy?: boolean } = {},
): Promise<RenderedRequest> {
  const side = asCompiledSide(meta, 'source.metadata')
  let fields = side.request
  if (opts.omissionRemedy === true) {
    const over = new Map(side.takeOverRequest.map((f) => [f.field, f]))
    fields = [
      ...side.request.map((f) => over.get(f.field) ?? f),
      ...side.takeOverRequest.filter((f) => !side.request.some((r) => r.field === f.field)),
    ]
  }
  const m = new Mapper(ctx)
  const frame: Frame = { record: {}, row: undefined, rowPath: undefined }
  const request = await m.object(fields, frame, '')
  const otherRequest = await m.object(
    side.otherRequest.filter((f) => f.field !== 'beatFlat'),
    frame,
    '',
  )
  return { request, otherRequest, unresolved: m.unresolved }
}
