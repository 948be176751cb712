/**
 * The service's pino logger: JSON lines with the request id, secrets redacted twice over: by
 * path (headers that carry credentials, known secret fields) and by the engine's key-based
 * redaction for everything the engine logs through it.
 */
import { pino, type DestinationStream, type Logger } from 'pino'
import { redact } from '../core/redact.js'
import type { EngineLogger } from '../engine/ports.js'

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.csrfToken',
  '*.sessionId',
  '*.settings',
  '*.appSecret',
  '*.clientSecret',
  '*.accessToken',
  '*.refreshToken',
  'password',
  'token',
  'csrfToken',
  'settings',
]

export function createServiceLogger(opts: { level?: string; stream?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.FERRY_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    opts.stream ?? pino.destination(2),
  )
}

/** The engine's logger interface over the service logger (one stream, one redaction). */
export function engineLoggerFrom(log: Logger): EngineLogger {
  const wrap = (fn: 'debug' | 'info' | 'warn' | 'error') => (obj: Record<string, unknown>, msg?: string) => {
    log[fn](redact(obj), msg)
  }
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') }
}
