/**
 * Connectors and connections. Secrets are write-only: answers carry `"set"` for a secret that
 * has a value and never the value; an update may leave a secret out to keep the stored one.
 * Connections saved here are sealed in the store under the master key and used by `ferry serve`
 * from its next start (they override a configuration-file connection of the same name).
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { ConfigSpec } from '../../connectors/contract.js'
import { resolveConnectionConfig } from '../../connectors/registry.js'
import { toFerryError } from '../../core/errors.js'
import { isSecretKey } from '../../core/redact.js'
import { StoreNotFound } from '../../store/index.js'
import { Conflict, ConnectionSettingsInvalid, NotFound } from '../errors.js'
import { addRoute, type ServiceContext } from '../route.js'
import { IdParams } from '../schemas.js'

const ConnectionParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }) },
  { additionalProperties: false },
)
const ConnectionBody = Type.Object(
  {
    connector: Type.String({ minLength: 1, maxLength: 100 }),
    settings: Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 4000 }), Type.Number(), Type.Boolean()])),
  },
  { additionalProperties: false },
)

export const SECRET_SET = 'set'

const isSecret = (spec: ConfigSpec, key: string) => spec[key]?.type === 'secret' || isSecretKey(key)

/** Declared fields only; every secret as "set". */
export function maskSettings(spec: ConfigSpec, settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(spec)) {
    const v = settings[key]
    if (v === undefined || v === '' || v === null) continue
    out[key] = isSecret(spec, key) ? SECRET_SET : v
  }
  return out
}

export function connectionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { host } = ctx
  const specOf = (connector: string) => host.registry.get(connector).config

  const stored = async (id: string) => {
    try {
      return await ctx.store.connections.get(id)
    } catch (e) {
      if (StoreNotFound.is(e)) return undefined
      throw e
    }
  }

  const view = async (id: string) => {
    const s = await stored(id)
    if (s !== undefined)
      return {
        id,
        connector: s.connector,
        source: 'store',
        settings: maskSettings(specOf(s.connector), s.config),
        updatedAt: s.updatedAt,
      }
    const c = host.config.connections[id]
    if (c === undefined) return undefined
    return { id, connector: c.connector, source: 'config', settings: maskSettings(specOf(c.connector), c.settings) }
  }

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/connectors',
    access: 'viewer',
    summary: 'Connectors this Ferry knows, with their settings (secret fields marked)',
    tags: ['connections'],
    handler: () => ({
      connectors: host.registry.list().map((d) => ({ name: d.name, title: d.title, settings: d.config, apis: d.apis })),
    }),
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/connections',
    access: 'viewer',
    summary: 'Connections (configuration file and store); secrets only as "set"',
    tags: ['connections'],
    handler: async () => {
      const ids = new Set([
        ...Object.keys(host.config.connections),
        ...(await ctx.store.connections.list()).map((c) => c.id),
      ])
      return { connections: (await Promise.all([...ids].sort().map(view))).filter((c) => c !== undefined) }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/connections/:id',
    access: 'viewer',
    summary: 'One connection; secrets only as "set"',
    tags: ['connections'],
    params: IdParams,
    handler: async (req) => {
      const id = (req.params as Static<typeof IdParams>).id
      const c = await view(id)
      if (c === undefined) throw NotFound(['connection', id])
      return c
    },
  })

  addRoute(app, {
    method: 'PUT',
    url: '/api/v1/connections/:id',
    access: 'admin',
    summary: 'Create or update a connection (secrets write-only; omit one to keep it)',
    tags: ['connections'],
    params: ConnectionParams,
    body: ConnectionBody,
    handler: async (req) => {
      const id = (req.params as Static<typeof ConnectionParams>).id
      const b = req.body as Static<typeof ConnectionBody>
      if (!host.registry.list().some((d) => d.name === b.connector)) {
        throw ConnectionSettingsInvalid(
          [
            `unknown connector "${b.connector}"; known: ${host.registry
              .list()
              .map((d) => d.name)
              .join(', ')}`,
          ],
          { location: 'body.connector' },
        )
      }
      const spec = specOf(b.connector)
      for (const key of Object.keys(b.settings)) {
        if (spec[key] === undefined)
          throw ConnectionSettingsInvalid(
            [`${b.connector} has no setting "${key}"; it has ${Object.keys(spec).join(', ')}`],
            { location: `body.settings.${key}` },
          )
      }
      const before =
        (await stored(id)) ??
        (host.config.connections[id] === undefined
          ? undefined
          : { connector: host.config.connections[id].connector, config: host.config.connections[id].settings })
      if (before !== undefined && before.connector !== b.connector)
        throw Conflict([
          `connection ${id} is a ${before.connector} connection; delete it before reusing the name for ${b.connector}`,
        ])
      // A secret left out (or sent as "set", as read back) keeps its stored value.
      const kept = Object.fromEntries(
        Object.entries(before?.config ?? {}).filter(
          ([k]) => isSecret(spec, k) && (b.settings[k] === undefined || b.settings[k] === SECRET_SET),
        ),
      )
      const given = Object.fromEntries(
        Object.entries(b.settings).filter(([k, v]) => !(isSecret(spec, k) && v === SECRET_SET)),
      )
      const settings = { ...kept, ...given }
      try {
        resolveConnectionConfig(host.registry.get(b.connector), settings)
      } catch (e) {
        const fe = toFerryError(e)
        throw ConnectionSettingsInvalid([fe.message], {
          ...(fe.location === undefined ? {} : { location: fe.location.replace(/^config\./, 'body.settings.') }),
        })
      }
      await ctx.store.connections.save(id, b.connector, settings)
      req.auditDetail = { connection: id, connector: b.connector, fields: Object.keys(b.settings).sort() }
      return { ...(await view(id)), appliesAt: 'the next start of ferry serve' }
    },
  })
}
