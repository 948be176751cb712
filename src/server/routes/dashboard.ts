/**
 * The console's read-only aggregates: the dashboard's figures per scheme, and one stored
 * reconciliation with its differences (the findings kept as run-log lines, proof/results.ts).
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { RECONCILE_RUN_KIND } from '../../proof/results.js'
import { StoreNotFound } from '../../store/index.js'
import { schemeStats } from '../dashboard.js'
import { NotFound } from '../errors.js'
import { addRoute, type ServiceContext } from '../route.js'
import { Cursor, Limit } from '../schemas.js'

const DashboardQuery = Type.Object(
  {
    scheme: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'Days of per-day counts (default 14).' })),
  },
  { additionalProperties: false },
)
const ReconcileResultParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), runId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
const PageQuery = Type.Object(
  { cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) },
  { additionalProperties: false },
)

export function dashboardRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { host } = ctx

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/dashboard',
    access: 'viewer',
    summary:
      'Per scheme: records read and written per day, failed records by code, throttled answers, lag, last run and reconcile status',
    tags: ['schemes'],
    querystring: DashboardQuery,
    handler: async (req) => {
      const q = req.query as Static<typeof DashboardQuery>
      const list = q.scheme === undefined ? host.schemes : [host.scheme(q.scheme)]
      const days = q.days ?? 14
      const schemes = []
      // One scheme after another: each is a handful of indexed queries, and SQLite serialises them anyway.
      for (const s of list) schemes.push(await schemeStats(host, ctx.store, s, days))
      return { generatedAt: host.deps.clock.now().toISOString(), days, schemes }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/reconcile/:runId',
    access: 'viewer',
    summary: 'One stored reconciliation: its range and counts, and its differences (findings), paged',
    tags: ['proof'],
    params: ReconcileResultParams,
    querystring: PageQuery,
    handler: async (req) => {
      const p = req.params as Static<typeof ReconcileResultParams>
      const q = req.query as Static<typeof PageQuery>
      const s = host.scheme(p.id)
      let run
      try {
        run = await ctx.store.runs.get(p.runId)
      } catch (e) {
        if (StoreNotFound.is(e)) throw NotFound(['reconcile result', p.runId])
        throw e
      }
      if (run.schemeId !== s.id || run.kind !== RECONCILE_RUN_KIND) throw NotFound(['reconcile result', p.runId])
      const page = await ctx.store.runs.readLog(run.id, {
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        limit: q.limit ?? 200,
      })
      // Findings are the `warn` lines; `info` lines are the repairs queued for them.
      const differences = page.lines
        .filter((l) => l.level === 'warn')
        .map((l) => ({ reason: l.msg, ...(l.data ?? {}) }))
      const repairs = page.lines.filter((l) => l.level === 'info').map((l) => ({ note: l.msg, ...(l.data ?? {}) }))
      return {
        result: run,
        differences,
        repairs,
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      }
    },
  })
}
