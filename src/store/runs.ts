/**
 * Runs, their per-stage counters and the run log. Counters are rows incremented in place by one
 * upsert, so a source stage and a target stage (or two workers) add to one run without a
 * read-modify-write race.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { redact, scrubSecretFields } from '../core/redact.js'
import type { StoreContext } from './context.js'
import { inWriteTx, pageSize, parseCursor, writeOnce } from './context.js'
import { StoreBadInput, StoreNotFound } from './errors.js'

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Run counter stage of a run's vendor calls and throttled answers (read by the `throttled` alert rule). */
export const BUDGET_STAGE = 'budget'

/** Stage name → counter name → value, e.g. `{ source: { fetched: 120, kept: 80 }, target: { written: 79 } }`. */
export type StageCounters = Record<string, Record<string, number>>

export interface RunInfo {
  readonly id: string
  readonly schemeId: string
  /** What ran: `source`, `target`, `both`, `backfill`, `remedy`, … (free text chosen by the engine). */
  readonly kind: string
  readonly status: RunStatus
  readonly startedAt: Date
  readonly finishedAt: Date | null
  readonly params: unknown
  readonly errorCode: string | null
  readonly errorMessage: string | null
  readonly counters: StageCounters
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface RunLogLine {
  readonly seq: number
  readonly runId: string
  readonly at: Date
  readonly level: LogLevel
  readonly msg: string
  readonly data?: Record<string, unknown>
}

/** The engine's port to runs, their counters per stage and their log (engine-ports.ts). */
export interface RunPort {
  start(schemeId: string, kind: string, params?: Record<string, unknown>): Promise<string>
  /** Add integers to the run's counters of `stage`. */
  add(runId: string, stage: string, delta: Readonly<Record<string, number>>): Promise<void>
  log(runId: string, lines: readonly { level: LogLevel; msg: string; data?: Record<string, unknown> }[]): Promise<void>
  finish(runId: string, status: Exclude<RunStatus, 'running'>, error?: { code: string; message: string }): Promise<void>
}

export class RunRepo implements RunPort {
  constructor(private readonly ctx: StoreContext) {}

  async start(schemeId: string, kind: string, params?: Record<string, unknown>): Promise<string> {
    const id = randomUUID()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('runs')
        .values({
          id,
          scheme_id: schemeId,
          kind,
          status: 'running',
          started_at: this.ctx.now(),
          finished_at: null,
          params: params === undefined ? null : JSON.stringify(redact(params)),
          error_code: null,
          error_message: null,
        })
        .execute(),
    )
    return id
  }

  /** Add to counters: `add(run, 'source', { fetched: 50, kept: 48 })`. */
  async add(runId: string, stage: string, delta: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(delta).filter(([, v]) => v !== 0)
    for (const [name, value] of entries) {
      if (!Number.isInteger(value)) throw StoreBadInput([`counter ${stage}.${name} must be an integer`])
    }
    if (entries.length === 0) return
    await inWriteTx(this.ctx, async (trx) => {
      for (const [name, value] of entries) {
        await trx
          .insertInto('run_counters')
          .values({ run_id: runId, stage, name, value })
          .onConflict((oc) =>
            oc
              .columns(['run_id', 'stage', 'name'])
              .doUpdateSet({ value: sql<number>`run_counters.value + excluded.value` }),
          )
          .execute()
      }
    })
  }

  async finish(
    runId: string,
    status: Exclude<RunStatus, 'running'>,
    error?: { code: string; message: string },
  ): Promise<void> {
    const res = await writeOnce(this.ctx, (db) =>
      db
        .updateTable('runs')
        .set({
          status,
          finished_at: this.ctx.now(),
          error_code: error?.code ?? null,
          error_message: error === undefined ? null : scrubSecretFields(error.message),
        })
        .where('id', '=', runId)
        .executeTakeFirst(),
    )
    if (Number(res.numUpdatedRows) === 0) throw StoreNotFound(['run', runId])
  }

  async get(runId: string): Promise<RunInfo> {
    const row = await this.ctx.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst()
    if (row === undefined) throw StoreNotFound(['run', runId])
    const counters: StageCounters = {}
    const rows = await this.ctx.db
      .selectFrom('run_counters')
      .select(['stage', 'name', 'value'])
      .where('run_id', '=', runId)
      .execute()
    for (const c of rows) (counters[c.stage] ??= {})[c.name] = Number(c.value)
    return {
      id: row.id,
      schemeId: row.scheme_id,
      kind: row.kind,
      status: row.status as RunStatus,
      startedAt: new Date(row.started_at),
      finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
      params: row.params === null ? undefined : (JSON.parse(row.params) as unknown),
      errorCode: row.error_code,
      errorMessage: row.error_message,
      counters,
    }
  }

  /** Newest first. */
  async list(schemeId: string, limit?: number): Promise<Omit<RunInfo, 'counters'>[]> {
    const rows = await this.ctx.db
      .selectFrom('runs')
      .selectAll()
      .where('scheme_id', '=', schemeId)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(pageSize(limit, 20))
      .execute()
    return rows.map((row) => ({
      id: row.id,
      schemeId: row.scheme_id,
      kind: row.kind,
      status: row.status as RunStatus,
      startedAt: new Date(row.started_at),
      finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
      params: row.params === null ? undefined : (JSON.parse(row.params) as unknown),
      errorCode: row.error_code,
      errorMessage: row.error_message,
    }))
  }

  /** Append structured log lines; `data` is redacted before it is stored. */
  async log(
    runId: string,
    lines: readonly { level: LogLevel; msg: string; data?: Record<string, unknown> }[],
  ): Promise<void> {
    if (lines.length === 0) return
    const at = this.ctx.now()
    await writeOnce(this.ctx, (db) =>
      db
        .insertInto('run_log')
        .values(
          lines.map((l) => ({
            run_id: runId,
            at,
            level: l.level,
            msg: l.msg,
            data: l.data === undefined ? null : JSON.stringify(redact(l.data)),
          })),
        )
        .execute(),
    )
  }

  /** One page of a run's log, oldest first; pass the returned cursor for the next page. */
  async readLog(
    runId: string,
    opts: { cursor?: string; limit?: number } = {},
  ): Promise<{ lines: RunLogLine[]; nextCursor?: string }> {
    const limit = pageSize(opts.limit, 200)
    const rows = await this.ctx.db
      .selectFrom('run_log')
      .selectAll()
      .where('run_id', '=', runId)
      .where('seq', '>', parseCursor(opts.cursor))
      .orderBy('seq')
      .limit(limit)
      .execute()
    const lines = rows.map((r) => ({
      seq: Number(r.seq),
      runId: r.run_id,
      at: new Date(r.at),
      level: r.level as LogLevel,
      msg: r.msg,
      ...(r.data === null ? {} : { data: JSON.parse(r.data) as Record<string, unknown> }),
    }))
    const last = lines.at(-1)
    return rows.length === limit && last !== undefined ? { lines, nextCursor: String(last.seq) } : { lines }
  }
}
