/**
 * Running one hook call: with a time limit, an abort signal for the hook, a logger that tags
 * every line with the record id, and errors turned into coded FerryErrors naming the hook.
 * The limit bounds asynchronous work; a hook stuck in a synchronous loop blocks the process
 * (processors are trusted code the operator installed, not a sandbox).
 */
import { isFerryError, type FerryError } from '../core/errors.js'
import type { EngineLogger } from '../engine/ports.js'
import type { HookContext, HookName, Json, ProcessorDefinition, ProcessorLog } from './define.js'
import { ProcessorHookFailed, ProcessorHookTimeout } from './errors.js'

export const DEFAULT_HOOK_TIMEOUT_MS = 5000

export interface HookCall {
  readonly scheme: string
  readonly recordId?: string
  readonly recordIds?: readonly string[]
}

function hookLog(log: EngineLogger, base: Json): ProcessorLog {
  return {
    debug: (msg, f) => log.debug({ ...f, ...base }, msg),
    info: (msg, f) => log.info({ ...f, ...base }, msg),
    warn: (msg, f) => log.warn({ ...f, ...base }, msg),
    error: (msg, f) => log.error({ ...f, ...base }, msg),
  }
}

/**
 * Call `p[hook](input, ctx)`; resolves with what it returned. Throws ERR_PROCESSOR_HOOK or
 * ERR_PROCESSOR_TIMEOUT (kind `data`), located at `processor:<name>.<hook>`.
 */
export async function callHook<I, R>(
  p: ProcessorDefinition,
  hook: HookName,
  input: I,
  call: HookCall,
  log: EngineLogger,
  defaultTimeoutMs: number,
  extra: Json = {},
): Promise<R | undefined> {
  // Called as a method below, so a processor written as a class instance keeps its `this`.
  const hooks = p as unknown as Record<HookName, ((i: I, c: HookContext) => unknown) | undefined>
  if (typeof hooks[hook] !== 'function') return undefined
  const ms = p.timeoutMs ?? defaultTimeoutMs
  const ac = new AbortController()
  const base = {
    scheme: call.scheme,
    processor: p.name,
    hook,
    ...(call.recordId === undefined ? {} : { recordId: call.recordId }),
  }
  const ctx = {
    ...extra,
    scheme: call.scheme,
    ...(call.recordId === undefined ? {} : { recordId: call.recordId }),
    ...(call.recordIds === undefined ? {} : { recordIds: call.recordIds }),
    log: hookLog(log, base),
    signal: ac.signal,
  }
  const location = `processor:${p.name}.${hook}`
  let timer: NodeJS.Timeout | undefined
  const overrun = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      ac.abort()
      reject(ProcessorHookTimeout([p.name, hook, ms], { location, details: base }))
    }, ms)
  })
  try {
    return (await Promise.race([Promise.resolve().then(() => hooks[hook]!(input, ctx)), overrun])) as R | undefined
  } catch (e) {
    if (isFerryError(e) && e.code === 'ERR_PROCESSOR_TIMEOUT') {
      log.warn({ ...base, code: e.code }, e.message)
      throw e
    }
    const reason = e instanceof Error ? e.message : String(e)
    const err: FerryError = ProcessorHookFailed([p.name, hook, reason], { location, details: base, cause: e })
    log.warn({ ...base, code: err.code }, err.message)
    throw err
  } finally {
    clearTimeout(timer)
  }
}
