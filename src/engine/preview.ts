/**
 * Preview: fetch, filter and map like a run, but write nothing and touch no state (no ledger,
 * no cursor). Stops after `limit` documents so a preview of a long range stays cheap.
 */
import { toFerryError } from '../core/errors.js'
import { lookupError } from './quality.js'
import { checkPayload } from './quality.js'
import type { Clock, ConnectionResolver, EnginePorts, EngineScheme, RecordError } from './ports.js'
import { resolveFrom } from './source-stage.js'
import { silentLogger } from './ports.js'

export interface PreviewItem {
  readonly id: string
  readonly number: string
  readonly payload?: Record<string, unknown>
  readonly problems: readonly RecordError[]
}

export async function previewScheme(
  deps: { ports: EnginePorts; connections: ConnectionResolver; clock: Clock },
  scheme: EngineScheme,
  opts: { limit: number; from?: Date; to?: Date },
): Promise<PreviewItem[]> {
  const runtime = await deps.connections.source(scheme.source.connection)
  const from =
    opts.from ?? (await resolveFrom({ ports: deps.ports, clock: deps.clock, log: silentLogger, runtime }, scheme))
  const to = opts.to ?? deps.clock.now()
  const out: PreviewItem[] = []
  // The scheme's `target.quality` rules, over the previewed records as one run (so `unique` applies).
  const quality = scheme.target?.qualityRun?.()
  for (const window of from < to ? runtime.planWindows(scheme.source.api, from, to) : []) {
    const params = await scheme.source.renderRequest({
      lastSyncTime: window.start,
      currentTime: window.end,
      now: deps.clock.now(),
    })
    for await (const page of runtime.read({ api: scheme.source.api, window, params })) {
      for (const rec of await scheme.source.toRecords(page.rows)) {
        if (out.length >= opts.limit) return out
        if (scheme.target === undefined) {
          out.push({ id: rec.id, number: rec.number, payload: rec.content, problems: [] })
          continue
        }
        try {
          const unit = scheme.target.plan([rec])[0]
          const mapped = unit === undefined ? undefined : await scheme.target.map(unit, deps.clock.now())
          const problems =
            mapped === undefined
              ? []
              : [
                  ...mapped.unresolved.map((u) => lookupError(u, scheme.collectionTitles).toJSON()),
                  ...checkPayload(mapped.payload, scheme.target.quality).map((e) => e.toJSON()),
                ]
          const failed = mapped === undefined ? undefined : await quality?.check(mapped.payload, [rec.id])
          if (failed !== undefined) problems.push(failed.toJSON())
          out.push({
            id: rec.id,
            number: rec.number,
            ...(mapped === undefined ? {} : { payload: mapped.payload }),
            problems,
          })
        } catch (e) {
          out.push({ id: rec.id, number: rec.number, problems: [toFerryError(e).toJSON()] })
        }
      }
    }
  }
  return out
}

/**
 * Source records as the mapping sees them (after the condition, beatFlat and groupCalculate), read
 * from the source API like a preview: nothing is written and no state moves. The console's
 * mapping editor evaluates expressions against these when the ledger has none yet.
 */
export async function sampleSource(
  deps: { ports: EnginePorts; connections: ConnectionResolver; clock: Clock },
  scheme: EngineScheme,
  opts: { limit: number },
): Promise<{ id: string; number: string; content: Record<string, unknown> }[]> {
  const runtime = await deps.connections.source(scheme.source.connection)
  const from = await resolveFrom({ ports: deps.ports, clock: deps.clock, log: silentLogger, runtime }, scheme)
  const to = deps.clock.now()
  const out: { id: string; number: string; content: Record<string, unknown> }[] = []
  for (const window of from < to ? runtime.planWindows(scheme.source.api, from, to) : []) {
    const params = await scheme.source.renderRequest({
      lastSyncTime: window.start,
      currentTime: window.end,
      now: deps.clock.now(),
    })
    for await (const page of runtime.read({ api: scheme.source.api, window, params })) {
      for (const rec of await scheme.source.toRecords(page.rows)) {
        if (out.length >= opts.limit) return out
        out.push({ id: rec.id, number: rec.number, content: rec.content })
      }
    }
  }
  return out
}
