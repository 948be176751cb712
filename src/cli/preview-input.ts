/**
 * `ferry preview <scheme-file> --input <docs.json> [--lookups <collections.json>]`: the scheme's
 * mapping over documents from a file, with no configuration, store or connector (see
 * src/engine/preview-input.ts).
 */
import { readFileSync } from 'node:fs'
import { BUILTIN_CONNECTORS } from '../connectors/builtin.js'
import { PreviewInput } from '../engine/errors.js'
import type { PreviewItem } from '../engine/preview.js'
import { previewSchemeFile } from '../engine/preview-input.js'
import { isPlainObject } from '../scheme/path.js'

function readJson(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw PreviewInput([file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)])
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw PreviewInput([file, `not JSON (${e instanceof Error ? e.message : String(e)})`])
  }
}

export function readDocs(file: string): Record<string, unknown>[] {
  const v = readJson(file)
  if (!Array.isArray(v) || !v.every(isPlainObject))
    throw PreviewInput([file, "must hold a JSON array of objects (the source API's list rows)"])
  return v
}

export function readCollections(file: string): Record<string, Record<string, unknown>[]> {
  const v = readJson(file)
  if (!isPlainObject(v) || !Object.values(v).every((rows) => Array.isArray(rows) && rows.every(isPlainObject))) {
    throw PreviewInput([file, 'must hold a JSON object {"<collection>": [rows…]}'])
  }
  return v as Record<string, Record<string, unknown>[]>
}

export async function previewFromInput(
  file: string,
  o: { input: string; lookups?: string; limit: number; now?: Date },
): Promise<PreviewItem[]> {
  const now = o.now ?? new Date()
  const { items } = await previewSchemeFile(file, {
    docs: readDocs(o.input),
    ...(o.lookups === undefined ? {} : { collections: readCollections(o.lookups) }),
    limit: o.limit,
    clock: { now: () => now },
    connectors: BUILTIN_CONNECTORS,
  })
  return items
}
