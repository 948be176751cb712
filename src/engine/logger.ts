/**
 * The engine's logger: pino to stderr (stdout is for command output), secrets redacted before
 * anything is written.
 */
import { pino } from 'pino'
import { redact } from '../core/redact.js'
import type { EngineLogger } from './ports.js'

export function createLogger(level: string = process.env.FERRY_LOG_LEVEL ?? 'warn'): EngineLogger {
  const base = pino({ level, base: undefined }, pino.destination(2))
  // A level pino drops is dropped before redact walks the object (the HTTP client logs every call at debug).
  const wrap = (fn: 'debug' | 'info' | 'warn' | 'error') => (obj: Record<string, unknown>, msg?: string) => {
    if (base.isLevelEnabled(fn)) base[fn](redact(obj), msg)
  }
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') }
}
