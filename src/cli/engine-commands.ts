/**
 * Engine commands: run, preview, records, record, retry, edit, resolve, start. Each opens the
 * configured Ferry (`--config` or FERRY_CONFIG), does its work and closes it. People get tables;
 * `--json` gives programs the objects.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { loadConfig, problemLines } from '../config/load.js'
import type { FerryConfig } from '../config/types.js'
import { isFerryError, toFerryError } from '../core/errors.js'
import { InvalidPayloadEdit, RecordNotFound, RetryNothing } from '../engine/errors.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { newestStored, openHost, type Host } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'
import type { RecordStatus, Stage } from '../engine/ports.js'
import { previewScheme, type PreviewItem } from '../engine/preview.js'
import { previewFromInput } from './preview-input.js'
import { budgetsText, recordJson, recordsText, recordText, summaryText } from '../engine/report.js'
import type { BudgetReport } from '../engine/host-budgets.js'
import { runScheme, type RunSummary } from '../engine/run.js'
import { Scheduler } from '../engine/scheduler.js'
import { parseCliTime } from '../engine/time-input.js'
import { Metrics } from '../metrics/metrics.js'
import { serveMetrics } from '../metrics/server.js'
import { publishSchedules } from '../queue/schedule.js'
import { reconcileJob } from '../proof/schedule.js'
import { openAlertService } from '../alerts/service.js'
import { tickLine } from '../alerts/report.js'

interface Common {
  config?: string
  json?: boolean
}

const out = (text: string) => {
  process.stdout.write(`${text}\n`)
}
const json = (v: unknown) => out(JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x), 2))

/** Print every problem of a failure as `CODE  path  message` and set a failing exit code. */
export function reportFailure(e: unknown, asJson: boolean): void {
  const err = toFerryError(e)
  if (asJson) process.stdout.write(`${JSON.stringify({ error: err.toJSON() })}\n`)
  for (const line of problemLines(err)) process.stderr.write(`${line}\n`)
  process.exitCode = err.kind === 'system' ? 2 : 1
}

export type HostFactory = (config: FerryConfig) => Promise<Host>

/** How commands get a Host; the demo swaps in its embedded configuration. */
export interface EngineCommandOptions {
  readonly loadConfig?: (path: string | undefined) => FerryConfig
  readonly openHost?: HostFactory
}

/**
 * The configuration for a command. `vendors: false` (commands that only read or mark the ledger)
 * starts without the connections' `${SECRET}`s: a connection with one unset refuses to open instead.
 */
export function defaultLoad(path: string | undefined, vendors = true): FerryConfig {
  return loadConfig({
    ...(path === undefined ? {} : { path }),
    connectors: BUILTIN_CONNECTORS.map((c) => ({ name: c.name, config: c.config })),
    ...(vendors ? {} : { connectionEnv: 'deferred' as const }),
  })
}

async function withHost<T>(
  o: EngineCommandOptions,
  c: Common,
  fn: (h: Host) => Promise<T>,
  vendors = true,
): Promise<T | undefined> {
  let host: Host | undefined
  try {
    const config = o.loadConfig !== undefined ? o.loadConfig(c.config) : defaultLoad(c.config, vendors)
    host = await (o.openHost ?? ((cfg) => openHost(cfg, { log: createLogger() })))(config)
    return await fn(host)
  } catch (e) {
    if (!isFerryError(e) && !(e instanceof Error)) throw e
    reportFailure(e, c.json === true)
    return undefined
  } finally {
    await host?.close()
  }
}

