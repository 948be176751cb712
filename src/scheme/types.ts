/**
 * The scheme file model. Every interface accepts the superset of keys the platform is known to
 * write (spec qeasy-metadata §7.1) plus an index signature: objects are kept as loaded, so keys
 * Ferry does not know survive a load → save round trip untouched.
 */

export type Effect = 'QUERY' | 'EXECUTE'

/** Value parser of a field spec (`ArrayToString`, `StringToArray`). */
export interface ParserSpec {
  name: string
  params?: string
  params1?: string
  params2?: string
  [k: string]: unknown
}

/** One item of `request` / `otherRequest` / `response` / `otherResponse` / `takeOverRequest`. */
export interface FieldSpec {
  field: string
  label?: string
  type?: string
  value?: string | number | boolean | null
  describe?: string | null
  is_required?: boolean
  parser?: ParserSpec
  children?: FieldSpec[]
  parent?: string
  parent_id?: string
  id?: string
  [k: string]: unknown
}

/** Condition operators documented by the platform. */
export const CONDITION_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'egt',
  'lt',
  'elt',
  'like',
  'notlike',
  'between',
  'notnull',
  'isnull',
] as const
/** Ferry extensions (comma-separated lists); validation flags them with a warning. */
export const EXTENSION_OPERATORS = ['in', 'notin'] as const

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number] | (typeof EXTENSION_OPERATORS)[number]

export interface ConditionClause {
  field: string
  logic: ConditionOperator
  value?: string | number
  strictMode?: boolean
  [k: string]: unknown
}

/** Outer array = OR of groups, inner array = AND of clauses. */
export type Condition = ConditionClause[][]

export interface OmissionRemedy {
  crontab: string
  takeOverRequest: FieldSpec[]
  adapter?: string
  [k: string]: unknown
}

export const ACCUMULATORS = ['$sum', '$avg', '$min', '$max', '$push', '$addToSet', '$first', '$last'] as const
export type Accumulator = (typeof ACCUMULATORS)[number]

export interface GroupCalculate {
  headerGroup: string[]
  bodyGroup?: string[]
  bodyName: string
  targetBodyName?: string
  bodyMaxLine?: number | null
  calculate: Record<string, Accumulator>
  [k: string]: unknown
}

export interface Operation {
  /** `none` (one record → one write), `merge` (unconfirmed), `batchArraySave` (several records per call). */
  method: string
  /** batchArraySave: records per call (default 1). */
  rows?: number
  /** batchArraySave: the request key that holds the array of records. */
  rowsKey?: string
  [k: string]: unknown
}

/** The metadata JSON of one side, as written on the platform. */
export interface AdapterMetadata {
  api: string
  effect?: Effect
  type?: string
  method?: string
  id?: string
  number?: string
  name?: string
  idCheck?: boolean
  request?: FieldSpec[]
  otherRequest?: FieldSpec[]
  response?: FieldSpec[]
  otherResponse?: FieldSpec[]
  condition?: Condition
  autoFillResponse?: boolean
  beatFlat?: string[]
  pagination?: { pageSize?: number; [k: string]: unknown }
  omissionRemedy?: OmissionRemedy
  operation?: Operation
  groupCalculate?: GroupCalculate
  [k: string]: unknown
}

export interface SchemeSide {
  /** Connector name, e.g. `jushuitan`, `kingdee-jdy`. */
  connector: string
  /** Named connection (credentials) to use; defaults to the connector name. */
  connection?: string
  metadata: AdapterMetadata
  [k: string]: unknown
}

export interface StageSchedule {
  crontab?: string
  [k: string]: unknown
}

export interface ScheduleSettings {
  source?: StageSchedule
  target?: StageSchedule
  /** IANA zone for templates, date filters and crontabs. Default Asia/Shanghai. */
  timezone?: string
  /** Platform text substitution in `_function` and raw-text fallback on evaluation errors. */
  compat?: boolean
  [k: string]: unknown
}

export interface RetrySettings {
  /** Delays in seconds before attempt 2, 3, …; its length is the number of retries. */
  ladder?: number[]
  /** Fraction (0–1) of random spread applied to each delay. */
  jitter?: number
  [k: string]: unknown
}

/** A scheme file: one integration from a source API to a target API. */
export interface SchemeFile {
  id: string
  name: string
  source: SchemeSide
  /** Absent for master-data schemes that only fill a lookup collection. */
  target?: SchemeSide
  schedule?: ScheduleSettings
  retry?: RetrySettings
  [k: string]: unknown
}

/** A non-fatal finding of validation; printed as `code  path  message` like errors. */
export interface SchemeWarning {
  readonly code:
    | 'WARN_UNKNOWN_KEY'
    | 'WARN_UNCONFIRMED'
    | 'WARN_EXTENSION'
    | 'WARN_IGNORED'
    | 'WARN_GROUP_WITHOUT_BEATFLAT'
    | 'WARN_UNKNOWN_CONNECTOR'
    | 'WARN_LOOKUP_IMPLICIT_END'
  readonly path: string
  readonly message: string
}
