/**
 * Records: search the ledger (status, number, time, error code), one record with its source,
 * mapped payload, attempts and answers, and the failed-record queue's actions (retry,
 * edit-and-retry, resolve, bulk retry). A retry requeues at once and starts a target run; while
 * one is going, another follows it unless it wrote the records.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { parseCliTime } from '../../engine/time-input.js'
import { RecordNotFound } from '../../engine/errors.js'
import { CLAIMABLE_STATUSES, type RecordStatus } from '../../store/index.js'
import { addRoute, principalOf, type ServiceContext } from '../route.js'
import { Cursor, Limit, RecordParams, SchemeParams, Time } from '../schemas.js'

const Status = Type.Union(['waiting', 'queued', 'unknown', 'done', 'duplicate', 'error'].map((s) => Type.Literal(s)))
const SearchQuery = Type.Object(
  {
    status: Type.Optional(Status),
    number: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Substring of the record number or id' }),
    ),
    errorCode: Type.Optional(Type.String({ pattern: '^ERR_[A-Z0-9_]+$' })),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
)
const EditBody = Type.Object(
  {
    payload: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The target payload to write instead of the mapped one',
    }),
  },
  { additionalProperties: false },
)
const ResolveBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
)
const BulkBody = Type.Union([
  Type.Object(
    {
      ids: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
        minItems: 1,
        maxItems: 1000,
        uniqueItems: true,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ allFailed: Type.Literal(true) }, { additionalProperties: false }),
])

export function recordRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { host } = ctx

  /**
   * Requeue, resume the scheme, and start a target run; while one holds the target lease, one starts
   * when it ends unless it wrote the records (it may have made its last claim before the requeue).
   */
  const retry = async (schemeId: string, ids: readonly string[] | undefined) => {
    await host.ports.schemes.resume(schemeId)
    const { requeued } = await host.ports.ledger.requeue(schemeId, ids === undefined ? { allFailed: true } : { ids })
    const due = async () => {
      const now = host.deps.clock.now().getTime()
      for (const recordId of requeued) {
        const r = await host.ports.ledger.getRecord({ schemeId, recordId })
        if (
          r !== undefined &&
          CLAIMABLE_STATUSES.includes(r.status) &&
          !r.inFlight &&
          (r.nextAttemptAt?.getTime() ?? 0) <= now
        )
          return true
      }
      return false
    }
    const runId =
      requeued.length === 0 ? null : await ctx.hub.startOrFollowUp(host, schemeId, { stages: ['target'] }, due)
    return {
      requeued,
      runId,
      ...(runId === null && requeued.length > 0
        ? { note: 'a target run is going; another starts when it ends unless it wrote the requeued records' }
        : {}),
    }
  }

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/records',
    access: 'viewer',
    summary: 'Search the ledger by status, number, last change and error code (paged)',
    tags: ['records'],
    params: SchemeParams,
    querystring: SearchQuery,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const q = req.query as Static<typeof SearchQuery>
      return ctx.store.recordSearch.search(s.id, {
        ...(q.status === undefined ? {} : { status: q.status as RecordStatus }),
        ...(q.number === undefined ? {} : { number: q.number }),
        ...(q.errorCode === undefined ? {} : { errorCode: q.errorCode }),
        ...(q.from === undefined ? {} : { updatedFrom: parseCliTime(q.from) }),
        ...(q.to === undefined ? {} : { updatedTo: parseCliTime(q.to) }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      })
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/records/:recordId',
    access: 'viewer',
    summary: 'One record: source, mapped payload, attempts, answers and history',
    tags: ['records'],
    params: RecordParams,
    handler: async (req) => {
      const p = req.params as Static<typeof RecordParams>
      const s = host.scheme(p.id)
      const record = await ctx.store.ledger.getRecord({ schemeId: s.id, recordId: p.recordId })
      if (record === undefined) throw RecordNotFound([s.id, p.recordId])
      return { record, events: await ctx.store.ledger.events({ schemeId: s.id, recordId: p.recordId }) }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/records/:recordId/retry',
    access: 'operator',
    summary: 'Requeue one failed record and write it',
    tags: ['records'],
    params: RecordParams,
    status: 202,
    handler: async (req, reply) => {
      const p = req.params as Static<typeof RecordParams>
      const s = host.scheme(p.id)
      if ((await host.ports.ledger.getRecord({ schemeId: s.id, recordId: p.recordId })) === undefined)
        throw RecordNotFound([s.id, p.recordId])
      const r = await retry(s.id, [p.recordId])
      req.auditDetail = { records: [p.recordId], runId: r.runId }
      return reply.status(202).send(r)
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/records/:recordId/edit',
    access: 'operator',
    summary: 'Replace the mapped payload (written as edited, not re-mapped), then retry',
    tags: ['records'],
    params: RecordParams,
    body: EditBody,
    status: 202,
    handler: async (req, reply) => {
      const p = req.params as Static<typeof RecordParams>
      const s = host.scheme(p.id)
      if ((await host.ports.ledger.getRecord({ schemeId: s.id, recordId: p.recordId })) === undefined)
        throw RecordNotFound([s.id, p.recordId])
      await host.ports.ledger.editPayload(
        { schemeId: s.id, recordId: p.recordId },
        (req.body as Static<typeof EditBody>).payload,
      )
      const r = await retry(s.id, [p.recordId])
      req.auditDetail = { records: [p.recordId], edited: true, runId: r.runId }
      return reply.status(202).send(r)
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/records/:recordId/resolve',
    access: 'operator',
    summary: 'Mark a record settled by a person; Ferry never writes or requeues it',
    tags: ['records'],
    params: RecordParams,
    body: ResolveBody,
    handler: async (req) => {
      const p = req.params as Static<typeof RecordParams>
      const s = host.scheme(p.id)
      const note = `${(req.body as Static<typeof ResolveBody>).note} (by ${principalOf(req).name})`
      await host.ports.ledger.resolve({ schemeId: s.id, recordId: p.recordId }, note)
      req.auditDetail = { records: [p.recordId] }
      return { record: await ctx.store.ledger.getRecord({ schemeId: s.id, recordId: p.recordId }) }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/records/retry',
    access: 'operator',
    summary: 'Bulk retry: the listed ids, or every record in the failed-record queue',
    tags: ['records'],
    params: SchemeParams,
    body: BulkBody,
    status: 202,
    handler: async (req, reply) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof BulkBody>
      const ids = 'ids' in b ? b.ids : undefined
      if (ids !== undefined)
        for (const id of ids)
          if ((await host.ports.ledger.getRecord({ schemeId: s.id, recordId: id })) === undefined)
            throw RecordNotFound([s.id, id])
      const r = await retry(s.id, ids)
      req.auditDetail = { records: r.requeued.slice(0, 100), count: r.requeued.length, runId: r.runId }
      return reply.status(202).send(r)
    },
  })
}
