/**
 * Custom processors around a scheme: `withProcessors` wraps an EngineScheme so the stages call
 * the hooks without knowing about them —
 *   beforeRequest  source.renderRequest / renderRemedyRequest (the rendered request)
 *   afterFetch     source.toRecords, on the raw page before condition and beatFlat
 *   beforeStore    source.toRecords, on each record after condition and beatFlat
 *   beforeWrite    target.map, on the mapped payload
 *   afterWrite     target.afterWrite, on the target's answer (called by the target stage)
 * A failing beforeStore cannot park a record that is not stored yet, so the record is stored as
 * fetched with the error under PARKED_KEY and target.map fails it with that error: it is parked
 * like any data error, the other records of the page go on. beforeRequest and afterFetch have no
 * record: their errors fail the window, which stays open and is fetched again next run.
 */
import { FerryError, toFerryError } from '../core/errors.js'
import type { Json, ProcessorDefinition, WriteAnswer } from '../processors/define.js'
import { callHook, DEFAULT_HOOK_TIMEOUT_MS } from '../processors/runner.js'
import { getPath, isPlainObject } from '../scheme/path.js'
import type {
  AfterWriteInput,
  AfterWriteOutcome,
  EngineLogger,
  EngineScheme,
  PlannedRecord,
  SourceRecord,
  WriteUnit,
} from './ports.js'

/** Content key of a record whose beforeStore hook failed; the target stage parks it with this error. */
export const PARKED_KEY = '__ferry_processor_error'

