/**
 * Reading and writing scheme files. JSON and YAML both load; the document is kept exactly as
 * parsed, so saving it gives back every key, including those Ferry does not know.
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { parseDocument, stringify } from 'yaml'
import { SchemeLimit, SchemeRead, SchemeSyntax } from './errors.js'
import { locateJsonError } from './json-locate.js'

export type SchemeFormat = 'json' | 'yaml'

/** Scheme files are small; anything bigger is a mistake (or an attack on the parser). */
export const MAX_SCHEME_BYTES = 5 * 1024 * 1024

export function formatOf(file: string): SchemeFormat {
  const ext = extname(file).toLowerCase()
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json'
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return `${lines.length}:${(lines[lines.length - 1]?.length ?? 0) + 1}`
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true })
  const first = doc.errors[0]
  // The yaml parser recurses into flow collections; a hostile nesting ends as a caught RangeError.
  if (first !== undefined && /call stack/i.test(first.message))
    throw SchemeLimit(['nested too deeply for the YAML parser'], { location: '1:1' })
  if (first !== undefined) {
    const pos = first.linePos?.[0]
    throw SchemeSyntax(['YAML', first.message.split('\n')[0] ?? first.message], {
      location: pos === undefined ? lineColumn(text, first.pos[0]) : `${pos.line}:${pos.col}`,
    })
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown
  } catch (e) {
    if (e instanceof RangeError)
      throw SchemeLimit(['nested too deeply for the YAML parser'], { location: '1:1', cause: e })
    // The yaml library throws for alias expansion past the limit (a "billion laughs" file).
    throw SchemeSyntax(['YAML', e instanceof Error ? e.message : String(e)], { location: '1:1', cause: e })
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    const at = locateJsonError(text)
    const reason = at?.reason ?? (e instanceof Error ? e.message : String(e))
    throw SchemeSyntax(['JSON', reason], { location: lineColumn(text, at?.offset ?? 0) })
  }
}

/** Parse scheme text. Throws ERR_SCHEME_SYNTAX located at `line:column`. */
export function parseSchemeText(text: string, format: SchemeFormat): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return format === 'yaml' ? parseYaml(body) : parseJson(body)
}

/** Read and parse a scheme file (format from the extension: .yaml/.yml, else JSON). */
export async function readSchemeFile(file: string): Promise<unknown> {
  let text: string
  try {
    const buf = await readFile(file)
    if (buf.length > MAX_SCHEME_BYTES) throw new Error(`larger than ${MAX_SCHEME_BYTES} bytes`)
    text = buf.toString('utf8')
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    throw SchemeRead([file, err.code === 'ENOENT' ? 'no such file' : err.message], { cause: e })
  }
  return parseSchemeText(text, formatOf(file))
}

/** Serialise a scheme document; load → save gives back every key. */
export function saveSchemeText(doc: unknown, format: SchemeFormat): string {
  return format === 'yaml' ? stringify(doc, { lineWidth: 0 }) : `${JSON.stringify(doc, null, 2)}\n`
}
