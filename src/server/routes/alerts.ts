/**
 * Alert incidents and channels (docs/alerts.md): what `ferry alerts`, `ferry alerts channels` and
 * `ferry alerts test` show and do, over HTTP. Channels are read from the configuration the service
 * runs with (the source of truth for channels); answers name a channel's type, language and rate,
 * never its webhook, secret or password.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { sendToChannel } from '../../alerts/channels/index.js'
import { AlertUnknownChannel } from '../../alerts/errors.js'
import { testMessage } from '../../alerts/message.js'
import { alertsSetup } from '../../alerts/service.js'
import type { Delivery } from '../../store/index.js'
import { addRoute, type ServiceContext } from '../route.js'
import { IdParams, Limit } from '../schemas.js'

const AlertsQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
    scheme: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
)

const ChannelParams = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
)

const deliveryView = (d: Delivery) => ({ channel: d.channel, state: d.state, at: d.at, ok: d.ok, error: d.error })

export function alertRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/v1/alerts',
    access: 'viewer',
    summary: 'Alert incidents, newest first (?status=open|resolved, ?scheme=, ?limit=)',
    tags: ['alerts'],
    querystring: AlertsQuery,
    handler: async (req) => {
      const q = req.query as Static<typeof AlertsQuery>
      const incidents = await ctx.store.alerts.list({
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.scheme === undefined ? {} : { schemeId: q.scheme }),
        limit: q.limit ?? 50,
      })
      return { incidents }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/alerts/channels',
    access: 'viewer',
    summary: 'Configured alert channels: name, type, language, rate, default route (never secrets)',
    tags: ['alerts'],
    handler: async () => {
      const setup = await alertsSetup(ctx.host)
      return {
        channels: setup.channels.map((ch) => ({
          name: ch.name,
          type: ch.settings.type,
          language: ch.language,
          ratePerMinute: ch.ratePerMinute,
          defaultRoute: setup.config.route.includes(ch.name),
        })),
      }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/alerts/:id',
    access: 'viewer',
    summary: 'One incident with what each channel was told about it (oldest first)',
    tags: ['alerts'],
    params: IdParams,
    handler: async (req) => {
      const id = (req.params as Static<typeof IdParams>).id
      const incident = await ctx.store.alerts.get(id)
      return { ...incident, deliveries: (await ctx.store.alerts.deliveries(id)).map(deliveryView) }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/alerts/channels/:name/test',
    access: 'operator',
    summary: "Send a test message to one channel (as `ferry alerts test`); a refusal answers the vendor's code",
    tags: ['alerts'],
    params: ChannelParams,
    handler: async (req) => {
      const name = (req.params as Static<typeof ChannelParams>).name
      const setup = await alertsSetup(ctx.host)
      const ch = setup.channels.find((c) => c.name === name)
      if (ch === undefined) throw AlertUnknownChannel([name, setup.channels.map((c) => c.name).join(', ') || '(none)'])
      req.auditDetail = { channel: name, type: ch.settings.type }
      const clock = ctx.host.deps.clock
      await sendToChannel(ch, testMessage(name, ch.language, setup.config.consoleUrl, clock.now()), {
        now: () => clock.now(),
      })
      return { channel: name, type: ch.settings.type, sent: true }
    },
  })
}