export interface ProcessorOptions {
  readonly log: EngineLogger
  /** Default time limit of a hook call (a processor's own `timeoutMs` wins). */
  readonly timeoutMs?: number
  /** The source record's id and number fields (`source.metadata.id` / `number`). */
  readonly idField: string
  readonly numberField: string
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')

function setPath(obj: Json, path: string, v: unknown): Json {
  const keys = path.split('.')
  const out: Json = { ...obj }
  let cur = out
  for (const [i, k] of keys.entries()) {
    if (i === keys.length - 1) {
      cur[k] = v
      break
    }
    const next = isPlainObject(cur[k]) ? { ...cur[k] } : {}
    cur[k] = next
    cur = next
  }
  return out
}

function parkedError(content: Json): FerryError | undefined {
  const p = content[PARKED_KEY]
  if (!isPlainObject(p) || typeof p.code !== 'string') return undefined
  return new FerryError(p.code, 'data', typeof p.message === 'string' ? p.message : 'processor failed', {
    ...(typeof p.location === 'string' ? { location: p.location } : {}),
  })
}

export function withProcessors(
  scheme: EngineScheme,
  processors: readonly ProcessorDefinition[],
  o: ProcessorOptions,
): EngineScheme {
  if (processors.length === 0) return scheme
  const ms = o.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS
  const has = (h: keyof ProcessorDefinition) => processors.filter((p) => typeof p[h] === 'function')
  const call = <I, R>(
    p: ProcessorDefinition,
    hook: Parameters<typeof callHook>[1],
    input: I,
    ids: { recordId?: string; recordIds?: readonly string[] },
    extra?: Json,
  ) => callHook<I, R>(p, hook, input, { scheme: scheme.id, ...ids }, o.log, ms, extra)

  const beforeRequest = async (params: Record<string, unknown>) => {
    let out = params
    for (const p of has('beforeRequest')) {
      const r = await call<Json, Json | void>(p, 'beforeRequest', { ...out }, {})
      if (isPlainObject(r)) out = r
    }
    return out
  }

  /** beforeStore on one record; a split gives each part its own id (`<id>-<n>` when the hook kept it). */
  const storeOne = async (rec: SourceRecord): Promise<SourceRecord[]> => {
    let items: Json[] = [rec.content]
    try {
      for (const p of has('beforeStore')) {
        const next: Json[] = []
        for (const c of items) {
          const r = await call<Json, Json | Json[] | null | void>(p, 'beforeStore', structuredClone(c), {
            recordId: rec.id,
          })
          if (r === undefined) next.push(c)
          else if (r === null) continue
          else if (Array.isArray(r)) next.push(...r.filter(isPlainObject))
          else if (isPlainObject(r)) next.push(r)
        }
        items = next
      }
    } catch (e) {
      const err = toFerryError(e)
      return [
        {
          ...rec,
          content: {
            ...rec.content,
            [PARKED_KEY]: { code: err.code, message: err.message, location: err.location ?? null },
          },
        },
      ]
    }
    const split = items.length > 1
    return items.map((content, i) => {
      let c = content
      let id = text(getPath(c, o.idField))
      if (id === '' || (split && id === rec.id)) {
        id = split ? `${rec.id}-${i + 1}` : rec.id
        c = setPath(c, o.idField, id)
      }
      const number = text(getPath(c, o.numberField)) || rec.number
      const groupKey = scheme.target?.groupKey?.of(c)
      return { id, number, content: c, ...(groupKey === undefined ? {} : { groupKey }) }
    })
  }

  const source = scheme.source
  const wrappedSource: EngineScheme['source'] = {
    ...source,
    renderRequest: async (v) => beforeRequest(await source.renderRequest(v)),
    ...(source.renderRemedyRequest === undefined
      ? {}
      : {
          renderRemedyRequest: async (v: Parameters<NonNullable<typeof source.renderRemedyRequest>>[0]) =>
            beforeRequest(await source.renderRemedyRequest!(v)),
        }),
    async toRecords(docs) {
      let rows: Json[] = [...docs]
      for (const p of has('afterFetch')) {
        const r = await call<Json[], Json[] | void>(
          p,
          'afterFetch',
          rows.map((d) => structuredClone(d)),
          {},
        )
        if (Array.isArray(r)) rows = r.filter(isPlainObject)
      }
      const out: SourceRecord[] = []
      for (const rec of await source.toRecords(rows)) out.push(...(await storeOne(rec)))
      return out
    },
  }

  const target = scheme.target
  if (target === undefined) return { ...scheme, source: wrappedSource }
  return {
    ...scheme,
    source: wrappedSource,
    target: {
      ...target,
      plan(records: readonly PlannedRecord[]): WriteUnit[] {
        // A record parked by beforeStore is its own unit, so it never joins a group document.
        const parked = records.filter((r) => parkedError(r.content) !== undefined)
        const rest = records.filter((r) => parkedError(r.content) === undefined)
        return [...target.plan(rest), ...parked.map((r) => ({ recordIds: [r.id], input: r.content }))]
      },
      async map(unit, now) {
        const parked = parkedError(unit.input)
        if (parked !== undefined) throw parked
        const m = await target.map(unit, now)
        let payload = m.payload
        for (const p of has('beforeWrite')) {
          const r = await call<Json, Json | void>(
            p,
            'beforeWrite',
            structuredClone(payload),
            { recordId: unit.recordIds[0] ?? '', recordIds: unit.recordIds },
            { record: unit.input },
          )
          if (isPlainObject(r)) payload = r
        }
        return { ...m, payload }
      },
      async afterWrite(w: AfterWriteInput): Promise<AfterWriteOutcome> {
        let outcome: AfterWriteOutcome = (await target.afterWrite?.(w)) ?? w.outcome
        if (outcome.hookError !== undefined) return outcome
        for (const p of has('afterWrite')) {
          const answer: WriteAnswer = {
            kind: outcome.kind,
            ...(outcome.targetId === undefined ? {} : { targetId: outcome.targetId }),
            ...(outcome.response === undefined ? {} : { response: structuredClone(outcome.response) }),
            ...(outcome.message === undefined ? {} : { message: outcome.message }),
          }
          try {
            const r = await call<WriteAnswer, Partial<WriteAnswer> | void>(
              p,
              'afterWrite',
              answer,
              { recordId: w.recordIds[0] ?? '', recordIds: w.recordIds },
              { payload: structuredClone(w.payload), key: w.key },
            )
            if (isPlainObject(r)) {
              // An unknown outcome stays unknown: only a probe may settle it.
              const kind = outcome.kind === 'unknown_outcome' ? outcome.kind : (r.kind ?? outcome.kind)
              outcome = { ...outcome, ...r, kind }
            }
          } catch (e) {
            // The answer is kept as it was before this hook; the target stage settles it (a write
            // that landed keeps its target id and is never sent again) and parks the record with
            // the hook's error. The later afterWrite hooks run when the record is retried.
            const err = toFerryError(e)
            return {
              ...outcome,
              hookError: {
                code: err.code,
                kind: err.kind,
                message: err.message,
                ...(err.location === undefined ? {} : { location: err.location }),
              },
            }
          }
        }
        return outcome
      },
    },
  }
}
