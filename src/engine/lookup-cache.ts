/**
 * A bounded cache in front of the store's `_findCollection` lookups. Master data does not change
 * while a target scheme writes, yet every loss line asks the same few questions (material id, unit
 * id, store id), each several SQLite queries; the cache answers the repeats from memory.
 *
 * What it may keep, and for how long (the engine tells it through {@link LookupEvents}; what each
 * event drops is decided here):
 * - a found value until the collection it came from is written (a master-data scheme stores
 *   records) or a new run starts;
 * - a miss only until the next target batch is claimed, so a material re-synced meanwhile is seen
 *   by the next batch, run or retry;
 * - at most `max` answers, least recently used dropped first.
 *
 * Concurrent lookups of one key share one store query. A failed query is not kept.
 */
import type { LookupProvider } from '../expr/index.js'

type LookupQuery = Parameters<LookupProvider['find']>[0]

interface Entry {
  readonly collection: string
  readonly value: Promise<unknown>
  /** Settled and found nothing (undefined or null). */
  miss: boolean
  settled: boolean
}

export const LOOKUP_CACHE_MAX = 10_000

/** What the engine tells the lookup cache as a run goes; the cache decides what each event drops. */
export interface LookupEvents {
  /** A run started: master data may have changed since the last one. */
  runStarted(): void
  /** A target batch is about to be claimed: a record that missed may be there now. */
  batchClaimed(): void
  /** Records of `collection` (a scheme id) were stored: its answers may be stale. */
  recordsStored(collection: string): void
}

export class LookupCache implements LookupProvider, LookupEvents {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly inner: LookupProvider,
    private readonly max = LOOKUP_CACHE_MAX,
  ) {}

  find(q: LookupQuery): Promise<unknown> {
    const key = keyOf(q)
    const known = this.entries.get(key)
    if (known !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, known)
      return known.value.then(copy)
    }
    const value = this.inner.find(q)
    const entry: Entry = { collection: q.collection, value, miss: false, settled: false }
    this.entries.set(key, entry)
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
    value.then(
      (v) => {
        entry.settled = true
        entry.miss = v === undefined || v === null
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key)
      },
    )
    return value.then(copy)
  }

  runStarted(): void {
    this.clear()
  }

  batchClaimed(): void {
    this.dropMisses()
  }

  recordsStored(collection: string): void {
    this.dropCollection(collection)
  }

  /** Forget every answer (a new run). */
  clear(): void {
    this.entries.clear()
  }

  /** Forget the answers from one collection (its records were just written). */
  dropCollection(collection: string): void {
    for (const [k, e] of this.entries) if (e.collection === collection) this.entries.delete(k)
  }

  /** Forget the misses, and answers still pending that may turn out to be misses (a new batch). */
  dropMisses(): void {
    for (const [k, e] of this.entries) if (e.miss || !e.settled) this.entries.delete(k)
  }

  get size(): number {
    return this.entries.size
  }
}

/**
 * Each part is a JSON text, which is self-delimiting, so distinct queries get distinct keys; built
 * by concatenation because the nested arrays of one JSON.stringify were a per-lookup cost.
 */
function keyOf(q: LookupQuery): string {
  let key = JSON.stringify(q.collection) + JSON.stringify(q.field)
  for (const name of Object.keys(q.where)) key += `${JSON.stringify(name)}:${JSON.stringify(q.where[name] ?? null)}`
  return key
}

/** Callers get their own copy of an object or array value, so none can change the cached one. */
function copy(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v
}
