/**
 * Runs: list, detail with per-stage counters, and live progress as Server-Sent Events. A run of
 * this process streams every progress report as it happens; a run elsewhere (another Ferry
 * process) is followed by polling the store's counters until it finishes.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { QUALITY_STAGE, readQualitySummary } from '../../quality/summary.js'
import type { RunInfo } from '../../store/index.js'
import type { RunEvent } from '../run-hub.js'
import { addRoute, type ServiceContext } from '../route.js'
import { IdParams, Limit } from '../schemas.js'

const RunsQuery = Type.Object(
  { scheme: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), limit: Type.Optional(Limit) },
  { additionalProperties: false },
)

const HEARTBEAT_MS = 15_000
const POLL_MS = 1_000

function endOf(run: RunInfo) {
  return {
    runId: run.id,
    schemeId: run.schemeId,
    status: run.status,
    counters: run.counters,
    finishedAt: run.finishedAt,
    ...(run.errorCode === null ? {} : { error: { code: run.errorCode, message: run.errorMessage } }),
  }
}

function liveEnd(e: Extract<RunEvent, { type: 'end' }>) {
  const s = e.summary
  return {
    runId: e.runId,
    schemeId: e.schemeId,
    status: s.status === 'ok' ? 'succeeded' : s.status,
    stages: s.stages,
    counters: s.counters,
    windowsPlanned: s.windowsPlanned,
    windowsClosed: s.windowsClosed,
    ledger: s.ledger,
    durationMs: e.durationMs,
    ...(s.quality === undefined ? {} : { quality: s.quality }),
    ...(s.error === undefined ? {} : { error: s.error.toJSON() }),
  }
}

export function runRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/v1/runs',
    access: 'viewer',
    summary: 'Recent runs, newest first (all schemes, or one with ?scheme=)',
    tags: ['runs'],
    querystring: RunsQuery,
    handler: async (req) => {
      const q = req.query as Static<typeof RunsQuery>
      const ids = q.scheme === undefined ? ctx.host.schemes.map((s) => s.id) : [ctx.host.scheme(q.scheme).id]
      const limit = q.limit ?? 50
      const all = (await Promise.all(ids.map((id) => ctx.store.runs.list(id, limit)))).flat()
      all.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
      return { runs: all.slice(0, limit) }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/runs/:id',
    access: 'viewer',
    summary: 'One run with its counters per stage (live counters while it runs here) and its data-quality summary',
    tags: ['runs'],
    params: IdParams,
    handler: async (req) => {
      const id = (req.params as Static<typeof IdParams>).id
      const run = await ctx.store.runs.get(id)
      const live = ctx.hub.snapshot(id)
      // Only a run with failures has quality counters; the summary itself is a run-log line, read only then.
      const quality = run.counters[QUALITY_STAGE] === undefined ? [] : await readQualitySummary(ctx.store, id)
      return {
        ...run,
        quality,
        ...(live?.last?.type === 'progress' && run.status === 'running'
          ? { live: { stage: live.last.stage, counters: live.last.counters } }
          : {}),
      }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/runs/:id/events',
    access: 'viewer',
    summary: 'Live progress (text/event-stream): `progress` events, then one `end` event',
    tags: ['runs'],
    params: IdParams,
    produces: 'text/event-stream',
    handler: async (req, reply) => {
      const id = (req.params as Static<typeof IdParams>).id
      const run = await ctx.store.runs.get(id)
      const send = openStream(reply)
      const live = ctx.hub.snapshot(id)
      if (live !== undefined) {
        await new Promise<void>((resolve) => {
          const finish = () => {
            unsubscribe?.()
            clearInterval(beat)
            resolve()
          }
          const onEvent = (e: RunEvent) => {
            if (e.type === 'progress') send('progress', e)
            else {
              send('end', liveEnd(e))
              finish()
            }
          }
          const unsubscribe = ctx.hub.subscribe(id, onEvent)
          // Forgotten between the snapshot and now: what it left is its newest event.
          if (unsubscribe === undefined && live.last?.type !== 'end')
            send('end', { runId: id, note: 'the run is no longer followed here; read GET /api/v1/runs/{id}' })
          const beat = setInterval(() => {
            reply.raw.write(': keep-alive\n\n')
          }, HEARTBEAT_MS)
          req.raw.on('close', finish)
          // What happened before the caller subscribed: the newest event (an `end` closes at once).
          if (live.last !== undefined) onEvent(live.last)
          if (unsubscribe === undefined) finish()
        })
      } else {
        let cur = run
        while (cur.status === 'running' && !req.raw.destroyed) {
          send('progress', { runId: cur.id, schemeId: cur.schemeId, counters: cur.counters })
          await new Promise((r) => setTimeout(r, POLL_MS))
          cur = await ctx.store.runs.get(id)
        }
        send('end', endOf(cur))
      }
      reply.raw.end()
      return reply
    },
  })
}

/** Take over the response for SSE; answers a writer of named events. */
function openStream(reply: FastifyReply): (event: string, data: unknown) => void {
  reply.hijack()
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(reply.request.id),
  })
  let seq = 0
  return (event, data) => {
    if (reply.raw.writableEnded) return
    reply.raw.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }
}
