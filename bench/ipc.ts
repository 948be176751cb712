/**
 * Request/response over a child's IPC channel. The simulators and the engine under test each run
 * in their own process so that neither steals the other's event loop: on a real deployment the
 * vendor is another machine, and peak RSS must be the engine's alone.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface Envelope {
  readonly id: number
  readonly op: string
  readonly arg?: unknown
}
export interface Reply {
  readonly id: number
  readonly ok: boolean
  readonly value?: unknown
  readonly error?: string
}

export class ChildHandle {
  private next = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private exited: Promise<number | null>

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: Reply) => {
      const p = this.pending.get(m.id)
      if (p === undefined) return
      this.pending.delete(m.id)
      if (m.ok) p.resolve(m.value)
      else p.reject(new Error(m.error ?? 'child failed'))
    })
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code) => {
        for (const p of this.pending.values()) p.reject(new Error(`child exited with code ${String(code)}`))
        this.pending.clear()
        resolve(code)
      }),
    )
  }

  call<T>(op: string, arg?: unknown): Promise<T> {
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.proc.send({ id, op, arg } satisfies Envelope)
    })
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.connected) this.proc.disconnect()
    await this.exited
  }
}

/**
 * Where the engine under test runs from: `dist` (the default; `npm run bench` compiles it first
 * with tsconfig.bench.json, so the figures are those of the JavaScript users run, not of tsx
 * transpiling TypeScript) or `src` (`BENCH_ENGINE=src`, under tsx, for quick experiments).
 */
export function engineFrom(): 'dist' | 'src' {
  const v = process.env.BENCH_ENGINE ?? 'dist'
  if (v !== 'dist' && v !== 'src') throw new Error(`BENCH_ENGINE must be dist or src, got ${v}`)
  return v
}

/** The engine child (bench/engine-child.ts): compiled from dist/ under plain node, or from src/ under tsx. */
export function spawnEngine(nodeArgs: readonly string[] = []): ChildHandle {
  if (engineFrom() === 'src') return spawnChild('./engine-child.ts', nodeArgs)
  const path = fileURLToPath(new URL('../dist/bench/engine-child.js', import.meta.url))
  return new ChildHandle(fork(path, [], { execArgv: [...nodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
}

/** Start `bench/<file>` under tsx; `nodeArgs` e.g. `--cpu-prof`. */
export function spawnChild(file: string, nodeArgs: readonly string[] = []): ChildHandle {
  const path = fileURLToPath(new URL(file, import.meta.url))
  const proc = fork(path, [], {
    execArgv: ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new ChildHandle(proc)
}

/** The child side: answer each request with `handlers[op](arg)`; exit when the parent disconnects. */
export function serve(
  handlers: Readonly<Record<string, (arg: unknown) => Promise<unknown>>>,
  onClose: () => Promise<void>,
): void {
  process.on('message', (m: Envelope) => {
    const h = handlers[m.op]
    const reply = (r: Omit<Reply, 'id'>) => process.send?.({ id: m.id, ...r })
    if (h === undefined) {
      reply({ ok: false, error: `unknown op ${m.op}` })
      return
    }
    h(m.arg).then(
      (value) => reply({ ok: true, value }),
      (e: unknown) => reply({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    )
  })
  process.on('disconnect', () => {
    void onClose().finally(() => process.exit(0))
  })
}
