/**
 * The processor contract (the platform's 加工厂): a TypeScript module the operator installs in the
 * configured processors folder, compiled to `.mjs`/`.js`, whose default export is
 * `defineProcessor({...})`. Ferry loads it with a dynamic import at start; it never evaluates
 * strings. Processors import it as `import { defineProcessor } from 'ferry/processor'`, whose
 * types are processor.d.mts and runtime processor.mjs at the package root (docs/processors.md).
 */
import type { HookName, ProcessorDefinition } from '../../processor.mjs'

export type {
  HookContext,
  HookName,
  Json,
  ProcessorDefinition,
  ProcessorHooks,
  ProcessorLog,
  WriteAnswer,
} from '../../processor.mjs'

export const HOOK_NAMES: readonly HookName[] = [
  'beforeRequest',
  'afterFetch',
  'beforeStore',
  'beforeWrite',
  'afterWrite',
]

/** Identity helper that type-checks a processor (the same as processor.mjs). */
export function defineProcessor<P extends ProcessorDefinition>(p: P): P {
  return p
}
