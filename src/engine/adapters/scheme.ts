/**
 * A compiled scheme file (src/scheme) as the engine's EngineScheme: request rendering with the
 * window bound into LAST_SYNC_TIME / CURRENT_TIME, condition + beatFlat, target mapping with
 * lookups, grouping, and the data-quality rules the target demands.
 */
import { compileQualityRules, QualityRun } from '../../quality/rules.js'
import type { LookupProvider } from '../../expr/index.js'
import { createHash } from 'node:crypto'
import {
  applySourcePipeline,
  groupCalculate,
  headerGroupKey,
  mapTarget,
  renderRequest,
  type CompiledScheme,
  type FieldSpec,
} from '../../scheme/index.js'
import { getPath } from '../../scheme/path.js'
import type { EngineScheme, PlannedRecord, QualityRules, RequestVars, SourceRecord, WriteUnit } from '../ports.js'

export interface SchemeBinding {
  readonly sourceConnection: string
  readonly targetConnection?: string
  /** Configured first LAST_SYNC_TIME. */
  readonly start?: Date
  readonly lookups: LookupProvider
  /**
   * Payload field of the business key, from the target connector's api declaration. Absent (a
   * preview of a scheme for a connector Ferry does not have): no field, so a record's key is
   * missing and a `bodyMaxLine` part keeps its payload as mapped.
   */
  readonly businessKeyField?: string
  /** The rules the target connector declares for this api (ApiDeclaration.rules). */
  readonly targetRules?: { readonly required?: readonly string[]; readonly positive?: readonly string[] }
  readonly collectionTitles?: Readonly<Record<string, string>>
}

const toSec = (d: Date) => Math.floor(d.getTime() / 1000)

/** `is_required` fields of the target request tree as payload paths (`a[].b` inside arrays). */
export function requiredPaths(fields: readonly FieldSpec[] | undefined, prefix = ''): string[] {
  const out: string[] = []
  for (const f of fields ?? []) {
    const path = prefix === '' ? f.field : `${prefix}.${f.field}`
    if (f.is_required === true) out.push(path)
    if (Array.isArray(f.children))
      out.push(...requiredPaths(f.children, String(f.type).toLowerCase() === 'array' ? `${path}[]` : path))
  }
  return out
}

/** True when the source request reads LAST_SYNC_TIME, i.e. the query is incremental by time. */
function usesSyncTime(compiled: CompiledScheme): boolean {
  const text = JSON.stringify([
    compiled.scheme.source.metadata.request ?? [],
    compiled.scheme.source.metadata.otherRequest ?? [],
  ])
  return text.includes('LAST_SYNC_TIME')
}

