/**
 * What the engine commands share: how a command gets a configured Host (the demo swaps in its
 * own), its `--config`/`--json` options, and how it prints results and failures.
 */
import type { Command } from 'commander'
import { loadConfig, problemLines } from '../config/load.js'
import type { FerryConfig } from '../config/types.js'
import { isFerryError, toFerryError } from '../core/errors.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { openHost, type Host } from '../engine/host.js'
import { createLogger } from '../engine/logger.js'

export interface Common {
  config?: string
  json?: boolean
}

export const out = (text: string) => {
  process.stdout.write(`${text}\n`)
}
export const json = (v: unknown) =>
  out(JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x), 2))

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

export async function withHost<T>(
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

/** `--config` and `--json`, on every engine command. */
export const common = (cmd: Command) =>
  cmd
    .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
    .option('--json', 'machine-readable output')
