/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per area of
 * the code base, so the docs can say where the engine's time goes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface ProfileSummary {
  readonly file: string
  readonly total_ms: number
  readonly top_functions: readonly { readonly fn: string; readonly self_ms: number; readonly pct: number }[]
  readonly by_area: readonly {
    readonly area: string
    readonly self_ms: number
    readonly pct: number
    readonly per_bill_ms?: number
  }[]
}

function area(url: string, fn: string): string {
  if (url === '') return fn === '(garbage collector)' ? 'gc' : fn === '(idle)' || fn === '(program)' ? fn : 'native'
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm !== null) return `dep:${nm[1]}`
  if (url.startsWith('node:')) return 'node-core'
  const m = /\/(src\/[^/]+|simulators|bench)\//.exec(url)
  return m?.[1] ?? 'other'
}

/** `bills`: when given, each area also says its time per bill written (the figure to compare across runs). */
export function summarise(file: string, top = 15, bills?: number): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  // The profiler starting itself (engine-child's profileRun) is sampled too; it is not the engine's.
  const own = new Set<number>()
  const mark = (id: number) => {
    own.add(id)
    for (const c of byId.get(id)?.children ?? []) mark(c)
  }
  for (const n of p.nodes) if (n.callFrame.functionName === 'profileRun') mark(n.id)
  const self = new Map<number, number>()
  p.samples.forEach((id, i) => {
    if (!own.has(id)) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0))
  })
  const fns = new Map<string, number>()
  const areas = new Map<string, number>()
  let total = 0
  for (const [id, us] of self) {
    const n = byId.get(id)
    if (n === undefined) continue
    const { functionName, url, lineNumber } = n.callFrame
    const short = url.replace(/^file:\/\/.*?\/(node_modules|src|simulators|bench)\//, '$1/')
    const key = `${functionName || '(anonymous)'} ${short}${url === '' ? '' : `:${lineNumber + 1}`}`
    fns.set(key, (fns.get(key) ?? 0) + us)
    const a = area(url, functionName)
    areas.set(a, (areas.get(a) ?? 0) + us)
    total += us
  }
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1])
  const pct = (us: number) => Math.round((us / total) * 1000) / 10
  return {
    file,
    total_ms: Math.round(total / 1000),
    top_functions: rank(fns)
      .slice(0, top)
      .map(([fn, us]) => ({ fn, self_ms: Math.round(us / 1000), pct: pct(us) })),
    by_area: rank(areas)
      .slice(0, 12)
      .map(([a, us]) => ({
        area: a,
        self_ms: Math.round(us / 1000),
        pct: pct(us),
        ...(bills === undefined || bills === 0 ? {} : { per_bill_ms: Math.round(us / bills) / 1000 }),
      })),
  }
}

/**
 * The main thread's profile among those written since `sinceMs`: under `--import tsx` the module
 * loader runs in a worker thread that writes its own (small) profile next to it, so take the largest.
 */
export function mainProfile(dir: string, sinceMs: number): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).mtimeMs >= sinceMs)
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]
}
