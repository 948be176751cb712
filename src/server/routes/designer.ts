/**
 * What the console's flow designer and mapping editor need besides the scheme routes: saving a
 * new version (validated, with every problem's JSON path), diffs between versions or against a
 * draft, a sample of source records, and the expression language itself (evaluation against a
 * sample with the closed-grammar interpreter, the function registry with its help, lineage).
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { toFerryError } from '../../core/errors.js'
import { isSecretKey, redact, REDACTED } from '../../core/redact.js'
import { sampleSource } from '../../engine/preview.js'
import { evaluate, inputs, listFunctions, parseValue, targets, DEFAULT_TIME_ZONE } from '../../expr/index.js'
import { diffSchemes } from '../../scheme/diff.js'
import { validateScheme } from '../../scheme/index.js'
import { allows } from '../auth/roles.js'
import { Conflict, SchemeVersionInvalid } from '../errors.js'
import { addRoute, principalOf, type ServiceContext } from '../route.js'
import { SchemeParams } from '../schemas.js'

const Definition = Type.Record(Type.String(), Type.Unknown(), { description: 'The scheme document (JSON object).' })
const NewVersionBody = Type.Object(
  {
    definition: Definition,
    /** The version the draft was made from; refused when another version was saved since. */
    basedOn: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)
