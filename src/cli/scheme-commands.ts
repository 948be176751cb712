/**
 * `ferry validate <scheme-file>` and `ferry filter <scheme-file> --input <docs.json>`.
 *
 * validate prints one `code  path  message` line per error and warning; it exits 0 when there
 * are only warnings and 1 (via ERR_SCHEME_INVALID) when there is any error.
 * filter runs the source side's condition and beatFlat over a JSON array of documents and prints
 * the surviving records as JSON.
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { FilterInput, SchemeInvalid, SchemeRead } from '../scheme/errors.js'
import { applySourcePipeline, loadSchemeFile, resolveSchedule, type LoadedScheme } from '../scheme/index.js'
import { isPlainObject } from '../scheme/path.js'
import type { SchemeWarning } from '../scheme/types.js'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'

function out(line: string): void {
  process.stdout.write(`${line}\n`)
}

/**
 * A connector name this Ferry does not have is a warning, not an error: the scheme may be for a
 * system Ferry has no connector for yet, and its dialect is still worth checking. Loading it in
 * a configuration stays an error (ERR_CONFIG_UNKNOWN_CONNECTION).
 */
export function connectorWarnings(doc: unknown, known: readonly string[]): SchemeWarning[] {
  if (!isPlainObject(doc)) return []
  const out: SchemeWarning[] = []
  for (const side of ['source', 'target'] as const) {
    const s = doc[side]
    const name = isPlainObject(s) ? s.connector : undefined
    if (typeof name !== 'string' || name === '' || known.includes(name)) continue
    out.push({
      code: 'WARN_UNKNOWN_CONNECTOR',
      path: `${side}.connector`,
      message: `no connector named "${name}" in this Ferry (known: ${known.join(', ')}); the scheme is checked but cannot run until one exists`,
    })
  }
  return out
}

function withConnectorWarnings(loaded: LoadedScheme): LoadedScheme {
  const extra = connectorWarnings(
    loaded.document,
    BUILTIN_CONNECTORS.map((c) => c.name),
  )
  return extra.length === 0 ? loaded : { ...loaded, warnings: [...loaded.warnings, ...extra] }
}

function printFindings(loaded: LoadedScheme): void {
  for (const e of loaded.errors) out(e.toLine())
  for (const w of loaded.warnings) out([w.code, w.path === '' ? '-' : w.path, w.message].join('  '))
}

function failIfInvalid(loaded: LoadedScheme): void {
  if (loaded.ok) return
  const first = loaded.errors[0]
  throw SchemeInvalid([loaded.file, loaded.errors.length, first === undefined ? '-' : first.code], {
    details: { errors: loaded.errors.map((e) => e.toJSON()) },
  })
}

async function readDocuments(file: string): Promise<Record<string, unknown>[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    throw SchemeRead([file, err.code === 'ENOENT' ? 'no such file' : err.message], { cause: e })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw FilterInput([`${file} is not JSON (${e instanceof Error ? e.message : String(e)})`])
  }
  if (!Array.isArray(data)) throw FilterInput([`${file} must hold a JSON array of documents`])
  data.forEach((d, i) => {
    if (!isPlainObject(d)) throw FilterInput([`element ${i} is not an object`], { location: `[${i}]` })
  })
  return data as Record<string, unknown>[]
}

export function registerSchemeCommands(program: Command): void {
  program
    .command('validate')
    .description('check a scheme file; lists every error and warning as "code  path  message"')
    .argument('<scheme-file>', 'scheme file (.json, .yaml or .yml)')
    .action(async (file: string) => {
      const loaded = withConnectorWarnings(await loadSchemeFile(file))
      printFindings(loaded)
      failIfInvalid(loaded)
      out(`${file}: valid (${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'})`)
    })

  program
    .command('filter')
    .description("apply the source side's condition and beatFlat to a JSON array of documents")
    .argument('<scheme-file>', 'scheme file (.json, .yaml or .yml)')
    .requiredOption('--input <file>', 'JSON array of source documents (the list rows of the source API)')
    .action(async (file: string, opts: { input: string }) => {
      const loaded = await loadSchemeFile(file)
      if (!loaded.ok) printFindings(loaded)
      failIfInvalid(loaded)
      const scheme = loaded.scheme!
      const docs = await readDocuments(opts.input)
      const kept = applySourcePipeline(scheme.source.metadata, docs, { tz: resolveSchedule(scheme).timezone })
      out(JSON.stringify(kept, null, 2))
    })
}
