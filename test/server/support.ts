/**
 * A service over the simulators for the API tests: a small seeded dataset, SQLite in a temp dir,
 * every log line captured (to prove secrets never reach it), and one API token per role.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FerryConfig } from '../../src/config/types.js'
import { createServiceLogger } from '../../src/server/logger.js'
import type { ServiceOptions } from '../../src/server/route.js'
import { openService, type Service } from '../../src/server/service.js'
import { startSandbox, type Sandbox } from '../../simulators/sandbox.js'
import { configFor } from '../e2e/support.js'

export interface TestService {
  readonly svc: Service
  readonly sandbox: Sandbox
  readonly tokens: { admin: string; operator: string; viewer: string }
  /** Every log line written so far. */
  logs(): string
  close(): Promise<void>
}

export async function testService(
  o: {
    options?: ServiceOptions
    orders?: number
    days?: number
    seed?: number
    /** Change the configuration before the service opens (alert channels, a scheme file with quality rules); gets the temp dir. */
    configure?: (config: FerryConfig, dir: string) => FerryConfig
  } = {},
): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-api-'))
  const hour = 3_600_000
  const days = o.days ?? 3
  const start = new Date(Math.floor(Date.now() / hour) * hour - days * 86_400_000 - 2 * hour)
  const sandbox = await startSandbox({ orders: o.orders ?? 40, days, seed: o.seed ?? 5, start })
  let captured = ''
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      captured += chunk.toString()
      cb()
    },
  })
  const config = configFor(sandbox, dir, start)
  const svc = await openService(o.configure === undefined ? config : o.configure(config, dir), {
    logger: createServiceLogger({ level: 'debug', stream }),
    defaultMetrics: false,
    ...(o.options === undefined ? {} : { options: o.options }),
  })
  const tok = async (role: 'admin' | 'operator' | 'viewer') =>
    (await svc.auth.createToken(role, `${role} test`, 'test')).token
  const tokens = { admin: await tok('admin'), operator: await tok('operator'), viewer: await tok('viewer') }
  return {
    svc,
    sandbox,
    tokens,
    logs: () => captured,
    async close() {
      await svc.close()
      await sandbox.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