const DraftDiffBody = Type.Object(
  { definition: Definition, against: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
)
const DiffParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
)
const DiffQuery = Type.Object(
  { against: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the version before.' })) },
  { additionalProperties: false },
)
const SampleQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    from: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('ledger'), Type.Literal('source')])),
  },
  { additionalProperties: false },
)
const EvaluateBody = Type.Object(
  {
    value: Type.String({
      maxLength: 20_000,
      description: 'A value as written in a scheme (template, _function, _findCollection).',
    }),
    record: Type.Record(Type.String(), Type.Unknown(), { description: 'The source record to evaluate against.' }),
    rowPath: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Detail array of a child field, e.g. `items`.' }),
    ),
    rowIndex: Type.Optional(Type.Integer({ minimum: 0 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    vars: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
  },
  { additionalProperties: false },
)
const LineageBody = Type.Object(
  { values: Type.Array(Type.String({ maxLength: 20_000 }), { maxItems: 500 }) },
  { additionalProperties: false },
)

/** A redacted secret in a draft keeps the stored value at the same place (the console never sees secrets). */
function restoreSecrets(draft: unknown, stored: unknown, key = ''): unknown {
  if (draft === REDACTED && isSecretKey(key)) return stored
  if (Array.isArray(draft)) return draft.map((v, i) => restoreSecrets(v, Array.isArray(stored) ? stored[i] : undefined))
  if (draft !== null && typeof draft === 'object') {
    const src = stored !== null && typeof stored === 'object' ? (stored as Record<string, unknown>) : {}
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(draft as Record<string, unknown>))
      Object.defineProperty(out, k, {
        value: restoreSecrets(v, Object.prototype.hasOwnProperty.call(src, k) ? src[k] : undefined, k),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out
  }
  return draft
}

/** The problems of a definition that does not bind to this service's connections, as error JSON. */
function bindingProblems(e: unknown): { message: string }[] {
  const err = toFerryError(e)
  const listed = (err.details as { problems?: unknown } | undefined)?.problems
  return Array.isArray(listed) && listed.length > 0 ? (listed as { message: string }[]) : [err.toJSON()]
}

export function designerRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { host } = ctx
  const definitionOf = async (id: string, version?: number) =>
    JSON.parse((await ctx.store.schemes.getVersion(id, version)).rawJson) as unknown

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/versions',
    access: 'operator',
    summary:
      'Save a new version of a scheme (validated first: errors refuse it with each JSON path; warnings are answered)',
    tags: ['schemes'],
    params: SchemeParams,
    body: NewVersionBody,
    status: 201,
    handler: async (req, reply) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof NewVersionBody>
      const info = await ctx.store.schemes.get(s.id)
      const current = info?.currentVersion
      if (b.basedOn !== undefined && current !== undefined && b.basedOn !== current)
        throw Conflict([
          `version ${current} was saved after version ${b.basedOn} this draft was made from; reload and apply the change again`,
        ])
      const draft = restoreSecrets(b.definition, current === undefined ? undefined : await definitionOf(s.id))
      const r = validateScheme(draft)
      const errors = r.errors.map((e) => e.toJSON())
      if (!r.ok)
        throw SchemeVersionInvalid([errors.length, errors[0]?.message ?? 'invalid'], {
          details: { errors, warnings: r.warnings },
        })
      const doc = draft as Record<string, unknown>
      if (doc.id !== s.id)
        throw SchemeVersionInvalid([1, `id must stay "${s.id}"`], {
          details: {
            errors: [
              { code: 'ERR_SCHEME_ID_CHANGED', kind: 'user', message: `id must stay "${s.id}"`, location: 'id' },
            ],
            warnings: r.warnings,
          },
        })
      // The saved version runs from the next run on, so one that cannot run here (its connector
      // has no configured connection) is refused like an invalid one.
      try {
        await host.check(s.id, draft)
      } catch (e) {
        const problems = bindingProblems(e)
        throw SchemeVersionInvalid(
          [problems.length, problems[0]?.message ?? 'it does not run with this configuration'],
          {
            details: { errors: problems, warnings: r.warnings },
          },
        )
      }
      const saved = await ctx.store.schemes.save(s.id, JSON.stringify(draft), {
        ...(typeof doc.name === 'string' ? { name: doc.name } : {}),
      })
      const by = principalOf(req).name
      const adopted = await host.adoptStored(s.id, `version ${saved.version} was saved from the console by ${by}`)
      req.auditDetail = { version: saved.version, changed: saved.changed, running: adopted.version }
      return reply.status(201).send({
        schemeId: s.id,
        version: saved.version,
        changed: saved.changed,
        previous: current ?? null,
        running: adopted.version,
        warnings: r.warnings,
      })
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/versions/:version/diff',
    access: 'viewer',
    summary: 'What changed from another version (default: the one before) to this one, path by path',
    tags: ['schemes'],
    params: DiffParams,
    querystring: DiffQuery,
    handler: async (req) => {
      const p = req.params as Static<typeof DiffParams>
      const s = host.scheme(p.id)
      const against = (req.query as Static<typeof DiffQuery>).against ?? p.version - 1
      const before = against < 1 ? {} : await definitionOf(s.id, against)
      const after = await definitionOf(s.id, p.version)
      return {
        schemeId: s.id,
        from: against < 1 ? null : against,
        to: p.version,
        changes: redact(diffSchemes(before, after)),
      }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/schemes/:id/diff',
    readsOnly: true,
    access: 'viewer',
    summary: 'What a draft changes against a stored version (default: the current one); saves nothing',
    tags: ['schemes'],
    params: SchemeParams,
    body: DraftDiffBody,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const b = req.body as Static<typeof DraftDiffBody>
      const stored = await ctx.store.schemes.getVersion(s.id, b.against)
      const before = JSON.parse(stored.rawJson) as unknown
      const after = restoreSecrets(b.definition, before)
      const r = validateScheme(after)
      return {
        schemeId: s.id,
        against: stored.version,
        changes: redact(diffSchemes(before, after)),
        ok: r.ok,
        errors: r.errors.map((e) => e.toJSON()),
        warnings: r.warnings,
      }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/schemes/:id/sample',
    access: 'viewer',
    summary:
      'Source records as the mapping sees them: the newest from the ledger, or (operators) read from the source API when it has none',
    tags: ['schemes'],
    params: SchemeParams,
    querystring: SampleQuery,
    handler: async (req) => {
      const s = host.scheme((req.params as Static<typeof SchemeParams>).id)
      const q = req.query as Static<typeof SampleQuery>
      const limit = q.limit ?? 5
      const from = q.from ?? 'auto'
      if (from !== 'source') {
        const page = await ctx.store.recordSearch.search(s.id, { limit })
        const records = page.records.map((r) => ({ id: r.id, number: r.number, content: r.content }))
        if (records.length > 0 || from === 'ledger') return { schemeId: s.id, from: 'ledger', records: redact(records) }
      }
      // Reading the source API spends the vendor's quota: the same role as a preview.
      if (!allows(principalOf(req).role, 'operator')) return { schemeId: s.id, from: 'ledger', records: [] }
      const records = await sampleSource(host.deps, s, { limit })
      return { schemeId: s.id, from: 'source', records: redact(records) }
    },
  })

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/expressions/functions',
    access: 'viewer',
    summary: 'The function registry of `_function`: name, aliases, signature, description, category and examples',
    tags: ['expressions'],
    handler: () => ({
      functions: listFunctions().map((f) => ({
        name: f.name,
        aliases: f.aliases ?? [],
        signature: f.signature,
        description: f.description,
        category: f.category,
        minArgs: f.min,
        maxArgs: f.max,
        examples: f.examples.map((e) => ({
          value: e.value,
          ...(e.record === undefined ? {} : { record: e.record }),
          result: e.result,
        })),
      })),
    }),
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/expressions/evaluate',
    readsOnly: true,
    access: 'viewer',
    summary:
      'Evaluate one value against a record with the expression interpreter (no eval); the result, or the error with its code',
    tags: ['expressions'],
    body: EvaluateBody,
    handler: async (req) => {
      const b = req.body as Static<typeof EvaluateBody>
      let node
      try {
        node = parseValue(b.value)
      } catch (e) {
        return { ok: false, stage: 'parse', error: toFerryError(e).toJSON(), targets: [] }
      }
      const rows = b.rowPath === undefined ? undefined : (b.record as Record<string, unknown>)[b.rowPath]
      const row = Array.isArray(rows) ? (rows[b.rowIndex ?? 0] as Record<string, unknown> | undefined) : undefined
      const now = new Date()
      try {
        const result = await evaluate(node, {
          record: b.record,
          ...(row === undefined || b.rowPath === undefined ? {} : { row, rowPath: b.rowPath }),
          now,
          tz: b.timezone ?? DEFAULT_TIME_ZONE,
          vars: {
            LAST_SYNC_TIME: Math.floor(now.getTime() / 1000) - 3600,
            CURRENT_TIME: Math.floor(now.getTime() / 1000),
            ...b.vars,
          },
          lookups: {
            find: (q) =>
              ctx.store.find({
                collection: q.collection,
                field: q.field,
                where: Object.fromEntries(
                  Object.entries(q.where).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
                ),
              }),
          },
        })
        return { ok: true, result: result ?? null, targets: targets(node), inputs: inputs(node) }
      } catch (e) {
        return {
          ok: false,
          stage: 'evaluate',
          error: toFerryError(e).toJSON(),
          targets: targets(node),
          inputs: inputs(node),
        }
      }
    },
  })

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/expressions/targets',
    readsOnly: true,
    access: 'viewer',
    summary:
      "Lineage: what each value reads (record paths, `var:NAME`, `lookup:<collection>#<field>`), from the expression's syntax",
    tags: ['expressions'],
    body: LineageBody,
    handler: (req) => ({
      values: (req.body as Static<typeof LineageBody>).values.map((v) => {
        try {
          return { targets: targets(parseValue(v)) }
        } catch (e) {
          return { targets: [], error: toFerryError(e).toJSON() }
        }
      }),
    }),
  })
}