export function engineScheme(compiled: CompiledScheme, b: SchemeBinding): EngineScheme {
  const s = compiled.scheme
  const meta = s.source.metadata
  const tz = compiled.schedule.timezone
  const compat = compiled.schedule.compat
  const pageSize = typeof meta.pagination?.pageSize === 'number' ? meta.pagination.pageSize : 50
  const vars = (v: RequestVars) => ({
    LAST_SYNC_TIME: toSec(v.lastSyncTime),
    CURRENT_TIME: toSec(v.currentTime),
    PAGINATION_PAGE_SIZE: pageSize,
    PAGINATION_START_PAGE: 1,
    PAGINATION_START_ROW: 0,
  })
  const render = async (v: RequestVars, omissionRemedy: boolean) => {
    const r = await renderRequest(
      compiled.source,
      { now: v.now, tz, compat, lookups: b.lookups, vars: vars(v) },
      { omissionRemedy },
    )
    return { ...r.otherRequest, ...r.request }
  }
  const idField = meta.id ?? 'id'
  const numberField = meta.number ?? idField
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '')

  const target = s.target
  const tside = compiled.target
  const businessKeyField = b.businessKeyField ?? ''
  const quality: QualityRules = {
    required: [...new Set([...requiredPaths(target?.metadata.request), ...(b.targetRules?.required ?? [])])],
    positive: [...new Set(b.targetRules?.positive ?? [])],
  }
  // Checked by validateScheme already; compiled again here for the regexes.
  const qualityRules = compileQualityRules(target?.quality).rules
  const group = target?.metadata.groupCalculate
  const groupKey =
    group === undefined
      ? undefined
      : (() => {
          const prefix = `${createHash('sha256').update(JSON.stringify(group.headerGroup)).digest('hex').slice(0, 12)}:`
          return { prefix, of: (content: Record<string, unknown>) => prefix + headerGroupKey(content, group) }
        })()

  return {
    id: s.id,
    name: s.name,
    ...(b.collectionTitles === undefined ? {} : { collectionTitles: b.collectionTitles }),
    schedule: {
      timezone: tz,
      ...(compiled.schedule.sourceCrontab === undefined ? {} : { sourceCron: compiled.schedule.sourceCrontab }),
      ...(compiled.schedule.targetCrontab === undefined ? {} : { targetCron: compiled.schedule.targetCrontab }),
      // A query that does not read LAST_SYNC_TIME (master data read whole) has no real start.
      ...(b.start !== undefined ? { start: b.start } : usesSyncTime(compiled) ? {} : { start: new Date(0) }),
    },
    // Only what the scheme wrote overrides the configuration (engine.retryLadder, engine.jitter).
    ...(s.retry === undefined ? {} : { retry: s.retry }),
    source: {
      connection: b.sourceConnection,
      api: meta.api,
      idCheck: meta.idCheck !== false,
      renderRequest: (v) => render(v, false),
      ...(meta.omissionRemedy === undefined
        ? {}
        : { renderRemedyRequest: (v: RequestVars) => render(v, true), remedyCrontab: meta.omissionRemedy.crontab }),
      toRecords(docs): SourceRecord[] {
        return applySourcePipeline(meta, docs, { tz }).map((content) => ({
          id: text(getPath(content, idField)),
          number: text(getPath(content, numberField)),
          content,
          ...(groupKey === undefined ? {} : { groupKey: groupKey.of(content) }),
        }))
      },
    },
    ...(target === undefined || tside === undefined
      ? {}
      : {
          target: {
            connection: b.targetConnection ?? target.connection ?? target.connector,
            api: target.metadata.api,
            businessKeyField,
            quality,
            ...(qualityRules.length === 0 ? {} : { qualityRun: () => new QualityRun(qualityRules, b.lookups) }),
            ...(groupKey === undefined ? {} : { groupKey }),
            ...(target.metadata.operation?.method === 'batchArraySave' &&
            typeof target.metadata.operation.rowsKey === 'string'
              ? {
                  batch: {
                    rows: typeof target.metadata.operation.rows === 'number' ? target.metadata.operation.rows : 1,
                    rowsKey: target.metadata.operation.rowsKey,
                  },
                }
              : {}),
            plan(records: readonly PlannedRecord[]): WriteUnit[] {
              if (group === undefined) return records.map((r) => ({ recordIds: [r.id], input: r.content }))
              return groupCalculate(
                records.map((r) => r.content),
                group,
              ).map((g) => ({
                recordIds: [
                  ...new Set(g.sources.map((i) => records[i]?.id).filter((id): id is string => id !== undefined)),
                ],
                input: g.document,
                ...(g.part > 1 ? { part: g.part } : {}),
              }))
            },
            async map(unit, now) {
              const m = await mapTarget(tside, unit.input, { now, tz, compat, lookups: b.lookups })
              // Part n >= 2 of a bodyMaxLine split is its own document: business key `<key>-<n>`.
              const key = m.payload[businessKeyField]
              const payload =
                unit.part !== undefined &&
                unit.part > 1 &&
                (typeof key === 'string' || typeof key === 'number') &&
                String(key).trim() !== ''
                  ? { ...m.payload, [businessKeyField]: `${String(key)}-${unit.part}` }
                  : m.payload
              return {
                payload,
                unresolved: m.unresolved.map((u) => ({
                  collection: u.collection,
                  field: u.lookupField,
                  where: u.where,
                  path: u.field,
                })),
              }
            },
          },
        }),
  }
}
