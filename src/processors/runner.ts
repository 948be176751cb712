/**
 * Running one hook call: with a time limit, an abort signal for the hook, a logger that tags
 * every line with the record id, and errors turned into coded FerryErrors naming the hook.
 * In the process the limit bounds asynchronous work only (a synchronous loop blocks it); an
 * isolated processor (`isolate: true`) runs in a worker thread that is terminated on overrun.
 */
import { isFerryError, type FerryError } from '../core/errors.js'
import type { HookContext, HookName, Json, ProcessorDefinition, ProcessorLog } from './define.js'
import { ProcessorHookFailed, ProcessorHookTimeout } from './errors.js'
import { workerFor } from './isolate.js'

export const DEFAULT_HOOK_TIMEOUT_MS = 5000

/**
 * What a hook call logs through: named here so processors sit below the engine (whose
 * `EngineLogger` has this shape) instead of importing it.
 */
export interface HookCallLogger {
  debug(obj: Record<string, unknown>, msg?: string): void
  info(obj: Record<string, unknown>, msg?: string): void
  warn(obj: Record<string, unknown>, msg?: string): void
  error(obj: Record<string, unknown>, msg?: string): void
}

export interface HookCall {
  readonly scheme: string
  readonly recordId?: string
  readonly recordIds?: readonly string[]
}

function hookLog(log: HookCallLogger, base: Json): ProcessorLog {
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
  log: HookCallLogger,
  defaultTimeoutMs: number,
  extra: Json = {},
): Promise<R | undefined> {
  // Called as a method below, so a processor written as a class instance keeps its `this`.
  const hooks = p as unknown as Record<HookName, ((i: I, c: HookContext) => unknown) | undefined>
  if (typeof hooks[hook] !== 'function') return undefined
  // A hook of an isolated processor runs in its worker (src/processors/isolate.ts).
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
  const worker = workerFor(p)
  // A module that does not load in the worker fails the call like a hook that throws.
  const boot = await worker?.ready().then(
    () => undefined,
    (e: unknown) => e,
  )
  if (boot !== undefined) {
    const err = ProcessorHookFailed(
      [p.name, hook, boot instanceof Error ? boot.message : 'its module did not load in the worker'],
      {
        location,
        details: base,
        cause: boot,
      },
    )
    log.warn({ ...base, code: err.code }, err.message)
    throw err
  }
  const isolated =
    worker === undefined
      ? undefined
      : worker.call(
          hook,
          input,
          {
            ...extra,
            scheme: call.scheme,
            ...(call.recordId === undefined ? {} : { recordId: call.recordId }),
            ...(call.recordIds === undefined ? {} : { recordIds: [...call.recordIds] }),
          },
          (level, msg, fields) => ctx.log[level](msg, fields),
        )
  let timer: NodeJS.Timeout | undefined
  const overrun = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      ac.abort()
      if (isolated !== undefined) worker?.overran(isolated.id)
      reject(ProcessorHookTimeout([p.name, hook, ms], { location, details: base }))
    }, ms)
  })
  try {
    const run = isolated?.result ?? Promise.resolve().then(() => hooks[hook]!(input, ctx))
    return (await Promise.race([run, overrun])) as R | undefined
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
