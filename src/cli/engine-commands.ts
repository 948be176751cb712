/**
 * Engine commands: run, preview, start, and the record commands (record-commands.ts). Each opens the
 * configured Ferry (`--config` or FERRY_CONFIG), does its work and closes it. People get tables;
 * `--json` gives programs the objects.
 */
import type { Command } from 'commander'
import { openHost } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'
import type { Stage } from '../engine/ports.js'
import { previewScheme, type PreviewItem } from '../engine/preview.js'
import { previewFromInput } from './preview-input.js'
import { budgetsText, summaryText } from '../engine/report.js'
import type { BudgetReport } from '../engine/host-budgets.js'
import type { RunSummary } from '../engine/run.js'
import { parseCliTime } from '../engine/time-input.js'
import { Metrics } from '../metrics/metrics.js'
import { serveMetrics } from '../metrics/server.js'
import { common, json, out, reportFailure, withHost, type Common, type EngineCommandOptions } from './command-host.js'
import { registerRecordCommands } from './record-commands.js'
import { runWithProgress } from './run-progress.js'
import { startScheduler } from './start-scheduler.js'

function printSummary(s: RunSummary, asJson: boolean, budgets?: readonly BudgetReport[]): void {
  if (asJson) json(budgets === undefined ? s : { ...s, budgets })
  else out(budgets === undefined ? summaryText(s) : `${summaryText(s)}${budgetsText(budgets)}`)
  if (s.status !== 'ok') process.exitCode = 1
}

export function registerEngineCommands(program: Command, o: EngineCommandOptions = {}): void {
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

  registerRecordCommands(program, o)

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
