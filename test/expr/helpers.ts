import type { EvalContext } from '../../src/expr/index.js'

/** A context pinned to 2024-01-01T00:00:00Z in Asia/Shanghai unless overridden. */
export function ctx(over: Partial<EvalContext> = {}): EvalContext {
  return { record: {}, now: new Date('2024-01-01T00:00:00Z'), tz: 'Asia/Shanghai', ...over }
}

/** The FerryError a promise or function rejects/throws with, for asserting code/kind/location. */
export async function errorOf(
  f: () => unknown,
): Promise<{ code: string; kind: string; location?: string; message: string }> {
  try {
    await f()
  } catch (e) {
    return e as { code: string; kind: string; location?: string; message: string }
  }
  throw new Error('expected an error')
}

/** Seeded PRNG (mulberry32) so generated cases are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
