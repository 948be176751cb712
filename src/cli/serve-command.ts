/**
 * `ferry serve` (the scheduler of `ferry start` plus the HTTP API in one process), `ferry user
 * add` and `ferry token create`. A first `ferry serve` on a store without users creates `admin`
 * and prints its password once.
 */
import type { Command } from 'commander'
import { loadConfig } from '../config/load.js'
import type { FerryConfig } from '../config/types.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { isRole, ROLES, type Role } from '../server/auth/roles.js'
import { AuthService } from '../server/auth/service.js'
import { createServiceLogger } from '../server/logger.js'
import type { ServiceOptions } from '../server/route.js'
import { consoleBuilt, defaultConsoleDir } from '../server/routes/console.js'
import { openService, type Service } from '../server/service.js'
import { ServeOption } from '../server/errors.js'
import { openStore, type Store } from '../store/index.js'
import { reportFailure } from './command-host.js'
import { startScheduler } from './start-scheduler.js'

const out = (text: string) => {
  process.stdout.write(`${text}\n`)
}

function load(path: string | undefined): FerryConfig {
  return loadConfig({
    ...(path === undefined ? {} : { path }),
    connectors: BUILTIN_CONNECTORS.map((c) => ({ name: c.name, config: c.config })),
  })
}

async function withStore<T>(config: FerryConfig, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore({
    url: config.database.url,
    masterKeyFile: config.masterKey.file,
    ...(config.masterKey.envValue === undefined ? {} : { masterKeyEnv: config.masterKey.envValue }),
  })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

/** Connections saved through the API (sealed in the store) override the configuration file's. */
export async function withStoredConnections(config: FerryConfig): Promise<FerryConfig> {
  const known = new Set(BUILTIN_CONNECTORS.map((c) => c.name))
  const saved = await withStore(config, async (s) =>
    Promise.all((await s.connections.list()).filter((c) => known.has(c.connector)).map((c) => s.connections.get(c.id))),
  )
  if (saved.length === 0) return config
  const connections = { ...config.connections }
  for (const c of saved) connections[c.id] = { ...connections[c.id], connector: c.connector, settings: c.config }
  return { ...config, connections }
}

export interface ServeOptions {
  readonly port: number
  readonly host: string
  readonly json?: boolean
  readonly options?: ServiceOptions
  /** Stop serving when aborted (tests); SIGINT/SIGTERM always stop it. */
  readonly signal?: AbortSignal
  /** Called once listening, with the service and its base URL. */
  readonly onListening?: (svc: Service, url: string) => void | Promise<void>
  /** Fall back to any free port when `port` is taken (the demo). */
  readonly anyPortIfTaken?: boolean
  /** False: run no crontab (`--no-schedule`); runs start from the API only. Default true. */
  readonly schedule?: boolean
}

export async function serve(config: FerryConfig, o: ServeOptions): Promise<void> {
  const logger = createServiceLogger()
  const svc = await openService(await withStoredConnections(config), {
    logger,
    ...(o.options === undefined ? {} : { options: o.options }),
  })
  try {
    const first = await svc.auth.bootstrapAdmin()
    if (first !== undefined)
      out(
        `first start: created user ${first.name} (admin) with password ${first.password}  (shown once; change it with PATCH /api/v1/users/{id})`,
      )
    let address: string
    try {
      address = await svc.app.listen({ port: o.port, host: o.host })
    } catch (e) {
      if (o.anyPortIfTaken !== true || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e
      address = await svc.app.listen({ port: 0, host: o.host })
    }
    const port = new URL(address).port
    const shown = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host.includes(':') ? `[${o.host}]` : o.host
    const url = `http://${shown}:${port}/`
    out(`console: ${url}`)
    const consoleDir = o.options?.consoleDir ?? defaultConsoleDir()
    if (!consoleBuilt(consoleDir))
      out(
        `console: the web console is not built (${consoleDir} is missing); run \`npm run build\`. The API works without it.`,
      )
    for (const s of svc.host.schemes) {
      const r = svc.host.running(s.id)
      out(`scheme ${s.id} runs version ${r.version}: ${r.reason}`)
    }
    await o.onListening?.(svc, url)
    await startScheduler(svc.host, o.json === true, o.signal, o.schedule !== false)
  } finally {
    await svc.close()
  }
}

function roleOf(text: string): Role {
  if (!isRole(text)) throw ServeOption(['--role', `expected one of ${ROLES.join(', ')}, got "${text}"`])
  return text
}

function portOf(text: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n > 65535)
    throw ServeOption(['--port', `expected a port number from 0 to 65535, got "${text}"`])
  return n
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run every scheme on its schedule and serve the HTTP API (console, /api/v1, /metrics)')
    .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--metrics-on-loopback', 'serve /metrics without a token to callers on this machine')
    .option('--secure-cookies', 'mark session cookies Secure (when served behind TLS)')
    .option('--json', 'machine-readable run summaries')
    .option('--no-schedule', 'run no crontab: runs start from the API and the console only')
    .action(
      async (c: {
        config?: string
        port: string
        host: string
        metricsOnLoopback?: boolean
        secureCookies?: boolean
        json?: boolean
        schedule: boolean
      }) => {
        try {
          await serve(load(c.config), {
            port: portOf(c.port),
            host: c.host,
            schedule: c.schedule,
            ...(c.json === undefined ? {} : { json: c.json }),
            options: { metricsOnLoopback: c.metricsOnLoopback === true, secureCookies: c.secureCookies === true },
          })
        } catch (e) {
          reportFailure(e, c.json === true)
        }
      },
    )

  const user = program.command('user').description('service accounts')
  user
    .command('add <name>')
    .description('add a user; prints a generated password once unless --password-env names one')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password-env <var>', 'read the password from this environment variable (never from the command line)')
    .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
    .action(async (name: string, c: { role: string; passwordEnv?: string; config?: string }) => {
      try {
        const role = roleOf(c.role)
        const given = c.passwordEnv === undefined ? undefined : process.env[c.passwordEnv]
        if (c.passwordEnv !== undefined && (given === undefined || given.length < 12))
          throw ServeOption(['--password-env', `${c.passwordEnv} must hold a password of at least 12 characters`])
        const r = await withStore(load(c.config), (s) => new AuthService(s).addUser(name, role, given))
        out(
          `user ${r.user.name} (${r.user.role}) added${given === undefined ? `; password: ${r.password}  (shown once)` : ''}`,
        )
      } catch (e) {
        reportFailure(e, false)
      }
    })

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .description('create an API token and print it once')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'what the token is for (shown in lists and the audit log)')
    .option('--config <file>', 'configuration file (default: $FERRY_CONFIG)')
    .action(async (c: { role: string; name?: string; config?: string }) => {
      try {
        const role = roleOf(c.role)
        const r = await withStore(load(c.config), (s) =>
          new AuthService(s).createToken(role, c.name ?? `${role} token`, 'cli'),
        )
        out(r.token)
        process.stderr.write(`token ${r.info.id} "${r.info.name}" (${r.info.role}); it is shown only now\n`)
      } catch (e) {
        reportFailure(e, false)
      }
    })
}
