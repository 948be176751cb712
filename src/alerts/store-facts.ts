/**
 * The rules' facts read from the store: runs and their counters, the failed-record queue, the
 * latest reconciliation, the pause state and stored credential expiries. Every query is bounded
 * (by scheme and time, on indexed columns) so an evaluation every minute stays cheap.
 */
import { sql } from 'kysely'
import { BUDGET_STAGE } from '../store/index.js'
import type { Store } from '../store/index.js'
import type { FactsSource, RunFact, SchemeFacts } from './facts.js'

export interface SchemeRef {
  readonly id: string
  readonly name: string
  /** Connection names of the scheme (source, target), for the credential rule. */
  readonly connections: readonly string[]
}

const HOUR = 3_600_000
const RUN_KINDS = ['source', 'target', 'remedy']
/** The run counters (stage `budget`) in which each run records its own vendor calls and throttled answers (engine/run.ts). */
export const THROTTLE_COUNTERS = { stage: BUDGET_STAGE, calls: 'calls', throttled: 'throttled' } as const

export function storeFacts(store: Store, schemes: () => readonly SchemeRef[]): FactsSource {
  const db = store.db
  return {
    schemeIds: () => schemes().map((s) => s.id),
    async facts(schemeId, now): Promise<SchemeFacts> {
      const ref = schemes().find((s) => s.id === schemeId)
      const t = now.getTime()
      const runRows = await db
        .selectFrom('runs')
        .select(['id', 'kind', 'status', 'started_at', 'error_code', 'error_message'])
        .where('scheme_id', '=', schemeId)
        .where('kind', 'in', RUN_KINDS)
        .where('status', 'in', ['succeeded', 'failed'])
        .where('started_at', '<=', t)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(50)
        .execute()
      const runs: RunFact[] = runRows.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status as 'succeeded' | 'failed',
        startedAt: new Date(Number(r.started_at)),
        errorCode: r.error_code,
        errorMessage: r.error_message,
      }))

      const closed = await db
        .selectFrom('runs')
        .innerJoin('run_counters', 'run_counters.run_id', 'runs.id')
        .select((eb) => eb.fn.max('runs.finished_at').as('at'))
        .where('runs.scheme_id', '=', schemeId)
        .where('run_counters.name', '=', 'windows')
        .where('run_counters.value', '>', 0)
        .where('runs.finished_at', '<=', t)
        .executeTakeFirst()
      const first = await db
        .selectFrom('runs')
        .select((eb) => eb.fn.min('started_at').as('at'))
        .where('scheme_id', '=', schemeId)
        .where('kind', 'in', RUN_KINDS)
        .executeTakeFirst()

      // Records kept per hour, by the hour each source run started in; hours without a run stay absent.
      const since = Math.floor(t / HOUR) * HOUR - 15 * 24 * HOUR
      const vol = await db
        .selectFrom('runs')
        .leftJoin('run_counters', (j) =>
          j.onRef('run_counters.run_id', '=', 'runs.id').on('run_counters.name', '=', 'kept'),
        )
        .select(['runs.started_at', 'run_counters.value'])
        .where('runs.scheme_id', '=', schemeId)
        .where('runs.kind', '=', 'source')
        .where('runs.status', '=', 'succeeded')
        .where('runs.started_at', '>=', since)
        .where('runs.started_at', '<=', t)
        .execute()
      const hourlyVolume = new Map<number, number>()
      for (const v of vol) {
        const h = Math.floor(Number(v.started_at) / HOUR) * HOUR
        hourlyVolume.set(h, (hourlyVolume.get(h) ?? 0) + Number(v.value ?? 0))
      }

      const failed = await db
        .selectFrom('records')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('updated_at').as('oldest')])
        .where('scheme_id', '=', schemeId)
        .where('status', '=', 'error')
        .where('resolved_at', 'is', null)
        .executeTakeFirst()
      const codeRows = await db
        .selectFrom('records')
        .select('error_code')
        .distinct()
        .where('scheme_id', '=', schemeId)
        .where('status', '=', 'error')
        .where('resolved_at', 'is', null)
        .where('error_code', 'is not', null)
        .limit(5)
        .execute()

      const rc = await db
        .selectFrom('runs')
        .select(['id', 'started_at'])
        .where('scheme_id', '=', schemeId)
        .where('kind', '=', 'reconcile')
        .where('status', '=', 'succeeded')
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst()
      let lastReconcile: SchemeFacts['lastReconcile']
      if (rc !== undefined) {
        const counts = Object.fromEntries(
          (await db.selectFrom('run_counters').select(['name', 'value']).where('run_id', '=', rc.id).execute()).map(
            (c) => [c.name, Number(c.value)],
          ),
        )
        lastReconcile = {
          runId: rc.id,
          at: new Date(Number(rc.started_at)),
          missing: counts.missing ?? 0,
          extra: counts.extra ?? 0,
          mismatched: counts.mismatched ?? 0,
        }
      }

      const scheme = await db
        .selectFrom('schemes')
        .select(['paused', 'pause_reason', 'created_at'])
        .where('id', '=', schemeId)
        .executeTakeFirst()
      const conns = ref?.connections ?? []
      const creds =
        conns.length === 0
          ? []
          : await db
              .selectFrom('credentials')
              .select(['connection_id', 'name', 'expires_at'])
              .where('connection_id', 'in', [...conns])
              .where('expires_at', 'is not', null)
              .execute()

      const recent = await db
        .selectFrom('runs')
        .innerJoin('run_counters', 'run_counters.run_id', 'runs.id')
        .select(['run_counters.name', sql<number>`sum(run_counters.value)`.as('total')])
        .where('runs.scheme_id', '=', schemeId)
        .where('runs.started_at', '>', t - HOUR)
        .where('runs.started_at', '<=', t)
        .where('run_counters.stage', '=', THROTTLE_COUNTERS.stage)
        .where('run_counters.name', 'in', [THROTTLE_COUNTERS.calls, THROTTLE_COUNTERS.throttled])
        .groupBy('run_counters.name')
        .execute()
      const totals = Object.fromEntries(recent.map((r) => [r.name, Number(r.total)]))

      const at = (v: unknown) => (v === null || v === undefined ? undefined : new Date(Number(v)))
      const lastClosed = at(closed?.at)
      const firstSeen = at(first?.at) ?? at(scheme?.created_at)
      const oldest = at(failed?.oldest)
      return {
        schemeId,
        schemeName: ref?.name ?? schemeId,
        runs,
        ...(lastClosed === undefined ? {} : { lastWindowClosedAt: lastClosed }),
        ...(firstSeen === undefined ? {} : { since: firstSeen }),
        hourlyVolume,
        failedRecords: {
          count: Number(failed?.n ?? 0),
          ...(oldest === undefined ? {} : { oldestAt: oldest }),
          codes: codeRows.map((r) => r.error_code ?? '').filter((c) => c !== ''),
        },
        ...(lastReconcile === undefined ? {} : { lastReconcile }),
        ...(scheme !== undefined && Number(scheme.paused) === 1
          ? { pausedReason: scheme.pause_reason ?? '(no reason recorded)' }
          : {}),
        credentials: creds.map((c) => ({
          connection: c.connection_id,
          name: c.name,
          expiresAt: new Date(Number(c.expires_at)),
        })),
        ...(totals[THROTTLE_COUNTERS.calls] === undefined
          ? {}
          : {
              throttle: {
                calls: totals[THROTTLE_COUNTERS.calls] ?? 0,
                throttled: totals[THROTTLE_COUNTERS.throttled] ?? 0,
              },
            }),
      }
    },
  }
}
