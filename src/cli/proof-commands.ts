/**
 * Proof commands: `ferry reconcile` (compare source and target for a range, optionally queue the
 * missing documents) and `ferry verify` (ledger invariants). Both exit 1 when they find anything,
 * so they can run from cron or CI; `--json` gives programs the full report.
 */
import type { Command } from 'commander'
import type { FerryConfig } from '../config/types.js'
import { isFerryError } from '../core/errors.js'
import { openHost, type Host } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'
import { reconcileScheme, verifyScheme, type ReconcileRun } from '../proof/run.js'
import { closedRange, scheduleReconcile } from '../proof/schedule.js'
import type { VerifyReport } from '../proof/verify.js'
import { parseCliTime } from '../engine/time-input.js'
import { defaultLoad, reportFailure, type EngineCommandOptions } from './command-host.js'

interface Common {
  config?: string
  json?: boolean
}

const out = (text: string) => {
  process.stdout.write(`${text}\n`)
}
const json = (v: unknown) =>
  out(
    JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x instanceof Map ? undefined : x), 2),
  )

/** `vendors: false` (verify): the connections' `${SECRET}`s may be unset, see engine-commands.ts. */
async function withHost(
  o: EngineCommandOptions,
  c: Common,
  fn: (h: Host) => Promise<void>,
  vendors = true,
): Promise<void> {
  let host: Host | undefined
  try {
    const config: FerryConfig = o.loadConfig !== undefined ? o.loadConfig(c.config) : defaultLoad(c.config, vendors)
    host = await (o.openHost ?? ((cfg) => openHost(cfg, { log: createLogger() })))(config)
    await fn(host)
  } catch (e) {
    if (!isFerryError(e) && !(e instanceof Error)) throw e
    reportFailure(e, c.json === true)
  } finally {
    await host?.close()
  }
}

function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => {
      resolve()
    })
    process.once('SIGTERM', () => {
      resolve()
    })
  })
}

export function reconcileText(r: ReconcileRun): string {
  const { report: rep } = r
  const c = rep.counts
  const lines = [
    `reconcile ${rep.schemeId} ${rep.from.toISOString()} .. ${rep.to.toISOString()} (result ${r.runId})`,
    `source: ${c.sourceRows} rows in ${c.windows} windows, ${c.records} records; expected ${c.expected} documents, ${c.parked} parked`,
    `target: ${c.targetListed} listed; matched ${c.matched}, missing ${c.missing}, extra ${c.extra}, mismatched ${c.mismatched}, duplicate ${c.duplicate}`,
    ...rep.findings.map((f) => `${f.kind.padEnd(10)}  ${f.key}  ${f.reason}`),
  ]
  for (const p of rep.parked) lines.push(`parked      ${p.key}  ${p.code}  ${p.reason}`)
  for (const e of r.repair ?? [])
    lines.push(
      `repair      ${e.key}  record ${e.recordId} ${e.action}${e.detail === undefined ? '' : ` (${e.detail})`}`,
    )
  if (rep.findings.length === 0)
    lines.push('clean: every expected document is in the target and matches, nothing extra')
  return lines.join('\n')
}

export function verifyText(v: VerifyReport): string {
  const lines = [
    `verify ${v.schemeId}: ${v.records} records, cursor ${v.cursor?.toISOString() ?? '(none)'}`,
    v.target === undefined
      ? `target: not checked (${v.targetSkipped ?? 'ledger only'})`
      : `target: ${v.target.keysChecked} written keys looked up, ${v.target.listed} documents listed`,
  ]
  for (const w of v.islands)
    lines.push(
      `note  closed window after a gap: [${w.start.toISOString()}, ${w.end.toISOString()}) (the cursor waits at the gap)`,
    )
  for (const x of v.violations) lines.push(`${x.code}  ${x.recordId ?? '-'}  ${x.message}`)
  lines.push(
    v.violations.length === 0
      ? 'ok: every invariant holds'
      : `${v.violations.length} violation${v.violations.length === 1 ? '' : 's'}`,
  )
  return lines.join('\n')
}

export function registerProofCommands(program: Command, o: EngineCommandOptions = {}): void {
  const common = (cmd: Command) =>
    cmd
      .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
      .option('--json', 'machine-readable output')

  common(
    program
      .command('reconcile <scheme>')
      .description('compare what the scheme should have written in a range with what the target holds'),
  )
    .option('--from <time>', 'range start (ISO 8601 or "YYYY-MM-DD HH:mm:ss" Asia/Shanghai)')
    .option('--to <time>', 'range end')
    .option('--closed-days <n>', 'instead of --from/--to: the last n days before the cursor (closed windows only)')
    .option('--every <crontab>', 'with --closed-days: keep running and reconcile on this crontab until interrupted')
    .option('--repair', 'queue the missing documents for writing (never deletes or edits target documents)')
    .action(
      async (
        scheme: string,
        c: Common & { from?: string; to?: string; closedDays?: string; every?: string; repair?: boolean },
      ) => {
        await withHost(o, c, async (h) => {
          const print = (r: ReconcileRun) => {
            if (c.json === true)
              json({
                runId: r.runId,
                ...r.report,
                sources: undefined,
                ...(r.repair === undefined ? {} : { repair: r.repair }),
              })
            else out(reconcileText(r))
            if (r.report.findings.length > 0) process.exitCode = 1
          }
          const days = c.closedDays === undefined ? undefined : Number(c.closedDays)
          if (days !== undefined && c.every !== undefined) {
            const job = scheduleReconcile(h, { schemeId: scheme, crontab: c.every, days }, (r) => {
              if (r instanceof Error) reportFailure(r, c.json === true)
              else print(r)
            })
            if (c.json !== true)
              out(
                `reconciling ${scheme} (last ${days} closed days) on "${c.every}", next ${job.job.nextRun()?.toISOString() ?? 'never'}`,
              )
            await untilInterrupted()
            job.stop()
            return
          }
          const range =
            days !== undefined
              ? await closedRange(h, scheme, days)
              : { from: parseCliTime(c.from ?? ''), to: parseCliTime(c.to ?? '') }
          print(await reconcileScheme(h, scheme, { ...range, repair: c.repair === true }))
        })
      },
    )

  common(
    program
      .command('verify <scheme>')
      .description('check the ledger invariants of a scheme and the ledger against the target; exit 1 when any fails'),
  )
    .option('--ledger-only', 'do not call the target (skip the ledger-versus-target check)')
    .action(async (scheme: string, c: Common & { ledgerOnly?: boolean }) => {
      await withHost(
        o,
        c,
        async (h) => {
          const v = await verifyScheme(h, scheme, { ledgerOnly: c.ledgerOnly === true })
          if (c.json === true) json(v)
          else out(verifyText(v))
          if (v.violations.length > 0) process.exitCode = 1
        },
        false,
      )
    })
}
