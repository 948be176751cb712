/**
 * The function registry: every built-in of `_function` declares its name, signature, a one-line
 * description and examples (run as tests, and rendered into docs/expressions.md). The parser
 * checks names and argument counts against it, so an unknown function fails at validation time.
 */
import type { SqlValue } from './values.js'

/** What a function may use besides its arguments. */
export interface CallEnv {
  readonly now: Date
  readonly tz: string
  /** Record that a division by zero produced NULL (compat mode turns that into raw text). */
  divisionByZero(): void
}

export interface FunctionExample {
  /** A whole value, e.g. `_function ROUND(2.345, 2)`. */
  readonly value: string
  readonly record?: Record<string, unknown>
  readonly vars?: Record<string, unknown>
  /** Evaluation time as ISO-8601; examples default to 2024-01-01T00:00:00Z in Asia/Shanghai. */
  readonly now?: string
  readonly result: unknown
}

interface SpecBase {
  readonly name: string
  readonly aliases?: readonly string[]
  /** e.g. `ROUND(x [, d])`. */
  readonly signature: string
  readonly description: string
  readonly category: 'control' | 'string' | 'number' | 'date' | 'aggregate'
  readonly min: number
  readonly max: number
  readonly examples: readonly FunctionExample[]
}

/** Arguments evaluated first; a detail-array argument is refused unless `aggregate`. */
export interface EagerSpec extends SpecBase {
  readonly lazy?: false
  readonly aggregate?: boolean
  call(args: SqlValue[], env: CallEnv): SqlValue
}

/** Arguments evaluated on demand (IF, IFNULL, COALESCE evaluate only the branch they return). */
export interface LazySpec extends SpecBase {
  readonly lazy: true
  call(args: readonly (() => Promise<SqlValue>)[], env: CallEnv): Promise<SqlValue>
}

export type FunctionSpec = EagerSpec | LazySpec

const registry = new Map<string, FunctionSpec>()
const canonical: FunctionSpec[] = []

export function registerFunctions(specs: readonly FunctionSpec[]): void {
  for (const s of specs) {
    for (const n of [s.name, ...(s.aliases ?? [])]) {
      if (registry.has(n)) throw new Error(`function ${n} registered twice`)
      registry.set(n, s)
    }
    canonical.push(s)
  }
}

/** Case-insensitive, as in MySQL. */
export function findFunction(name: string): FunctionSpec | undefined {
  return registry.get(name.toUpperCase())
}

/** Every built-in once (aliases are on the entry), sorted by name. */
export function listFunctions(): readonly FunctionSpec[] {
  return [...canonical].sort((a, b) => a.name.localeCompare(b.name))
}
