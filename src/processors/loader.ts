/**
 * Loading processors: compiled ES modules (`<name>.mjs`, else `<name>.js`) from the folder the
 * configuration names, imported once at start. TypeScript sources are not loaded directly: the
 * operator compiles them (`npx tsc -p <folder>`), so a type error stops the build, not a run, and
 * Ferry needs no TypeScript loader at run time (docs/processors.md).
 */
import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { HOOK_NAMES, type ProcessorDefinition } from './define.js'
import { ProcessorInvalid, ProcessorNotFound } from './errors.js'
import { processorFiles } from './isolate.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/
const KEYS = new Set<string>(['name', 'timeoutMs', 'isolate', ...HOOK_NAMES])

/** Check a module's default export; throws ERR_PROCESSOR_INVALID naming the problem. */
export function checkProcessor(v: unknown, file: string): ProcessorDefinition {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw ProcessorInvalid([file, 'the default export is not an object; export default defineProcessor({...})'])
  const p = v as Record<string, unknown>
  if (typeof p.name !== 'string' || p.name.trim() === '')
    throw ProcessorInvalid([file, '"name" must be a non-empty string'])
  for (const [k, x] of Object.entries(p)) {
    if (!KEYS.has(k)) throw ProcessorInvalid([file, `unknown key "${k}"; hooks are ${HOOK_NAMES.join(', ')}`])
    if ((HOOK_NAMES as readonly string[]).includes(k) && typeof x !== 'function')
      throw ProcessorInvalid([file, `"${k}" must be a function`])
  }
  if (
    p.timeoutMs !== undefined &&
    !(typeof p.timeoutMs === 'number' && Number.isInteger(p.timeoutMs) && p.timeoutMs > 0 && p.timeoutMs <= 600_000)
  ) {
    throw ProcessorInvalid([file, '"timeoutMs" must be a whole number of milliseconds from 1 to 600000'])
  }
  if (p.isolate !== undefined && typeof p.isolate !== 'boolean')
    throw ProcessorInvalid([file, '"isolate" must be true or false'])
  if (!HOOK_NAMES.some((h) => typeof p[h] === 'function'))
    throw ProcessorInvalid([file, `no hook defined; define one of ${HOOK_NAMES.join(', ')}`])
  return p as unknown as ProcessorDefinition
}

/** Import one compiled processor file (any path: `ferry processor test` takes a file). */
export async function loadProcessorFile(file: string): Promise<ProcessorDefinition> {
  const abs = isAbsolute(file) ? file : resolve(file)
  if (/\.[cm]?tsx?$/.test(abs)) {
    const compiled = abs.replace(/\.([cm]?)tsx?$/, (_m, k: string) => (k === 'c' ? '.cjs' : k === 'm' ? '.mjs' : '.js'))
    throw ProcessorInvalid([
      file,
      `TypeScript is not loaded directly; compile it (npx tsc -p <folder>) and use ${compiled}`,
    ])
  }
  if (!existsSync(abs)) throw ProcessorNotFound([file, abs, ''])
  let mod: { default?: unknown }
  try {
    mod = (await import(pathToFileURL(abs).href)) as { default?: unknown }
  } catch (e) {
    throw ProcessorInvalid([file, `it does not load: ${e instanceof Error ? e.message : String(e)}`], { cause: e })
  }
  const p = checkProcessor(mod.default, file)
  processorFiles.set(p, abs)
  return p
}

/** Load the named processors from `dir`, in order. */
export async function loadProcessors(dir: string, names: readonly string[]): Promise<ProcessorDefinition[]> {
  const out: ProcessorDefinition[] = []
  for (const name of names) {
    // A name, not a path: only files the operator put in the processors folder are loaded.
    if (!NAME.test(name) || name.includes('..'))
      throw ProcessorNotFound([name, dir, ' (a processor is named by its file name, without folders)'])
    const file = ['.mjs', '.js'].map((ext) => join(dir, `${name}${ext}`)).find((f) => existsSync(f))
    if (file === undefined) {
      const ts = ['.mts', '.ts'].some((ext) => existsSync(join(dir, `${name}${ext}`)))
      throw ProcessorNotFound([
        name,
        dir,
        ts
          ? ` (only its TypeScript source is there: compile it with npx tsc)`
          : ` (looked for ${name}.mjs and ${name}.js)`,
      ])
    }
    out.push(await loadProcessorFile(file))
  }
  return out
}
