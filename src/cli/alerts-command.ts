/**
 * `ferry alerts`: the incidents (open and recent), the configured channels, a test message to
 * one channel, and one evaluation on demand. Channel secrets are never printed.
 */
import type { Command } from 'commander'
import { sendToChannel } from '../alerts/channels/index.js'
import { incidentsText, tickLine } from '../alerts/report.js'
import { testMessage } from '../alerts/message.js'
import { AlertUnknownChannel } from '../alerts/errors.js'
import { alertsSetup, openAlertService, syncChannels } from '../alerts/service.js'
import { loadConfig } from '../config/load.js'
import type { FerryConfig } from '../config/types.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { openHost, type Host } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'
import { table } from '../engine/report.js'
import { reportFailure } from './command-host.js'

interface Common {
  config?: string
  json?: boolean
}

const out = (text: string) => {
  process.stdout.write(`${text}\n`)
}
const json = (v: unknown) => out(JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x), 2))

export interface AlertsCommandOptions {
  readonly loadConfig?: (path: string | undefined) => FerryConfig
  readonly openHost?: (config: FerryConfig) => Promise<Host>
}

async function withHost(o: AlertsCommandOptions, c: Common, fn: (h: Host) => Promise<void>): Promise<void> {
  let host: Host | undefined
  try {
    const config = (
      o.loadConfig ??
      ((path) =>
        loadConfig({
          ...(path === undefined ? {} : { path }),
          connectors: BUILTIN_CONNECTORS.map((x) => ({ name: x.name, config: x.config })),
        }))
    )(c.config)
    host = await (o.openHost ?? ((cfg) => openHost(cfg, { log: createLogger() })))(config)
    await fn(host)
  } catch (e) {
    reportFailure(e, c.json === true)
  } finally {
    await host?.close()
  }
}

export function registerAlertsCommand(program: Command, o: AlertsCommandOptions = {}): void {
  const common = (cmd: Command) =>
    cmd
      .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
      .option('--json', 'machine-readable output')
  const alerts = common(
    program
      .command('alerts')
      .description('alert incidents (open first); subcommands: channels, test <channel>, evaluate'),
  )
    .option('--status <status>', 'open or resolved')
    .option('--scheme <id>', 'one scheme')
    .option('--limit <n>', 'how many (default 50)', (v) => Number(v))
    .action(async (c: Common & { status?: string; scheme?: string; limit?: number }) => {
      await withHost(o, c, async (h) => {
        const status = c.status === 'open' || c.status === 'resolved' ? c.status : undefined
        const list = await h.store.alerts.list({
          ...(status === undefined ? {} : { status }),
          ...(c.scheme === undefined ? {} : { schemeId: c.scheme }),
          ...(c.limit === undefined ? {} : { limit: c.limit }),
        })
        const sorted = [...list.filter((i) => i.status === 'open'), ...list.filter((i) => i.status !== 'open')]
        if (c.json === true) json({ incidents: sorted })
        else out(incidentsText(sorted))
      })
    })

  alerts
    .command('channels')
    .description('configured alert channels (names, types, language, rate; never secrets)')
    .action(async (_c: Common, cmd: Command) => {
      const c = cmd.optsWithGlobals<Common>()
      await withHost(o, c, async (h) => {
        const setup = await alertsSetup(h)
        const channels = [...(await syncChannels(h.store, setup.channels)).values()]
        const rows = channels.map((ch) => ({
          name: ch.name,
          type: ch.settings.type,
          language: ch.language,
          ratePerMinute: ch.ratePerMinute,
          default: setup.config.route.includes(ch.name),
        }))
        if (c.json === true) json({ channels: rows })
        else
          out(
            rows.length === 0
              ? 'no alert channels (configure alerts.channels; see docs/alerts.md)'
              : table([
                  ['name', 'type', 'language', 'per minute', 'default route'],
                  ...rows.map((r) => [r.name, r.type, r.language, String(r.ratePerMinute), r.default ? 'yes' : '']),
                ]),
          )
      })
    })

  alerts
    .command('test <channel>')
    .description('send a test message to one channel and show the answer')
    .action(async (name: string, _c: Common, cmd: Command) => {
      const c = cmd.optsWithGlobals<Common>()
      await withHost(o, c, async (h) => {
        const setup = await alertsSetup(h)
        const channels = await syncChannels(h.store, setup.channels)
        const ch = channels.get(name)
        if (ch === undefined) throw AlertUnknownChannel([name, [...channels.keys()].join(', ') || '(none)'])
        const now = h.deps.clock.now()
        await sendToChannel(ch, testMessage(name, ch.language, setup.config.consoleUrl, now), {
          now: () => h.deps.clock.now(),
        })
        if (c.json === true) json({ channel: name, sent: true })
        else out(`test message sent to ${name} (${ch.settings.type})`)
      })
    })

  alerts
    .command('evaluate')
    .description(
      'evaluate every rule once now and send what is due (skipped while another process holds the evaluator lease)',
    )
    .action(async (_c: Common, cmd: Command) => {
      const c = cmd.optsWithGlobals<Common>()
      await withHost(o, c, async (h) => {
        const svc = await openAlertService(h, { log: h.deps.log, clock: { now: () => h.deps.clock.now() } })
        try {
          const r = await svc.tick()
          if (c.json === true)
            json(
              r === undefined
                ? { skipped: 'another process holds the evaluator lease' }
                : { opened: r.opened, resolved: r.resolved, sent: r.sent, held: r.held },
            )
          else if (r === undefined) out('skipped: another process holds the evaluator lease')
          else
            out(
              [...tickLine(r, false), `open incidents: ${(await h.store.alerts.list({ status: 'open' })).length}`].join(
                '\n',
              ),
            )
        } finally {
          await svc.stop()
        }
      })
    })
}
