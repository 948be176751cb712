/**
 * What an evaluation reads. Kept apart from the barrel (index.ts), which re-exports it, so the
 * interpreter's own files never import the barrel that imports them.
 */
/** Everything an evaluation may read. */
export interface EvalContext {
  /** The source document. */
  readonly record: Record<string, unknown>
  /** The current detail row when a child field is mapped. */
  readonly row?: Record<string, unknown>
  /** Name of the detail array the row comes from, e.g. `items`. */
  readonly rowPath?: string
  /** LAST_SYNC_TIME etc. (Unix seconds) and extra `--var` values; they win over record fields of the same name. */
  readonly vars?: Record<string, unknown>
  readonly now: Date
  /** IANA zone for filters and date functions; schemes default to Asia/Shanghai. */
  readonly tz: string
  readonly lookups?: LookupProvider
  /** Platform text substitution; an evaluation error then returns the raw text instead of failing. */
  readonly compat?: boolean
}

export interface LookupQuery {
  collection: string
  field: string
  where: Record<string, unknown>
  /**
   * Set when an `in` list makes several queries for one lookup: this is query `index` of `of`.
   * A miss before the last one is not yet a miss of the lookup.
   */
  attempt?: { readonly index: number; readonly of: number }
}

/** Resolves `_findCollection`; the store implements it. Conditions are AND-ed exact matches. */
export interface LookupProvider {
  /** The `field` of the first stored record of `collection` matching `where`; undefined/null = no match. */
  find(q: LookupQuery): Promise<unknown>
}
