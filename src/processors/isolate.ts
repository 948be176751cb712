/**
 * Isolated processors (`isolate: true`): the hooks run in a worker thread, so a hook stuck in a
 * synchronous loop can be stopped. An overrun terminates the worker; the calls of other records it
 * was running are sent again to a fresh one (they had not finished, so running them again is what
 * a retry would do), and only the overrunning record is parked.
 */
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import type { HookName, Json, ProcessorDefinition } from './define.js'

// At the package root, next to processor.mjs: two folders up from src/processors, three from dist/src/processors.
const WORKER =
  ['../../processor-worker.mjs', '../../../processor-worker.mjs']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((f) => existsSync(f)) ?? fileURLToPath(new URL('../../processor-worker.mjs', import.meta.url))

/** The file each loaded processor came from (isolated ones are loaded again in their worker). */
export const processorFiles = new WeakMap<ProcessorDefinition, string>()

type Level = 'debug' | 'info' | 'warn' | 'error'
type LogFn = (level: Level, msg: string, fields: Json) => void

interface Pending {
  hook: HookName
  input: unknown
  ctx: Json
  log: LogFn
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

type Reply = { id: number; log?: Level; msg?: string; fields?: Json; ok?: boolean; result?: unknown; message?: string }

export class HookWorker {
  private worker: Worker | undefined
  private booted: Promise<void> | undefined
  private seq = 0
  private readonly pending = new Map<number, Pending>()

  constructor(private readonly file: string) {}

  private start(): Worker {
    // No inherited flags (a TypeScript loader in development): the worker and processor are plain JS.
    const w = new Worker(WORKER, { workerData: { file: this.file }, execArgv: [] })
    w.unref()
    this.booted = new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve())
      w.once('error', reject)
    })
    this.booted.catch(() => {})
    w.on('message', (m: Reply) => {
      const p = this.pending.get(m.id)
      if (p === undefined) return
      if (m.log !== undefined) return p.log(m.log, m.msg ?? '', m.fields ?? {})
      this.pending.delete(m.id)
      if (m.ok === true) p.resolve(m.result)
      else p.reject(new Error(m.message ?? 'hook failed'))
    })
    w.on('error', (e) => {
      // The module failed to load or the worker crashed: every call it held fails.
      for (const [id, p] of this.pending) {
        this.pending.delete(id)
        p.reject(e)
      }
      if (this.worker === w) this.worker = undefined
    })
    this.worker = w
    return w
  }

  /**
   * Resolves once a worker has loaded the module (started if needed): a hook's time limit counts
   * from then, so starting a thread (tens of milliseconds, once) is not charged to a record.
   */
  async ready(): Promise<void> {
    if (this.worker === undefined) this.start()
    await this.booted
  }

  /** Run one hook call in the worker; `ctx` is the context's data (log and signal are made there). */
  call(hook: HookName, input: unknown, ctx: Json, log: LogFn): { result: Promise<unknown>; id: number } {
    const id = ++this.seq
    const result = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { hook, input, ctx, log, resolve, reject })
    })
    ;(this.worker ?? this.start()).postMessage({ id, hook, input, ctx })
    return { result, id }
  }

  /** Call `id` overran: stop the worker, drop that call, and send the others to a fresh worker. */
  overran(id: number): void {
    this.pending.delete(id)
    const old = this.worker
    this.worker = undefined
    void old?.terminate()
    if (this.pending.size === 0) return
    const w = this.start()
    for (const [pid, p] of this.pending) w.postMessage({ id: pid, hook: p.hook, input: p.input, ctx: p.ctx })
  }
}

const workers = new WeakMap<ProcessorDefinition, HookWorker>()

/** The worker of an isolated processor, or undefined when it runs in the process. */
export function workerFor(p: ProcessorDefinition): HookWorker | undefined {
  if (p.isolate !== true) return undefined
  const file = processorFiles.get(p)
  if (file === undefined) return undefined
  let w = workers.get(p)
  if (w === undefined) {
    w = new HookWorker(file)
    workers.set(p, w)
  }
  return w
}