/** Run with per-stage progress bars when stdout is a TTY (and not --json). */
export async function runWithProgress(
  h: Host,
  schemeId: string,
  opts: { stages?: Stage[]; from?: Date; to?: Date; json: boolean },
): Promise<RunSummary> {
  const scheme = h.scheme(schemeId)
  const tty = process.stdout.isTTY && !opts.json
  const multi = tty
    ? new cliProgress.MultiBar(
        { format: '{stage} |{bar}| {value} {unit}', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined
  const bars = new Map<Stage, cliProgress.SingleBar>()
  try {
    return await runScheme(h.deps, scheme, {
      ...(opts.stages === undefined ? {} : { stages: opts.stages }),
      range: {
        ...(opts.from === undefined ? {} : { from: opts.from }),
        ...(opts.to === undefined ? {} : { to: opts.to }),
      },
      onProgress: (stage, c) => {
        if (multi === undefined) return
        const value = stage === 'target' ? c.written + c.alreadyExisted + c.failed + c.retrying + c.unknown : c.fetched
        let bar = bars.get(stage)
        if (bar === undefined) {
          bar = multi.create(Math.max(value, 1), 0, {
            stage: stage.padEnd(6),
            unit: stage === 'target' ? 'records settled' : 'rows fetched',
          })
          bars.set(stage, bar)
        }
        bar.setTotal(Math.max(value, bar.getTotal()))
        bar.update(value)
      },
    })
  } finally {
    multi?.stop()
  }
}

function printSummary(s: RunSummary, asJson: boolean, budgets?: readonly BudgetReport[]): void {
  if (asJson) json(budgets === undefined ? s : { ...s, budgets })
  else out(budgets === undefined ? summaryText(s) : `${summaryText(s)}${budgetsText(budgets)}`)
  if (s.status !== 'ok') process.exitCode = 1
}

function readPayload(text: string): Record<string, unknown> {
  const raw = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch (e) {
    throw InvalidPayloadEdit([e instanceof Error ? e.message : String(e)])
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw InvalidPayloadEdit(['expected {…}'])
  return v as Record<string, unknown>
}

/** Let a person edit the payload in $EDITOR (a TTY is required). */
function editInEditor(payload: unknown): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-edit-'))
  const file = join(dir, 'payload.json')
  try {
    writeFileSync(file, `${JSON.stringify(payload ?? {}, null, 2)}\n`, { mode: 0o600 })
    const r = spawnSync(process.env.VISUAL ?? process.env.EDITOR ?? 'vi', [file], { stdio: 'inherit' })
    if (r.status !== 0) throw InvalidPayloadEdit([`the editor exited with ${String(r.status)}`])
    return readPayload(readFileSync(file, 'utf8'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function registerEngineCommands(program: Command, o: EngineCommandOptions = {}): void {
  const common = (cmd: Command) =>
    cmd
      .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
      .option('--json', 'machine-readable output')

  common(program.command('run <scheme>').description('run a scheme once (or backfill a range with --from/--to)'))
    .option('--from <time>', 'backfill from this time (ISO 8601 or "YYYY-MM-DD HH:mm:ss" Asia/Shanghai)')
    .option('--to <time>', 'backfill up to this time (default now)')
    .option('--stage <stage>', 'only this stage: source, target or remedy')
    .action(async (scheme: string, c: Common & { from?: string; to?: string; stage?: string }) => {
      await withHost(o, c, async (h) => {
        const stages = c.stage === undefined ? undefined : [c.stage as Stage]
        const s = await runWithProgress(h, scheme, {
          json: c.json === true,
          ...(stages === undefined ? {} : { stages }),
          ...(c.from === undefined ? {} : { from: parseCliTime(c.from) }),
          ...(c.to === undefined ? {} : { to: parseCliTime(c.to) }),
        })
        printSummary(s, c.json === true, h.budgets())
      })
    })

  common(
    program
      .command('preview <scheme>')
      .description('fetch, filter and map; print what would be written; write nothing'),
  )
    .option('--limit <n>', 'documents to show', '10')
    .option('--from <time>')
    .option('--to <time>')
    .option(
      '--input <docs.json>',
      'stub source: <scheme> is a scheme file and its documents come from this JSON array (no config needed)',
    )
    .option('--lookups <collections.json>', 'with --input: {"<collection>": [rows]} for _findCollection')
    .option('--now <time>', 'with --input: the evaluation time (default now)')
    .action(
      async (
        scheme: string,
        c: Common & { limit: string; from?: string; to?: string; input?: string; lookups?: string; now?: string },
      ) => {
        const limit = Math.max(1, Number(c.limit) || 10)
        const print = (items: PreviewItem[]) => {
          if (c.json === true) {
            json(items)
            return
          }
          if (items.length === 0) out('nothing to write')
          for (const it of items) {
            out(`# ${it.id} (${it.number})${it.problems.length === 0 ? '' : '  NOT WRITABLE'}`)
            for (const p of it.problems) out(`  ${p.code}  ${p.location ?? '-'}  ${p.message}`)
            if (it.payload !== undefined) out(JSON.stringify(it.payload, null, 2))
          }
        }
        if (c.input !== undefined) {
          try {
            print(
              await previewFromInput(scheme, {
                input: c.input,
                limit,
                ...(c.lookups === undefined ? {} : { lookups: c.lookups }),
                ...(c.now === undefined ? {} : { now: parseCliTime(c.now) }),
              }),
            )
          } catch (e) {
            reportFailure(e, c.json === true)
          }
          return
        }
        await withHost(o, c, async (h) => {
          print(
            await previewScheme(h.deps, h.scheme(scheme), {
              limit,
              ...(c.from === undefined ? {} : { from: parseCliTime(c.from) }),
              ...(c.to === undefined ? {} : { to: parseCliTime(c.to) }),
            }),
          )
        })
      },
    )

  common(program.command('records <scheme>').description('list ledger records'))
    .option('--status <status>', 'waiting, queued, unknown, done, duplicate or error')
    .option('--search <text>', 'text in the id, number or last error')
    .option('--limit <n>', 'records per page', '50')
    .option('--cursor <cursor>', 'next page from a previous --json answer')
    .action(
      async (scheme: string, c: Common & { status?: string; search?: string; limit: string; cursor?: string }) => {
        await withHost(
          o,
          c,
          async (h) => {
            const s = h.scheme(scheme)
            const page = await h.ports.ledger.listRecords(s.id, {
              limit: Math.max(1, Number(c.limit) || 50),
              ...(c.status === undefined ? {} : { status: c.status as RecordStatus }),
              ...(c.search === undefined ? {} : { search: c.search }),
              ...(c.cursor === undefined ? {} : { cursor: c.cursor }),
            })
            if (c.json === true)
              json({
                records: page.records.map(recordJson),
                ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
              })
            else
              out(
                recordsText(page.records, s.target === undefined) +
                  (page.nextCursor === undefined ? '' : `\nmore: --cursor ${page.nextCursor}`),
              )
          },
          false,
        )
      },
    )

  common(
    program.command('record <scheme> <id>').description('one record: source, mapped payload, attempts, responses'),
  ).action(async (scheme: string, id: string, c: Common) => {
    await withHost(
      o,
      c,
      async (h) => {
        const s = h.scheme(scheme)
        const r = await h.ports.ledger.getRecord({ schemeId: s.id, recordId: id })
        if (r === undefined) throw RecordNotFound([s.id, id])
        if (c.json === true) json(recordJson(r))
        else out(recordText(r, s.target === undefined))
      },
      false,
    )
  })

  common(program.command('retry <scheme> [ids...]').description('requeue failed records and run the target stage'))
    .option('--all-failed', 'every record in the failed-record queue')
    .option('--no-run', 'only requeue; the next scheduled run writes them')
    .action(async (scheme: string, ids: string[], c: Common & { allFailed?: boolean; run: boolean }) => {
      await withHost(o, c, async (h) => {
        const s = h.scheme(scheme)
        if (ids.length === 0 && c.allFailed !== true) throw RetryNothing([])
        await h.ports.schemeState.resume(s.id)
        const { requeued } = await h.ports.ledger.requeue(s.id, ids.length === 0 ? { allFailed: true } : { ids })
        const summary = c.run
          ? await runWithProgress(h, s.id, { stages: ['target'], json: c.json === true })
          : undefined
        if (c.json === true) json({ requeued, summary })
        else {
          out(`requeued ${requeued.length} record${requeued.length === 1 ? '' : 's'}`)
          if (summary !== undefined) out(summaryText(summary))
        }
      })
    })

  common(program.command('edit <scheme> <id>').description('edit the mapped payload of a record, then retry it'))
    .option('--payload <json>', 'the new payload as JSON, or @file')
    .option('--no-run', 'only save and requeue')
    .action(async (scheme: string, id: string, c: Common & { payload?: string; run: boolean }) => {
      await withHost(o, c, async (h) => {
        const s = h.scheme(scheme)
        const ref = { schemeId: s.id, recordId: id }
        const r = await h.ports.ledger.getRecord(ref)
        if (r === undefined) throw RecordNotFound([s.id, id])
        const payload = c.payload !== undefined ? readPayload(c.payload) : editInEditor(r.payload ?? undefined)
        await h.ports.ledger.editPayload(ref, payload)
        await h.ports.ledger.requeue(s.id, { ids: [id] })
        const summary = c.run
          ? await runWithProgress(h, s.id, { stages: ['target'], json: c.json === true })
          : undefined
        const after = await h.ports.ledger.getRecord(ref)
        if (c.json === true) json({ record: after === undefined ? undefined : recordJson(after), summary })
        else out(`saved; record ${id} is now ${after?.status ?? '?'}`)
      })
    })

  common(
    program
      .command('resolve <scheme> <id>')
      .description('mark a failed record as settled by a person (it is never written)'),
  )
    .option('--note <text>', 'why', 'resolved by hand')
    .action(async (scheme: string, id: string, c: Common & { note: string }) => {
      await withHost(
        o,
        c,
        async (h) => {
          const s = h.scheme(scheme)
          const ref = { schemeId: s.id, recordId: id }
          await h.ports.ledger.resolve(ref, c.note)
          const r = await h.ports.ledger.getRecord(ref)
          if (c.json === true) json(r === undefined ? undefined : recordJson(r))
          else out(`record ${id} resolved`)
        },
        false,
      )
    })

  common(program.command('start').description('run every scheme on its schedule until interrupted'))
    .option('--metrics-port <port>', 'also serve Prometheus metrics at http://<metrics-host>:<port>/metrics')
    .option('--metrics-host <host>', 'address for --metrics-port', '127.0.0.1')
    .action(async (c: Common & { metricsPort?: string; metricsHost: string }) => {
      const metrics = c.metricsPort === undefined ? undefined : new Metrics()
      const opened: EngineCommandOptions =
        metrics === undefined
          ? o
          : {
              ...o,
              openHost: (cfg) =>
                openHost(cfg, {
                  log: createLogger(),
                  observer: metrics,
                  calls: metrics,
                }),
            }
      await withHost(opened, c, async (h) => {
        metrics?.bind(h)
        const server =
          metrics === undefined ? undefined : await serveMetrics(metrics, Number(c.metricsPort), c.metricsHost)
        if (server !== undefined && c.json !== true) out(`metrics: ${server.url}`)
        try {
          await startScheduler(h, c.json === true)
        } finally {
          await server?.close()
        }
      })
    })
}

/** Schedule every loaded scheme; resolves on SIGINT/SIGTERM after the runs in progress end. */
export async function startScheduler(h: Host, asJson: boolean, signal?: AbortSignal): Promise<void> {
  const scheduler = new Scheduler(h.deps, {
    onSummary: (s) => {
      if (asJson) out(JSON.stringify({ summary: s }))
      else out(summaryText(s))
    },
    onSkip: (id, stage, reason) => {
      if (!asJson) out(`skipped ${id} ${stage}: ${reason}`)
    },
    resolve: (s) => newestStored(h, s),
  })
  // With queue.redisUrl the crontabs become BullMQ job schedulers and `ferry worker`s run the
  // jobs (src/queue); this process then only publishes them (and evaluates alerts).
  const published = h.config.queue === undefined ? undefined : await publishSchedules(h, h.config.queue, h.deps.log)
  if (published !== undefined)
    for (const e of published.entries)
      if (asJson) out(JSON.stringify({ queued: { id: e.id, kind: e.kind, crontab: e.crontab } }))
      else out(`queued ${e.schemeId} ${e.id.slice(e.schemeId.length + 1)} "${e.crontab}" (job scheduler ${e.id})`)
  for (const s of published === undefined ? h.schemes : []) scheduler.add(s)
  // A version saved from the console runs from the next tick on, with its own crontabs.
  const unsubscribe = h.onSchemeChange((s) => {
    if (published === undefined) {
      scheduler.replace(s)
      for (const j of scheduler.jobs.filter((x) => x.schemeId === s.id && x.stage !== 'reconcile'))
        if (!asJson)
          out(`scheduled ${j.schemeId} ${j.stage} "${j.crontab}", next ${j.nextRun()?.toISOString() ?? 'never'}`)
      return
    }
    const queue = h.config.queue
    if (queue !== undefined)
      void publishSchedules(h, queue, h.deps.log)
        .then((p) => p.close())
        .catch((e: unknown) => {
          h.deps.log.error({ scheme: s.id, err: String(e) }, 'job schedulers of an adopted version not published')
        })
  })
  for (const [id, setting] of published === undefined ? h.reconcile : new Map<string, never>()) {
    scheduler.addReconcile(
      reconcileJob(h, id, setting, (r) => {
        if (asJson) out(JSON.stringify({ reconcile: { schemeId: id, runId: r.runId, counts: r.report.counts } }))
        else
          out(
            `reconciled ${id} ${r.report.from.toISOString()}..${r.report.to.toISOString()}: ${Object.entries(
              r.report.counts,
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')} (run ${r.runId})`,
          )
      }),
    )
  }
  for (const j of scheduler.jobs)
    if (!asJson) out(`scheduled ${j.schemeId} ${j.stage} "${j.crontab}", next ${j.nextRun()?.toISOString() ?? 'never'}`)
  // The alert evaluator (docs/alerts.md): one process evaluates at a time, under a store lease.
  const alerts = await openAlertService(h, {
    log: h.deps.log,
    clock: { now: () => h.deps.clock.now() },
    onTick: (r) => {
      for (const line of tickLine(r, asJson)) out(line)
    },
  })
  alerts.start()
  await new Promise<void>((resolve) => {
    const stop = () => {
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    signal?.addEventListener('abort', stop, { once: true })
  })
  if (!asJson) out('stopping: waiting for runs in progress')
  unsubscribe()
  await scheduler.stop()
  await alerts.stop()
  await published?.close()
}
