/**
 * Schemes: list, detail, versions, validate, preview, enable/disable, run now, backfill, verify,
 * reconcile (as a job), and the collections `_findCollection` reads.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { parseCliTime } from '../../engine/time-input.js'
import { redact } from '../../core/redact.js'
import type { EngineScheme } from '../../engine/ports.js'
import { previewScheme } from '../../engine/preview.js'
import { ledgerCounts } from '../../engine/scheduled.js'
import { reconcileScheme, verifyScheme } from '../../proof/run.js'
import { RECONCILE_RUN_KIND } from '../../proof/results.js'
import { validateScheme } from '../../scheme/index.js'
import { NotFound } from '../errors.js'
import { addRoute, principalOf, type ServiceContext } from '../route.js'
import { IdParams, SchemeParams, Stages, Time } from '../schemas.js'

const ValidateBody = Type.Object(
  { definition: Type.Record(Type.String(), Type.Unknown(), { description: 'The scheme document (JSON object).' }) },
  { additionalProperties: false },
)
const PreviewBody = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
  },
  { additionalProperties: false },
)
const DisableBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
)
const RunBody = Type.Object({ stages: Type.Optional(Stages) }, { additionalProperties: false })
const BackfillBody = Type.Object(
  { from: Time, to: Type.Optional(Time), stages: Type.Optional(Stages) },
  { additionalProperties: false },
)
const ReconcileBody = Type.Object(
  { from: Time, to: Time, repair: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)
const VersionParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
)
const LookupParams = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)
const LookupQuery = Type.Object(
  {
    field: Type.String({ minLength: 1, maxLength: 200 }),
    key: Type.String({ minLength: 1, maxLength: 200 }),
    value: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
)

function describe(s: EngineScheme) {
  return {
    id: s.id,
    name: s.name,
    source: { connection: s.source.connection, api: s.source.api },
    ...(s.target === undefined
      ? { collection: true }
      : { target: { connection: s.target.connection, api: s.target.api } }),
    schedule: {
      source: s.schedule.sourceCron ?? null,
      target: s.schedule.targetCron ?? null,
      timezone: s.schedule.timezone ?? null,
      start: s.schedule.start?.toISOString() ?? null,
    },
  }
}

export function schemeRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { host } = ctx
  const state = async (id: string) => {
    const info = await ctx.store.schemes.get(id)
    return {
      paused: info?.paused ?? false,
      pauseReason: info?.pauseReason ?? null,
      version: info?.currentVersion ?? null,
    }
  }

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes',
    access: 'viewer',
    summary: 'Loaded schemes',
    tags: ['schemes'],
    handler: async () => ({
      schemes: await Promise.all(host.schemes.map(async (s) => ({ ...describe(s), ...(await state(s.id)) }))),
    }),
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id',
    access: 'viewer',
    summary: 'One scheme: schedule, state, ledger counts, the version it runs (and why) and that definition',
    tags: ['schemes'],
    params: SchemeParams,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const running = host.running(s.id)
      const v = await ctx.store.schemes.getVersion(s.id, running.version)
      return {
        ...describe(s),
        ...(await state(s.id)),
        running,
        ledger: await ledgerCounts(host.ports.ledger, s.id),
        definition: redact(JSON.parse(v.rawJson) as unknown),
      }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/versions',
    access: 'viewer',
    summary: 'Stored versions of a scheme',
    tags: ['schemes'],
    params: SchemeParams,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      return { versions: await ctx.store.schemes.listVersions(s.id) }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/versions/:version',
    access: 'viewer',
    summary: 'One stored version with its definition',
    tags: ['schemes'],
    params: VersionParams,
    handler: async (req) => {
      const p = req.params as Static<typeof VersionParams>
      const s = host.scheme(p.id)
      const v = await ctx.store.schemes.getVersion(s.id, p.version)
      return {
        schemeId: v.schemeId,
        version: v.version,
        hash: v.hash,
        createdAt: v.createdAt,
        definition: redact(JSON.parse(v.rawJson) as unknown),
      }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/validate',
    access: 'operator',
    summary: 'Validate a scheme document; every error and warning with its JSON path',
    tags: ['schemes'],
    body: ValidateBody,
    handler: (req) => {
      const r = validateScheme((req.body as Static<typeof ValidateBody>).definition)
      return { ok: r.ok, errors: r.errors.map((e) => e.toJSON()), warnings: r.warnings }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/preview',
    access: 'operator',
    summary: 'Fetch, filter and map; what would be written (writes nothing, reads the source API)',
    tags: ['schemes'],
    params: SchemeParams,
    body: PreviewBody,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof PreviewBody>
      const items = await previewScheme(host.deps, s, {
        limit: b.limit ?? 10,
        ...(b.from === undefined ? {} : { from: parseCliTime(b.from) }),
        ...(b.to === undefined ? {} : { to: parseCliTime(b.to) }),
      })
      return { items }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/disable',
    access: 'operator',
    summary: 'Pause a scheme: scheduled and API runs are refused until enabled',
    tags: ['schemes'],
    params: SchemeParams,
    body: DisableBody,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const p = principalOf(req)
      await host.ports.schemes.pause(
        s.id,
        (req.body as Static<typeof DisableBody>).reason ?? `disabled by ${p.name} through the API`,
      )
      return { id: s.id, ...(await state(s.id)) }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/enable',
    access: 'operator',
    summary: 'Resume a paused or disabled scheme',
    tags: ['schemes'],
    params: SchemeParams,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      await host.ports.schemes.resume(s.id)
      return { id: s.id, ...(await state(s.id)) }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/runs',
    access: 'operator',
    summary: 'Run now; answers the run id at once (follow it at /api/v1/runs/{id}/events)',
    tags: ['runs'],
    params: SchemeParams,
    body: RunBody,
    status: 202,
    handler: async (req, reply) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof RunBody>
      const runId = await ctx.hub.start(host, s.id, { ...(b.stages === undefined ? {} : { stages: b.stages }) })
      req.auditDetail = { runId }
      return reply.status(202).send({ runId, schemeId: s.id, events: `/api/v1/runs/${runId}/events` })
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/backfill',
    access: 'operator',
    summary: 'Backfill a range (re-reads it; the ledger keeps writes exactly once); answers the run id at once',
    tags: ['runs'],
    params: SchemeParams,
    body: BackfillBody,
    status: 202,
    handler: async (req, reply) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof BackfillBody>
      const range = { from: parseCliTime(b.from), ...(b.to === undefined ? {} : { to: parseCliTime(b.to) }) }
      const runId = await ctx.hub.start(host, s.id, { range, ...(b.stages === undefined ? {} : { stages: b.stages }) })
      req.auditDetail = { runId, from: range.from.toISOString() }
      return reply.status(202).send({ runId, schemeId: s.id, events: `/api/v1/runs/${runId}/events` })
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/verify',
    access: 'viewer',
    summary: 'Check the ledger invariants (reads only)',
    tags: ['proof'],
    params: SchemeParams,
    handler: async (req) => verifyScheme(host, (req.params as Static<typeof SchemeParams>).id),
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/reconcile',
    access: 'operator',
    summary: 'Reconcile a range against the target as a background job; answers the job id at once',
    tags: ['proof'],
    params: SchemeParams,
    body: ReconcileBody,
    status: 202,
    handler: async (req, reply) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof ReconcileBody>
      const range = { from: parseCliTime(b.from), to: parseCliTime(b.to) }
      const job = ctx.hub.startJob('reconcile', s.id, async () => {
        const r = await reconcileScheme(host, s.id, { ...range, repair: b.repair === true })
        return {
          runId: r.runId,
          ...r.report,
          sources: undefined,
          ...(r.repair === undefined ? {} : { repair: r.repair }),
        }
      })
      req.auditDetail = { jobId: job.id, repair: b.repair === true }
      return reply.status(202).send({ jobId: job.id, status: job.status, result: `/api/v1/jobs/${job.id}` })
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/reconcile',
    access: 'viewer',
    summary: 'Stored reconcile results of a scheme, newest first',
    tags: ['proof'],
    params: SchemeParams,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const runs = await ctx.store.runs.list(s.id, 100)
      return {
        results: await Promise.all(
          runs.filter((r) => r.kind === RECONCILE_RUN_KIND).map((r) => ctx.store.runs.get(r.id)),
        ),
      }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/jobs/:id',
    access: 'viewer',
    summary: 'A background job (reconcile): status and result',
    tags: ['proof'],
    params: IdParams,
    handler: (req) => {
      const id = (req.params as Static<typeof IdParams>).id
      const job = ctx.hub.job(id)
      if (job === undefined) throw NotFound(['job', id])
      return job
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/collections',
    access: 'viewer',
    summary: 'Collections _findCollection reads: master-data schemes and static maps',
    tags: ['collections'],
    handler: () => ({
      collections: [
        ...host.schemes
          .filter((s) => s.target === undefined)
          .map((s) => ({ name: s.id, kind: 'scheme', title: s.name })),
        ...Object.keys(host.config.collections).map((name) => ({
          name,
          kind: 'static',
          rows: host.config.collections[name]?.length ?? 0,
        })),
      ],
    }),
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/collections/:name/lookup',
    access: 'viewer',
    summary: 'One _findCollection lookup: `field` of the first row whose `key` equals `value`',
    tags: ['collections'],
    params: LookupParams,
    querystring: LookupQuery,
    handler: async (req) => {
      const { name } = req.params as Static<typeof LookupParams>
      const q = req.query as Static<typeof LookupQuery>
      if (
        !host.schemes.some((s) => s.id === name && s.target === undefined) &&
        host.config.collections[name] === undefined
      )
        throw NotFound(['collection', name])
      const value = await ctx.store.find({ collection: name, field: q.field, where: { [q.key]: q.value } })
      return {
        collection: name,
        field: q.field,
        where: { [q.key]: q.value },
        found: value !== undefined && value !== null,
        value: value ?? null,
      }
    },
  })
}
