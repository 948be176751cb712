/** What the rules look at for one scheme, gathered from the store (store-facts.ts) or built by a test. */

export interface RunFact {
  readonly id: string
  readonly kind: string
  readonly status: 'succeeded' | 'failed'
  readonly startedAt: Date
  readonly errorCode: string | null
  readonly errorMessage: string | null
}

export interface SchemeFacts {
  readonly schemeId: string
  readonly schemeName: string
  /** Finished source/target/remedy runs, newest first (reconciliations and skipped runs excluded). */
  readonly runs: readonly RunFact[]
  /** When a run last closed a source window; undefined when none ever did. */
  readonly lastWindowClosedAt?: Date
  /** When the scheme was first seen (reference for freshness before any window closed). */
  readonly since?: Date
  /** Records kept per hour (key: epoch ms of the hour's start), only hours in which a source run started. */
  readonly hourlyVolume?: ReadonlyMap<number, number>
  readonly failedRecords: { readonly count: number; readonly oldestAt?: Date; readonly codes: readonly string[] }
  readonly lastReconcile?: {
    readonly runId: string
    readonly at: Date
    readonly missing: number
    readonly extra: number
    readonly mismatched: number
  }
  readonly pausedReason?: string
  readonly credentials: readonly { readonly connection: string; readonly name: string; readonly expiresAt: Date }[]
  /** Calls and throttled answers in the last hour, when the runs record them (see docs/alerts.md). */
  readonly throttle?: { readonly calls: number; readonly throttled: number }
}

export interface FactsSource {
  schemeIds(): readonly string[]
  facts(schemeId: string, now: Date): Promise<SchemeFacts>
}
